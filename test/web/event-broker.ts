import t from 'tap';
import { EventBroker, planReplay, wantsEvent, type BrokerEvent, type SseEventType } from '../../src/web/event-broker.js';
import { ManualClock } from '../support/manual-clock.js';

const E = 1_700_000_000_000;
const ev = (seq: number, type: SseEventType = 'backend'): BrokerEvent => ({ seq, id: `${E}-${seq}`, at: E, type, data: '{}' });

t.test('planReplay decides replay, nothing or resync', async (t) => {
  const ring = [ev(5), ev(6), ev(7)];
  const cases: Array<{ name: string; ring: BrokerEvent[]; last: number; id: string | undefined; want: string }> = [
    { name: 'no Last-Event-ID: fresh page', ring, last: 7, id: undefined, want: 'fresh' },
    { name: 'empty Last-Event-ID: fresh page', ring, last: 7, id: '', want: 'fresh' },
    { name: 'up to date', ring, last: 7, id: `${E}-7`, want: 'replay:' },
    { name: 'missed the newest', ring, last: 7, id: `${E}-6`, want: 'replay:7' },
    { name: 'missed all held events', ring, last: 7, id: `${E}-4`, want: 'replay:5,6,7' },
    { name: 'gap: event 4 was evicted', ring, last: 7, id: `${E}-3`, want: 'resync' },
    { name: 'other epoch (frontend restarted)', ring, last: 7, id: `${E - 1}-6`, want: 'resync' },
    { name: 'id from the future', ring, last: 7, id: `${E}-9`, want: 'resync' },
    { name: 'garbage id', ring, last: 7, id: 'hello', want: 'resync' },
    { name: 'quiet period: ring expired, nothing new', ring: [], last: 7, id: `${E}-7`, want: 'replay:' },
    { name: 'ring expired and events missed', ring: [], last: 7, id: `${E}-6`, want: 'resync' },
  ];
  for (const c of cases) {
    const p = planReplay(c.ring, E, c.last, c.id);
    const got = p.kind === 'replay' ? `replay:${p.events.map((e) => e.seq).join(',')}` : p.kind;
    t.equal(got, c.want, c.name);
  }
});

t.test('wantsEvent keeps log events for admin streams', async (t) => {
  t.equal(wantsEvent(false, 'log'), false);
  t.equal(wantsEvent(true, 'log'), true);
  t.equal(wantsEvent(false, 'backend'), true);
});

t.test('broker numbers events <epoch>-<seq> and fans out by stream kind', async (t) => {
  const clock = new ManualClock(E);
  const b = new EventBroker({ clock });
  t.equal(b.epoch, E);
  t.equal(b.lastId, `${E}-0`);
  const view: string[] = [];
  const admin: string[] = [];
  b.subscribe({ admin: false, send: (e) => view.push(`${e.id} ${e.type}`) }, undefined);
  const sub = b.subscribe({ admin: true, send: (e) => admin.push(`${e.id} ${e.type}`) }, undefined);
  b.publish('backend', { a: 1 });
  b.publish('log', { msg: 'x' });
  t.same(view, [`${E}-1 backend`]);
  t.same(admin, [`${E}-1 backend`, `${E}-2 log`]);
  t.equal(b.lastId, `${E}-2`);
  t.equal(b.ring()[0]!.data, '{"a":1}');
  sub.unsubscribe();
  b.publish('frontend', {});
  t.equal(admin.length, 2, 'unsubscribed stream gets nothing');
  t.equal(b.subscriberCount, 1);
});

t.test('the ring holds at most maxEvents and at most maxAgeMs', async (t) => {
  const clock = new ManualClock(E);
  const b = new EventBroker({ clock, maxEvents: 3, maxAgeMs: 30_000 });
  for (let i = 0; i < 5; i++) b.publish('probe', { i });
  t.same(
    b.ring().map((e) => e.seq),
    [3, 4, 5],
    'count cap',
  );
  clock.advance(20_000);
  b.publish('probe', {});
  clock.advance(15_000);
  t.same(
    b.ring().map((e) => e.seq),
    [6],
    'events older than 30 s dropped',
  );
  // A browser that saw seq 4 lost event 5: resync. One that saw 5 gets 6 replayed.
  t.equal(b.subscribe({ admin: false, send: () => {} }, `${E}-4`).plan.kind, 'resync');
  const p = b.subscribe({ admin: false, send: () => {} }, `${E}-5`).plan;
  t.same(p.kind === 'replay' ? p.events.map((e) => e.seq) : p.kind, [6]);
});

t.test('replay to a view stream leaves out log events', async (t) => {
  const b = new EventBroker({ clock: new ManualClock(E) });
  b.publish('backend', {});
  b.publish('log', {});
  b.publish('frontend', {});
  const view = b.subscribe({ admin: false, send: () => {} }, `${E}-1`).plan;
  const admin = b.subscribe({ admin: true, send: () => {} }, `${E}-1`).plan;
  t.same(view.kind === 'replay' ? view.events.map((e) => e.type) : view.kind, ['frontend']);
  t.same(admin.kind === 'replay' ? admin.events.map((e) => e.type) : admin.kind, ['log', 'frontend']);
});
