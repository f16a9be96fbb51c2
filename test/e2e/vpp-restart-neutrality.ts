// End to end: restart neutrality. A first maglevd programs the simulator and
// is stopped; VPP keeps the VIPs (shutdown never touches VPP). A second maglevd with a real
// warmup (min 1s, max 4s) starts against that state with every backend healthy: not one write
// reaches the simulator during the warmup or the first periodic sync after it, and no AS weight
// ever drops to 0, because frontends are only synced once all their backends are known.

import t from 'tap';
import { startBackends } from '../support/e2e-backends.js';
import { describeWrite, labConfig, spawnLabDaemon, startSimLab, type LabConfigSpec } from '../support/e2e-lab.js';

const a = '127.77.3.1';
const b = '127.77.3.2';
const c = '127.77.3.3';
const web = { prefix: '192.0.2.30/32', protocol: 6, port: 80 };
const api = { prefix: '192.0.2.31/32', protocol: 6, port: 443 };
const want = { web: { [a]: 100, [b]: 60 }, api: { [b]: 100, [c]: 100 } };

t.test('a restarted maglevd changes no AS weight during its warmup', async (t) => {
  const lab = await startSimLab(t, { stats: false });
  const servers = await startBackends(t, [a, b, c]);
  const spec = (lb: Record<string, string>): string =>
    labConfig({
      checkPort: servers.port,
      lb: { 'sync-interval': '1s', ...lb },
      backends: { a, b, c },
      frontends: {
        web: { address: '192.0.2.30', protocol: 'tcp', port: 80, pools: [['p', { a: 100, b: 60 }]] },
        api: { address: '192.0.2.31', protocol: 'tcp', port: 443, pools: [['p', { b: 100, c: 100 }]] },
      },
    } satisfies LabConfigSpec);
  const converged = (): boolean => lab.weightsAre(web, want.web) && lab.weightsAre(api, want.api);

  const first = await spawnLabDaemon(t, lab, spec({ 'startup-min-delay': '0s', 'startup-max-delay': '1s' }));
  await lab.until(converged, 'the first maglevd to program VPP');
  // lb_conf goes out with the first periodic full sync (the warmup's VIP releases do not send
  // it); wait for it, or the second maglevd's first full sync would legitimately write it.
  await lab.until(() => lab.requests.some((r) => r.name === 'lb_conf'), 'the first maglevd to push lb_conf');
  const beforeStop = lab.requests.length;
  t.equal(await first.d.stop('SIGTERM'), 0, 'the first maglevd exits cleanly');
  t.same(lab.writes(beforeStop).map(describeWrite), [], 'shutdown writes nothing');
  t.ok(converged(), 'VPP keeps the programmed state');

  // From here on, any weight of 0 is a black hole for new flows.
  let zeroSeen = '';
  const watch = setInterval(() => {
    for (const [name, key] of [['web', web], ['api', api]] as const) {
      const w = lab.weights(key);
      if (w === undefined || Object.keys(w).length !== 2 || Object.values(w).some((x) => x <= 0)) zeroSeen ||= `${name}: ${JSON.stringify(w)}`;
    }
  }, 5);
  t.teardown(() => clearInterval(watch));
  const mark = lab.requests.length;
  const second = await spawnLabDaemon(t, lab, spec({ 'startup-min-delay': '1s', 'startup-max-delay': '4s' }));

  await second.log('vpp-lb-warmup-start', { 'min-delay': '1s', 'max-delay': '4s' });
  const minElapsed = await second.log('vpp-lb-warmup-min-delay-elapsed');
  await second.log('vpp-lb-warmup-complete', {}, 8000);
  // The first periodic full sync after the warmup (only full syncs read lb_conf).
  const afterWarmup = lab.requests.length;
  await lab.until(() => lab.requests.slice(afterWarmup).some((r) => r.name === 'lb_conf_get'), 'a periodic full sync', 5000);
  await lab.until(() => lab.requests.slice(afterWarmup).some((r) => r.name === 'lb_as_v2_dump'), 'its state read', 2000);
  clearInterval(watch);

  t.same(lab.writes(mark).map(describeWrite), [], 'no write reached VPP');
  t.equal(zeroSeen, '', 'every AS kept a weight above 0 throughout');
  t.ok(converged(), 'the state is unchanged');
  const releases = second.logs('vpp-lb-warmup-release');
  t.same(releases.map((l) => l.frontend).sort(), ['api', 'web'], 'each frontend released once');
  t.ok(
    releases.every((l) => second.d.logs.indexOf(l) > second.d.logs.indexOf(minElapsed)),
    'releases only after the min-delay',
  );
  const reads = lab.requests.slice(mark).map((r) => r.name);
  t.ok(reads.includes('lb_vip_dump') && reads.includes('lb_as_v2_dump'), 'the release syncs read the state and found nothing to change');
  t.same(second.logs('vpp-lb-sync-done'), [], 'no sync run with changes');
});
