import t from 'tap';
import { spawnMaglevd } from '../support/maglevd-process.js';

const config = `maglev:
  vpp:
    lb:
      ipv4-src-address: 127.0.0.1
  backends:
    s1: { address: 127.0.0.1 }
  frontends:
    fe:
      address: 127.0.9.9
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { s1: {} }
`;

t.test('starts, serves /healthz and /metrics, and exits 0 on SIGTERM', async (t) => {
  const d = await spawnMaglevd({ config });
  t.teardown(() => d.stop('SIGKILL'));
  const hz = await fetch(`http://${d.metricsAddr}/healthz`);
  t.equal(hz.status, 200);
  const body = (await hz.json()) as { vppConnected: boolean };
  t.equal(body.vppConnected, false);
  const m = await (await fetch(`http://${d.metricsAddr}/metrics`)).text();
  t.match(m, /maglev_backend_state\{backend="s1",state="up"\} 1/);
  t.notMatch(m, /maglev_vpp_/, 'no VPP metrics when VPP is disabled');
  t.equal(await d.stop('SIGTERM'), 0);
  t.ok(d.logs.some((l) => l.msg === 'shutdown'));
});

t.test('a semantically bad config at startup exits 2; a busy gRPC port exits 3', async (t) => {
  const bad: unknown = await spawnMaglevd({ config: config.replace('127.0.0.1 }', '127.0.0.1, healthcheck: nope }') }).catch((e: Error) => e);
  t.match(bad instanceof Error ? bad.message : 'started', /exited with 2/);
  const a = await spawnMaglevd({ config });
  t.teardown(() => a.stop('SIGKILL'));
  const busy: unknown = await spawnMaglevd({ config, extraArgs: ['--grpc-addr', a.grpcAddr] }).catch((e: Error) => e);
  t.match(busy instanceof Error ? busy.message : 'started', /exited with 3/);
});
