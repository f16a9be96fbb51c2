// The config probe-throughput gives maglevd is one the real loader accepts: every backend on one
// check of the run's type, with the params that type needs, and in a frontend (so it is probed).

import t from 'tap';
import { backendsPerFrontend, maglevdBenchYaml } from '../../bench/maglevd-config.js';
import { fleetAddresses } from '../../src/fleet/fleet-addresses.js';
import { parseConfig, referencedBackends } from '../../src/config/loader.js';

t.test('reuse-connection on the check when asked (http and https)', async (t) => {
  const addresses = fleetAddresses(10);
  for (const type of ['http', 'https'] as const) {
    const load = parseConfig(maglevdBenchYaml({ type, addresses, port: 18080, intervalMs: 1000, timeoutMs: 1000, reuseConnection: true }));
    t.equal(load.ok && load.config.healthchecks.get('bench')?.reuseConnection, true, type);
  }
  const plain = parseConfig(maglevdBenchYaml({ type: 'http', addresses, port: 18080, intervalMs: 1000, timeoutMs: 1000 }));
  t.equal(plain.ok && plain.config.healthchecks.get('bench')?.reuseConnection, undefined, 'off unless asked');
});

t.test('valid for every type', async (t) => {
  const addresses = fleetAddresses(250);
  const cases = [
    { name: 'http', in: 'http' as const, want: { path: '/healthz', insecure: false, tcp: false } },
    { name: 'https', in: 'https' as const, want: { path: '/healthz', insecure: true, tcp: false } },
    { name: 'tcp', in: 'tcp' as const, want: { path: undefined, insecure: undefined, tcp: true } },
  ];
  for (const c of cases) {
    const load = parseConfig(maglevdBenchYaml({ type: c.in, addresses, port: 18080, intervalMs: 5000, timeoutMs: 1000 }));
    if (!load.ok) {
      t.fail(`${c.name}: ${JSON.stringify(load.errors)}`);
      continue;
    }
    t.same(load.warnings, [], `${c.name}: no warnings`);
    const check = load.config.healthchecks.get('bench');
    t.equal(check?.type, c.in);
    t.equal(check?.port, 18080);
    t.same([check?.intervalMs, check?.fastIntervalMs, check?.downIntervalMs, check?.timeoutMs], [5000, 5000, 5000, 1000], `${c.name}: timing`);
    t.same([check?.rise, check?.fall], [2, 3]);
    t.equal(check?.http?.path, c.want.path, `${c.name}: path`);
    t.equal(check?.http?.insecureSkipVerify, c.want.insecure, `${c.name}: certificate checks`);
    t.equal(check?.tcp !== undefined, c.want.tcp, `${c.name}: tcp params`);
    t.same([...load.config.backends.values()].map((b) => b.address), addresses, `${c.name}: every address, in order`);
    t.equal(new Set(referencedBackends(load.config)).size, addresses.length, `${c.name}: every backend in a frontend`);
    t.equal(load.config.frontends.size, Math.ceil(addresses.length / backendsPerFrontend));
  }
});
