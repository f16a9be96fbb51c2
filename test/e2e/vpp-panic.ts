// End to end: the panic threshold. Health-checked HTTP backends on loopback drive the built
// maglevd against the VPP simulator. With `panic-threshold: 50`, losing half of the pool drains
// the failed backends as usual; losing more puts the frontend in panic, and every backend is
// programmed at its configured weight again (no black-holed VIP, no pile-up on the last one);
// when enough recover the frontend leaves panic and the down ones drain. Each edge is a log
// line, a WatchEvents frontend event, a metric and a field of GetFrontend.

import t from 'tap';
import { startBackends } from '../support/e2e-backends.js';
import { labConfig, metricSample, spawnLabDaemon, startSimLab } from '../support/e2e-lab.js';

const [a, b, c, d] = ['127.77.15.1', '127.77.15.2', '127.77.15.3', '127.77.15.4'];
const web = { prefix: '192.0.2.150/32', protocol: 6, port: 80 };

t.test('panic threshold: enter below the share, program every backend, leave when it recovers', async (t) => {
  const lab = await startSimLab(t, { stats: false });
  const servers = await startBackends(t, [a, b, c, d]);
  const config = labConfig({
    checkPort: servers.port,
    backends: { a, b, c, d },
    frontends: { web: { address: '192.0.2.150', protocol: 'tcp', port: 80, panicThreshold: 50, pools: [['primary', { a: 100, b: 100, c: 100, d: 50 }]] } },
  });
  const m = await spawnLabDaemon(t, lab, config);
  await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100, [c]: 100, [d]: 50 }), 'the initial weights');

  await t.test('down to half of the pool: the failed backends drain, no panic', async (t) => {
    servers.setHealthy(c, false);
    servers.setHealthy(d, false);
    await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100, [c]: 0, [d]: 0 }), 'c and d drained');
    const fe = await m.client.getFrontend({ name: 'web' });
    t.same([fe.panic, fe.panic_threshold], [false, 50]);
    t.equal(m.logs('frontend-panic-enter').length, 0);
  });

  await t.test('below half: panic programs every backend at its configured weight', async (t) => {
    const entered = m.next('frontend-panic-enter', { frontend: 'web' });
    servers.setHealthy(b, false);
    const line = await entered;
    t.equal(line.detail, '1 of 4 up in pool primary, below the 50% panic threshold');
    await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100, [c]: 100, [d]: 50 }), 'every backend at its configured weight');
    const fe = await m.client.getFrontend({ name: 'web' });
    t.equal(fe.panic, true);
    t.equal(fe.state, 'up');
    t.same(
      fe.pools[0]?.backends.map((x) => [x.name, x.state, x.effective_weight]),
      [
        ['a', 'up', 100],
        ['b', 'down', 100],
        ['c', 'down', 100],
        ['d', 'down', 50],
      ],
    );
    const metrics = await m.metrics();
    t.equal(metricSample(metrics, 'maglev_frontend_panic', { frontend: 'web' }), 1);
    t.equal(metricSample(metrics, 'maglev_frontend_panic_transitions_total', { frontend: 'web', event: 'enter' }), 1);
  });

  await t.test('back to 3 of 4: panic ends and the one still down drains', async (t) => {
    const left = m.next('frontend-panic-exit', { frontend: 'web' });
    servers.setHealthy(b, true);
    servers.setHealthy(c, true);
    await left;
    await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100, [c]: 100, [d]: 0 }), 'd drained again');
    t.equal((await m.client.getFrontend({ name: 'web' })).panic, false);
    const metrics = await m.metrics();
    t.equal(metricSample(metrics, 'maglev_frontend_panic', { frontend: 'web' }), 0);
    t.equal(metricSample(metrics, 'maglev_frontend_panic_transitions_total', { frontend: 'web', event: 'exit' }), 1);
  });
});
