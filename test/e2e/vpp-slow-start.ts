// End to end: slow start. Health-checked HTTP backends on loopback drive the built maglevd
// against the VPP simulator, with `slow-start: 4s` and 4 steps on the health check. A backend
// that recovers comes back at a fifth of its weight and climbs in 4 lb_as_set_weight calls, one
// per second; the other backends are not touched. A restarted maglevd does not ramp the
// backends VPP already serves (restart neutrality), but does ramp one that was down.

import t from 'tap';
import { startBackends } from '../support/e2e-backends.js';
import { describeWrite, labConfig, spawnLabDaemon, startSimLab } from '../support/e2e-lab.js';

const [a, b, c] = ['127.77.16.1', '127.77.16.2', '127.77.16.3'];
const web = { prefix: '192.0.2.160/32', protocol: 6, port: 80 };
const vip = '192.0.2.160/32 6 80';

t.test('slow start: a recovering backend ramps in steps; a restart does not ramp what VPP serves', async (t) => {
  const lab = await startSimLab(t, { stats: false });
  const servers = await startBackends(t, [a, b, c]);
  const config = (lb: Record<string, string> = {}): string =>
    labConfig({
      checkPort: servers.port,
      lb,
      slowStart: { 'slow-start': '4s', 'slow-start-steps': 4 },
      backends: { a, b, c },
      frontends: { web: { address: '192.0.2.160', protocol: 'tcp', port: 80, pools: [['p', { a: 100, b: 100, c: 50 }]] } },
    });
  const first = await spawnLabDaemon(t, lab, config());
  // A fresh VPP: every backend comes up, ramps, and ends at its configured weight.
  await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100, [c]: 50 }), 'the configured weights after the first ramps', 20_000);

  await t.test('a recovering backend climbs in 4 steps, one per second', async (t) => {
    servers.setHealthy(b, false);
    await lab.until(() => lab.weights(web)?.[b] === 0, 'b drained');
    const mark = lab.requests.length;
    const started = first.next('backend-slow-start', { backend: 'b' });
    const stepsBefore = first.logs('backend-slow-start-step').length;
    servers.setHealthy(b, true);
    await started;
    await lab.until(() => lab.weights(web)?.[b] === 100, 'b back at 100', 15_000);
    const writes = lab.writes(mark).map(describeWrite);
    t.same(
      writes,
      [20, 40, 60, 80, 100].map((w) => `weight ${vip} ${b} w=${w} flush=false`),
      'the up transition at a fifth, then one lb_as_set_weight per step, nothing else',
    );
    // Logs are written asynchronously: the last step's line may trail its write to VPP.
    await lab.until(() => first.logs('backend-slow-start-step').length >= stepsBefore + 4, 'the fourth step logged', 5000);
    const at = lab.requests.slice(mark).filter((r) => r.name === 'lb_as_set_weight').map((r) => r.at);
    const gaps = at.slice(1).map((x, i) => x - at[i]!);
    t.ok(gaps.every((g) => g >= 800), `steps about a second apart: ${gaps.join(', ')} ms`);
    t.same(
      first
        .logs('backend-slow-start-step')
        .slice(stepsBefore)
        .map((l) => [l.backend, l.step]),
      [1, 2, 3, 4].map((s) => ['b', s]),
    );
  });

  await t.test('restart: backends VPP serves keep their weight; a backend that was down ramps', async (t) => {
    servers.setHealthy(c, false);
    await lab.until(() => lab.weights(web)?.[c] === 0, 'c drained');
    await first.d.stop('SIGTERM');
    servers.setHealthy(c, true);
    const mark = lab.requests.length;
    // A warmup long enough for every backend to be known before it ends (as in production).
    const second = await spawnLabDaemon(t, lab, config({ 'startup-min-delay': '1s', 'startup-max-delay': '5s' }));
    await lab.until(() => lab.weights(web)?.[c] === 50, 'c ramped to 50', 20_000);
    const writes = lab.writes(mark).map(describeWrite);
    t.notOk(writes.some((w) => w.includes(` ${a} `) || w.includes(` ${b} `)), `a and b untouched: ${writes.join('; ')}`);
    t.same(
      writes.filter((w) => w.includes(` ${c} `)),
      [10, 20, 30, 40, 50].map((w) => `weight ${vip} ${c} w=${w} flush=false`),
      'c ramps from a fifth',
    );
    await lab.until(() => second.logs('backend-slow-start-skipped').length >= 2, 'both skips logged', 5000);
    t.same(second.logs('backend-slow-start-skipped').map((l) => l.backend).sort(), ['a', 'b']);
  });
});
