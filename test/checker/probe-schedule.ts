// The probe schedule on a ManualClock: slots fire at their time in (time, set order), a set
// moves a slot, clear unschedules, one timer serves all (none when idle); with a quantum the
// firings are batched on multiples of the quantum and report how late each slot was, and
// while busy it keeps ticking (onTick) every quantum.

import t from 'tap';
import { ProbeSchedule } from '../../src/checker/probe-schedule.js';
import { ManualClock } from '../support/manual-clock.js';

interface Harness {
  readonly clock: ManualClock;
  readonly t0: number;
  readonly schedule: ProbeSchedule;
  /** "slot@ms-since-t0+late" per firing, and "tick@ms" per onTick. */
  readonly log: string[];
}

function harness(quantumMs = 0, busy?: () => boolean, t0 = 1_700_000_000_000): Harness {
  const clock = new ManualClock(t0);
  const log: string[] = [];
  const schedule = new ProbeSchedule({
    clock,
    quantumMs,
    busy,
    onTick: () => log.push(`tick@${clock.now() - t0}`),
    onDue: (slot, lateMs) => log.push(`${slot}@${clock.now() - t0}+${lateMs}`),
  });
  return { clock, t0, schedule, log };
}

const due = (log: readonly string[]): string[] => log.filter((l) => !l.startsWith('tick'));

t.test('exact times: ordered by due time, then by the order they were set', (t) => {
  const h = harness();
  const cases: Array<[slot: number, at: number]> = [
    [3, 30],
    [1, 10],
    [7, 10],
    [2, 20],
    [0, 10],
  ];
  for (const [slot, at] of cases) h.schedule.set(slot, h.t0 + at);
  t.equal(h.schedule.size, 5);
  t.equal(h.clock.pending, 1, 'one timer for all');
  h.clock.advance(100);
  t.same(due(h.log), ['1@10+0', '7@10+0', '0@10+0', '2@20+0', '3@30+0']);
  t.equal(h.schedule.size, 0);
  t.equal(h.clock.pending, 0, 'no timer once empty');
  t.end();
});

t.test('set moves a slot, clear unschedules it, has tells', (t) => {
  const h = harness();
  h.schedule.set(1, h.t0 + 50);
  h.schedule.set(2, h.t0 + 60);
  h.schedule.set(3, h.t0 + 70);
  h.schedule.set(3, h.t0 + 5); // earlier than the armed timer: re-armed
  h.schedule.set(1, h.t0 + 80); // later
  h.schedule.clear(2);
  h.schedule.clear(2); // twice is harmless
  h.schedule.clear(99); // never set
  t.same([h.schedule.has(1), h.schedule.has(2), h.schedule.has(3), h.schedule.has(99)], [true, false, true, false]);
  h.clock.advance(100);
  t.same(due(h.log), ['3@5+0', '1@80+0']);
  h.schedule.set(4, h.t0 + 200);
  h.schedule.clear(4);
  t.equal(h.clock.pending, 0, 'clearing the last slot disarms the timer');
  t.end();
});

t.test('a slot set while firing fires in the same pass when due', (t) => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const log: string[] = [];
  const schedule: ProbeSchedule = new ProbeSchedule({
    clock,
    onDue: (slot) => {
      log.push(`${slot}@${clock.now() - t0}`);
      if (slot === 1) schedule.set(2, clock.now());
      if (slot === 2) schedule.set(3, clock.now() + 10);
    },
  });
  schedule.set(1, t0 + 10);
  clock.advance(100);
  t.same(log, ['1@10', '2@10', '3@20']);
  t.end();
});

t.test('many slots: a heap order check against a sort', (t) => {
  const h = harness();
  const times = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
  times.forEach((at, slot) => h.schedule.set(slot, h.t0 + at));
  for (let slot = 0; slot < 500; slot += 3) h.schedule.clear(slot);
  h.clock.advance(2000);
  const want = times
    .map((at, slot) => ({ at, slot }))
    .filter(({ slot }) => slot % 3 !== 0)
    .sort((a, b) => a.at - b.at || a.slot - b.slot)
    .map(({ at, slot }) => `${slot}@${at}+0`);
  t.same(due(h.log), want);
  t.end();
});

t.test('quantum: firings on multiples of the quantum, at most one per quantum, lateness reported', (t) => {
  const cases = [
    { name: 'due between two ticks waits for the next', at: [3, 7, 19], want: ['0@20+17', '1@20+13', '2@20+1'] },
    { name: 'due on a tick fires on it', at: [20, 40], want: ['0@20+0', '1@40+0'] },
    { name: 'spread over two quanta', at: [1, 25, 39, 41], want: ['0@20+19', '1@40+15', '2@40+1', '3@60+19'] },
  ];
  for (const c of cases) {
    const h = harness(20);
    c.at.forEach((at, slot) => h.schedule.set(slot, h.t0 + at));
    h.clock.advance(100);
    t.same(due(h.log), c.want, c.name);
  }
  t.end();
});

t.test('quantum: busy keeps it ticking every quantum, idle stops it', (t) => {
  let busy = false;
  const h = harness(20, () => busy);
  h.schedule.set(0, h.t0 + 5);
  h.clock.advance(1);
  busy = true; // as if slot 0's probe were started and in flight
  h.clock.advance(70);
  t.same(h.log, ['tick@20', '0@20+15', 'tick@40', 'tick@60'], 'ticks while busy, with nothing due');
  busy = false;
  h.clock.advance(100);
  t.same(h.log.slice(4), ['tick@80'], 'the next tick sees it idle and arms no other');
  t.equal(h.clock.pending, 0);
  t.end();
});

t.test('without a quantum, busy is ignored', (t) => {
  const h = harness(0, () => true);
  h.schedule.set(0, h.t0 + 5);
  h.clock.advance(100);
  t.same(h.log, ['tick@5', '0@5+0']);
  t.equal(h.clock.pending, 0);
  t.end();
});
