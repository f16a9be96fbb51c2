import t from 'tap';
import { EventSubscribers, type CloseReason } from '../../src/control/event-subscribers.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('initial events first, then live ones, in order; pull with next()', async (t) => {
  const subs = new EventSubscribers<number>();
  const s = subs.subscribe({ peer: 'p1', initial: [1, 2] });
  subs.publish(3);
  t.equal(s.queued, 3);
  const got: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await s.next();
    if (!r.done) got.push(r.value);
  }
  t.same(got, [1, 2, 3]);
  const pending = s.next();
  subs.publish(4);
  t.same(await pending, { done: false, value: 4 }, 'a waiting next() gets the event directly');
  t.equal(s.queued, 0);
});

t.test('for await delivers until closed; leaving the loop closes the subscription', async (t) => {
  const subs = new EventSubscribers<string>();
  const reasons: CloseReason[] = [];
  const s = subs.subscribe({ peer: 'p', onClosed: (r) => reasons.push(r) });
  const got: string[] = [];
  const consumer = (async () => {
    for await (const ev of s) {
      got.push(ev);
      if (ev === 'stop') break;
    }
  })();
  subs.publish('a');
  subs.publish('b');
  subs.publish('stop');
  subs.publish('after');
  await consumer;
  await tick();
  t.same(got, ['a', 'b', 'stop']);
  t.equal(s.closedReason, 'closed');
  t.same(reasons, ['closed']);
  t.equal(subs.size, 0, 'detached');
  t.same(await s.next(), { done: true, value: undefined });
});

t.test('accept() filters before queueing', async (t) => {
  const subs = new EventSubscribers<number>({ queueLimit: 2 });
  const s = subs.subscribe({ peer: 'p', accept: (n) => n % 2 === 0 });
  for (let i = 1; i <= 5; i++) subs.publish(i);
  t.equal(s.queued, 2, 'only the even ones, so the limit is not reached');
  t.equal(s.closedReason, undefined);
});

t.test('a subscriber that falls behind is cut off; the producer and others carry on', async (t) => {
  const cutOff: Array<[string, number]> = [];
  const subs = new EventSubscribers<number>({ queueLimit: 3, onCutOff: (peer, queued) => cutOff.push([peer, queued]) });
  const reasons: CloseReason[] = [];
  const slow = subs.subscribe({ peer: 'slow:1', onClosed: (r) => reasons.push(r) });
  const fast = subs.subscribe({ peer: 'fast:1' });
  const fastGot: number[] = [];
  const consumer = (async () => {
    for await (const ev of fast) fastGot.push(ev);
  })();
  for (let i = 1; i <= 3; i++) subs.publish(i);
  t.equal(slow.closedReason, undefined, 'a full queue is still fine');
  subs.publish(4);
  t.equal(slow.closedReason, 'too-slow', 'overflow cuts it off at once');
  t.equal(slow.queued, 0, 'its queue is dropped');
  t.same(reasons, [], 'onClosed is asynchronous: the producer never runs consumer code');
  await tick();
  t.same(reasons, ['too-slow']);
  t.equal(subs.cutOffCount, 1);
  t.same(cutOff, [['slow:1', 3]], 'reported once, with what it had queued');
  t.same(await slow.next(), { done: true, value: undefined }, 'the iterator ends');
  subs.publish(5);
  subs.closeAll();
  await consumer;
  t.same(fastGot, [1, 2, 3, 4, 5], 'the fast subscriber lost nothing');
  t.equal(fast.closedReason, 'shutdown');
});

t.test('a waiting consumer is released when closed', async (t) => {
  const subs = new EventSubscribers<number>();
  const s = subs.subscribe({ peer: 'p' });
  const waiting = s.next();
  s.close();
  t.same(await waiting, { done: true, value: undefined });
  s.close();
  t.equal(s.closedReason, 'closed', 'close is idempotent');
});

t.test('re-entrant publish (a cut-off report fed back through a log tap) keeps one order', async (t) => {
  const tap: { subs?: EventSubscribers<string> } = {};
  const subs = new EventSubscribers<string>({ queueLimit: 1, onCutOff: () => tap.subs?.publish('log:event-drop') });
  tap.subs = subs;
  const slow = subs.subscribe({ peer: 'slow' });
  const a = subs.subscribe({ peer: 'a' });
  const got: string[] = [];
  const consumer = (async () => {
    for await (const ev of a) got.push(ev);
  })();
  subs.publish('x'); // fills slow
  await tick();
  subs.publish('y'); // cuts slow off; its event-drop is published re-entrantly
  await tick();
  subs.closeAll();
  await consumer;
  t.equal(slow.closedReason, 'too-slow');
  t.same(got, ['x', 'y', 'log:event-drop'], 'the nested event comes after the one being published');
});

t.test('default queue limit is 4096', async (t) => {
  const subs = new EventSubscribers<number>();
  const s = subs.subscribe({ peer: 'p' });
  for (let i = 0; i < 4096; i++) subs.publish(i);
  t.equal(s.closedReason, undefined);
  subs.publish(4096);
  t.equal(s.closedReason, 'too-slow');
});
