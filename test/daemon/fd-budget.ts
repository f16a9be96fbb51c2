// The descriptor budget: the probes' reserve first, the listeners' caps from what is left.

import t from 'tap';
import { baseFds, fdBudget, metricsMaxConnections, minGrpcConnections, probeHeadroomFds } from '../../src/daemon/fd-budget.js';

t.test('budget cases', (t) => {
  const fixed = baseFds + probeHeadroomFds + metricsMaxConnections;
  const cases = [
    { name: 'systemd LimitNOFILE=65536, 100 backends: nothing cut', in: { limit: 65536, probedBackends: 100, grpcMaxConnections: 256 }, want: { probeReserve: 232, grpcMaxConnections: 256, grpcCapped: false, short: false } },
    { name: 'no limit at all', in: { limit: Infinity, probedBackends: 5000, grpcMaxConnections: 256 }, want: { probeReserve: 10_032, grpcMaxConnections: 256, grpcCapped: false, short: false } },
    { name: '300 fds, 4 backends: gRPC cut to what is left', in: { limit: 300, probedBackends: 4, grpcMaxConnections: 256 }, want: { probeReserve: 40, grpcMaxConnections: 300 - fixed - 8, grpcCapped: true, short: false } },
    { name: 'exactly enough for the configured cap', in: { limit: fixed + 20 + 256, probedBackends: 10, grpcMaxConnections: 256 }, want: { probeReserve: 52, grpcMaxConnections: 256, grpcCapped: false, short: false } },
    { name: 'one fd short of it', in: { limit: fixed + 20 + 255, probedBackends: 10, grpcMaxConnections: 256 }, want: { probeReserve: 52, grpcMaxConnections: 255, grpcCapped: true, short: false } },
    { name: 'too low for the reserve: gRPC keeps its floor, flagged short', in: { limit: 1024, probedBackends: 1000, grpcMaxConnections: 256 }, want: { probeReserve: 2032, grpcMaxConnections: minGrpcConnections, grpcCapped: true, short: true } },
    { name: 'a configured cap below the floor is kept', in: { limit: 100, probedBackends: 0, grpcMaxConnections: 2 }, want: { probeReserve: 32, grpcMaxConnections: 2, grpcCapped: false, short: true } },
  ];
  for (const c of cases) t.same(fdBudget(c.in), { ...c.want, metricsMaxConnections }, c.name);
  t.end();
});
