// WatchEvents against the REAL daemon, with a grpc-js client on the proto as
// src/api/maglev-proto.ts loads it: the snapshot (backends sorted, then frontends, from == to),
// then live transitions caused by failing and repairing real HTTP backends (backend events,
// the frontend going down and up, pool failover in VPP), kind filters, and debug log records
// delivered to a subscriber while the daemon's stdout stays at info.

import t from 'tap';
import type { Event } from '../../src/api/maglev-messages.js';
import { checkedBackends, startControlPlaneLab, webVip } from '../support/control-plane-lab.js';
import { describeEvent } from '../support/e2e-grpc-client.js';

const webKey = `${webVip.prefix} ${webVip.protocol} ${webVip.port}`;

const isBackend = (name: string, from: string, to: string) => (ev: Event) =>
  ev.backend?.backend_name === name && ev.backend.transition?.from === from && ev.backend.transition.to === to;
const isFrontend = (name: string, from: string, to: string) => (ev: Event) =>
  ev.frontend?.frontend_name === name && ev.frontend.transition?.from === from && ev.frontend.transition.to === to;

void t.test('WatchEvents: snapshot, then transitions caused by failing backends', async (t) => {
  const lab = await startControlPlaneLab(t);
  const { rpc, backends } = lab;
  await lab.allUp();
  await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be2] === 50, 'the web VIP programmed');

  const all = rpc.watch({});
  const backendOnly = rpc.watch({ log: false, frontend: false });
  const debug = rpc.watch({ backend: false, frontend: false, log_level: 'debug' });

  // Snapshot: 4 backends sorted, then 2 frontends sorted, each with from == to.
  await all.next(isFrontend('web', 'up', 'up'));
  t.same(all.events.slice(0, 6).map(describeEvent), [
    'backend be1 up->up',
    'backend be2 up->up',
    'backend be3 up->up',
    'backend static1 up->up',
    'frontend all up->up',
    'frontend web up->up',
  ]);
  t.match(all.events[0]?.backend?.transition, { code: 'L7OK' }, 'snapshot carries the latest transition code');
  t.match(all.events[3]?.backend?.transition, { code: 'L7OK', detail: 'static backend' });
  const live = 6;

  // be1 answers 503: it goes down (fall 2), be2 keeps pool primary active.
  backends.setHealthy(checkedBackends.be1, false);
  const be1Down = await all.next(isBackend('be1', 'up', 'down'), 10_000, live);
  t.match(be1Down.backend?.transition, { code: 'L7STS' });
  t.match(await all.next((ev) => ev.log?.msg === 'backend-transition' && ev.log.attrs.some((a) => a.key === 'backend' && a.value === 'be1'), 10_000, live), {
    log: { level: 'info' },
  });
  await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be1] === 0, 'be1 drained in VPP');

  // be2 fails too: the fallback pool (be3) takes over, the frontend stays up.
  backends.setHealthy(checkedBackends.be2, false);
  await all.next(isBackend('be2', 'up', 'down'), 10_000, live);
  await lab.until(() => JSON.stringify(lab.vips()[webKey]) === JSON.stringify({ [checkedBackends.be1]: 0, [checkedBackends.be2]: 0, [checkedBackends.be3]: 100 }), 'failover to be3 in VPP');
  const f = await rpc.call('GetFrontend', { name: 'web' });
  t.same(f.pools.map((p) => p.active), [false, true], 'fallback pool active');

  // be3 fails: nothing is up, the frontend goes down; be1 recovers: it comes back up.
  backends.setHealthy(checkedBackends.be3, false);
  await all.next(isFrontend('web', 'up', 'down'), 10_000, live);
  backends.setHealthy(checkedBackends.be1, true);
  await all.next(isBackend('be1', 'down', 'up'), 10_000, live);
  await all.next(isFrontend('web', 'down', 'up'), 10_000, live);
  await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be1] === 100, 'be1 serving again in VPP');

  // The frontend's live events came in causal order.
  const order = all.events.slice(live).filter((ev) => ev.frontend?.frontend_name === 'web').map(describeEvent);
  t.same(order, ['frontend web up->down', 'frontend web down->up']);

  // The backend-only stream saw the same backend transitions and nothing else.
  await backendOnly.next(isBackend('be1', 'down', 'up'));
  t.ok(
    backendOnly.events.every((ev) => ev.backend !== undefined && ev.backend !== null),
    'only backend events',
  );
  const liveBackend = (evs: Event[]) => evs.filter((ev) => ev.backend && ev.backend.transition?.from !== ev.backend.transition?.to).map(describeEvent);
  t.same(liveBackend(backendOnly.events), liveBackend(all.events.slice(live)).slice(0, liveBackend(backendOnly.events).length));

  // The debug subscriber gets probe records although stdout is at info.
  const probe = await debug.next((ev) => ev.log?.msg === 'probe-done');
  t.equal(probe.log?.level, 'debug');
  t.ok(probe.log?.attrs.some((a) => a.key === 'backend'));
  t.notOk(lab.d.logs.some((l) => l.msg === 'probe-done'), 'stdout stays at info');
  t.ok(debug.events.every((ev) => ev.log !== undefined && ev.log !== null), 'only log events');
});
