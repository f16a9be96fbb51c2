import t from 'tap';
import { SyncQueue, type Runnable, type SyncJob, type Waiter } from '../../src/sync/queue.js';
import { backendEvent } from '../support/fake-checker-events.js';

const open: Runnable = { all: true, vip: () => true };
const only = (...frontends: string[]): Runnable => ({ all: false, vip: (f) => frontends.includes(f) });

function waiter(log: string[], name: string): Waiter {
  return { resolve: () => log.push(`${name} ok`), reject: () => log.push(`${name} err`) };
}

/** A job as one line: scope, frontend, sorted hints, waiter count, origins. */
function show(j: SyncJob | undefined): string {
  if (j === undefined) return 'none';
  if (j.scope === 'all') {
    const h = [...j.hints].map(([f, s]) => `${f}=${[...s].sort().join('+')}`).sort();
    return `all [${h.join(' ')}] w${j.waiters.length}`;
  }
  return `vip ${j.frontend} [${[...j.hints].sort().join('+')}] w${j.waiters.length} ${[...j.origins].sort().join('+')}`;
}

void t.test('take order and merging', (t) => {
  const cases: Array<{ name: string; fill: (q: SyncQueue, w: (n: string) => Waiter) => void; can: Runnable; want: string[] }> = [
    {
      name: 'VIP requests run oldest first; one frontend merges hints, waiters and origins',
      fill: (q, w) => {
        q.addVip('b', { origin: 'event', event: backendEvent(['b']) });
        q.addVip('a', { origin: 'request', hints: ['10.0.0.1'], waiter: w('a1') });
        q.addVip('b', { origin: 'request', hints: ['10.0.0.9', '10.0.0.1'], waiter: w('b1') });
      },
      can: open,
      want: ['vip b [10.0.0.1+10.0.0.9] w1 event+request', 'vip a [10.0.0.1] w1 request', 'none'],
    },
    {
      name: 'a pending full sync goes first and takes every VIP request with it but those of events alone',
      fill: (q, w) => {
        q.addVip('a', { origin: 'request', hints: ['10.0.0.1'], waiter: w('a') });
        q.addAll(w('all'));
        q.addVip('b', { origin: 'event' });
        q.addVip('c', { origin: 'event' });
        q.addVip('c', { origin: 'request' });
        q.addAll();
      },
      can: open,
      want: ['all [a=10.0.0.1] w2', 'vip b [] w0 event', 'none'],
    },
    {
      name: 'a closed gate holds the full sync and unreleased frontends',
      fill: (q) => {
        q.addAll();
        q.addVip('a', { origin: 'request' });
        q.addVip('b', { origin: 'release' });
      },
      can: only('b'),
      want: ['vip b [] w0 release', 'none'],
    },
    {
      name: 'hints are canonical; junk hints are dropped',
      fill: (q) => q.addVip('a', { origin: 'request', hints: ['2001:DB8:0::1', 'not-an-ip'] }),
      can: open,
      want: ['vip a [2001:db8::1] w0 request'],
    },
  ];
  for (const c of cases) {
    const q = new SyncQueue();
    c.fill(q, (n) => waiter([], n));
    const got: string[] = [];
    for (let i = 0; i < c.want.length; i++) got.push(show(q.take(c.can)));
    t.same(got, c.want, c.name);
  }
  t.end();
});

void t.test('the latest event is kept for error logs', (t) => {
  const q = new SyncQueue();
  q.addVip('a', { origin: 'event', event: backendEvent(['a'], 'x', 'up', 'down') });
  q.addVip('a', { origin: 'event', event: backendEvent(['a'], 'y', 'down', 'up') });
  const j = q.take(open);
  t.equal(j?.scope === 'vip' ? j.event?.backend : undefined, 'y');
  t.end();
});

void t.test('hasRunnable and clear', (t) => {
  const log: string[] = [];
  const q = new SyncQueue();
  t.notOk(q.hasRunnable(open), 'empty');
  q.addVip('a', { origin: 'request', waiter: waiter(log, 'a') });
  q.addAll(waiter(log, 'all'));
  t.notOk(q.hasRunnable(only('b')), 'nothing the gate allows');
  t.ok(q.hasRunnable(only('a')));
  for (const w of q.clear()) w.reject(new Error('x'));
  t.same(log.sort(), ['a err', 'all err']);
  t.notOk(q.hasRunnable(open), 'cleared');
  t.end();
});

void t.test('takeEventVips: every runnable request that only events asked for, oldest first; events kept', (t) => {
  const q = new SyncQueue();
  const e1 = backendEvent(['c'], 'x', 'up', 'down');
  const e2 = backendEvent(['c'], 'y', 'up', 'down');
  q.addVip('a', { origin: 'event', event: backendEvent(['a']) });
  q.addVip('b', { origin: 'request' });
  q.addVip('c', { origin: 'event', event: e1 });
  q.addVip('c', { origin: 'event', event: e2 });
  q.addVip('d', { origin: 'event' });
  q.addVip('e', { origin: 'event' });
  q.addVip('e', { origin: 'release' });
  const jobs = q.takeEventVips(only('a', 'b', 'c', 'e'));
  t.same(jobs.map(show), ['vip a [] w0 event', 'vip c [] w0 event'], 'd is held by the gate, b and e were also asked for otherwise');
  t.equal(jobs[1]?.events.length, 2, 'every event of a merged request');
  t.equal(jobs[1]?.event, e2, 'the latest one for error logs');
  t.same([show(q.take(open)), show(q.take(open)), show(q.take(open)), show(q.take(open))], ['vip b [] w0 request', 'vip d [] w0 event', 'vip e [] w0 event+release', 'none']);
  q.addVip('a', { origin: 'event', event: e1 });
  q.addVip('a', { origin: 'request' });
  q.addVip('b', { origin: 'event', event: e2 });
  q.addAll();
  const all = q.take(open);
  t.same(all?.scope === 'all' ? [...all.events.keys()] : [], ['a'], 'a full sync carries the events of the requests it covers');
  t.same(q.takeEventVips(open).map(show), ['vip b [] w0 event'], 'a request of events alone stays queued for the slot the full sync lends');
  t.end();
});
