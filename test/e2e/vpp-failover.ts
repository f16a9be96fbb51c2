// End to end: health-checked HTTP backends on loopback drive the built maglevd's reconciler
// against the VPP simulator. A failing backend drains to weight 0 with a flush of its sticky
// flows; when the whole primary pool fails the standby pool takes over (capacity added before it
// is removed), and when the primaries recover traffic moves back, draining the standby gently.

import t from 'tap';
import { startBackends } from '../support/e2e-backends.js';
import { describeWrite, labConfig, spawnLabDaemon, startSimLab } from '../support/e2e-lab.js';

const a = '127.77.2.10';
const b = '127.77.2.2';
const c = '127.77.2.3';
const web = { prefix: '192.0.2.20/32', protocol: 6, port: 80 };
const vip = '192.0.2.20/32 6 80';

t.test('backend failure, failover to the standby pool and back', async (t) => {
  const lab = await startSimLab(t, { stats: false });
  const servers = await startBackends(t, [a, b, c]);
  const config = labConfig({
    checkPort: servers.port,
    backends: { a, b, c },
    frontends: { web: { address: '192.0.2.20', protocol: 'tcp', port: 80, pools: [['primary', { a: 100, b: 100 }], ['standby', { c: 100 }]] } },
  });
  const m = await spawnLabDaemon(t, lab, config);
  const flows = (address: string): number => {
    const as = lab.sim.model.findVip(web)?.ases.find((x) => x.address === address);
    return as === undefined ? -1 : lab.sim.model.flows(as);
  };

  await t.test('converges to the primaries with the standby at weight 0', async (t) => {
    await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100, [c]: 0 }), 'the initial weights');
    // All released (complete), or the 1 s watchdog on a slow start: the warmup is over either way.
    await m.d.waitForLog((l) => l.msg === 'vpp-lb-warmup-complete' || l.msg === 'vpp-lb-warmup-max-delay-elapsed');
    t.pass('converged');
  });

  await t.test('a failing backend drains to weight 0 and its sticky flows are flushed', async (t) => {
    lab.sim.simulateTraffic({ vip: web, newFlows: 64 });
    t.ok(flows(a) > 0 && flows(b) > 0, 'both primaries hold sticky flows');
    const keptOnA = flows(a);
    const mark = lab.requests.length;
    servers.setHealthy(b, false);
    await lab.until(() => lab.weights(web)?.[b] === 0, 'b at weight 0');
    t.same(lab.writes(mark).map(describeWrite), [`weight ${vip} ${b} w=0 flush=true`]);
    t.equal(flows(b), 0, "b's sticky flows are gone");
    t.equal(flows(a), keptOnA, "a's are untouched");
    t.same(lab.weights(web), { [a]: 100, [b]: 0, [c]: 0 });
    await m.log('vpp-lb-as-weight', { address: b, to: 0, flush: true });
  });

  await t.test('the whole primary pool down: the standby takes over before the last primary is drained', async (t) => {
    const mark = lab.requests.length;
    servers.setHealthy(a, false);
    await lab.until(() => lab.weights(web)?.[a] === 0, 'a at weight 0');
    t.same(lab.writes(mark).map(describeWrite), [
      `weight ${vip} ${c} w=100 flush=false`,
      // b is still down with flush-on-down: a flush-only call, numeric order before a.
      `weight ${vip} ${b} w=0 flush=true`,
      `weight ${vip} ${a} w=0 flush=true`,
    ]);
    t.same(lab.weights(web), { [a]: 0, [b]: 0, [c]: 100 });
    const fe = await m.client.getFrontend({ name: 'web' });
    t.equal(fe.state, 'up', 'the frontend still serves');
  });

  await t.test('the primaries recover: traffic moves back and the standby drains without a flush', async (t) => {
    lab.sim.simulateTraffic({ vip: web, newFlows: 16 });
    t.ok(flows(c) > 0, 'the standby holds sticky flows');
    const mark = lab.requests.length;
    servers.setHealthy(a, true);
    servers.setHealthy(b, true);
    await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100, [c]: 0 }), 'the primaries back');
    const writes = lab.writes(mark).map(describeWrite);
    const drain = writes.indexOf(`weight ${vip} ${c} w=0 flush=false`);
    t.ok(drain > 0, `the standby drained after a primary came back: ${writes.join('; ')}`);
    t.match(writes[0], new RegExp(`^weight ${vip} 127\\.77\\.2\\.(10|2) w=100 flush=false$`), 'a primary first');
    t.equal(writes.filter((w) => w.includes(`w=100 flush=false`)).length, 2, 'each primary raised once');
    t.notOk(
      writes.some((w) => w.includes(` ${c} `) && w.includes('flush=true')),
      'the standby is never flushed',
    );
    t.ok(flows(c) > 0, "the standby's established flows continue");
  });

  t.ok(m.alive());
});
