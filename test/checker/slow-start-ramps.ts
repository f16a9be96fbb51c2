// The ramp timers: a step at every window/steps boundary, the end of a ramp on any other
// transition, adoption (restart neutrality), reloads, and shutdown.

import t from 'tap';
import { SlowStartRamps } from '../../src/checker/slow-start-ramps.js';
import type { RampLevel } from '../../src/core/slow-start.js';
import type { BackendState, TransitionRecord } from '../../src/shared/health.js';
import { ManualClock } from '../support/manual-clock.js';

const s = { windowMs: 40_000, steps: 4 };

function setup(): { clock: ManualClock; ramps: SlowStartRamps; steps: string[]; tr: (from: BackendState, to: BackendState) => TransitionRecord } {
  const clock = new ManualClock();
  const steps: string[] = [];
  const ramps = new SlowStartRamps(clock, (b, r: RampLevel) => steps.push(`${b} ${r.level}/${r.steps}@${clock.now() - t0}`));
  const t0 = clock.now();
  return { clock, ramps, steps, tr: (from, to) => ({ from, to, at: clock.now(), code: 'L7OK', detail: '' }) };
}

t.test('a ramp steps at each boundary and ends at the configured weight', async (t) => {
  const { clock, ramps, steps, tr } = setup();
  t.equal(ramps.onTransition('a', tr('down', 'up'), s), 'started');
  t.same(ramps.rampOf('a'), { level: 0, steps: 4 });
  clock.advance(9_999);
  t.same(steps, [], 'nothing before the first boundary');
  clock.advance(1);
  t.same(ramps.rampOf('a'), { level: 1, steps: 4 });
  clock.advance(30_000);
  t.same(steps, ['a 1/4@10000', 'a 2/4@20000', 'a 3/4@30000', 'a 4/4@40000']);
  t.equal(ramps.rampOf('a'), undefined, 'done: no ramp');
  t.equal(clock.pending, 0, 'no timer left');
});

t.test('no slow start, or a transition to anything but up: no ramp; leaving up ends one', async (t) => {
  const { clock, ramps, steps, tr } = setup();
  t.equal(ramps.onTransition('a', tr('unknown', 'up'), undefined), undefined);
  t.equal(ramps.onTransition('b', tr('unknown', 'down'), s), undefined);
  t.equal(ramps.onTransition('c', tr('down', 'up'), s), 'started');
  clock.advance(10_000);
  t.equal(ramps.onTransition('c', tr('up', 'down'), s), undefined);
  t.equal(ramps.rampOf('c'), undefined);
  clock.advance(60_000);
  t.same(steps, ['c 1/4@10000'], 'no step after the ramp ended');
  t.equal(clock.pending, 0);
  t.equal(ramps.onTransition('d', { from: 'down', to: 'up', at: clock.now() - 50_000, code: 'L4OK', detail: '' }, s), undefined, 'up a whole window ago');
});

t.test('a late timer catches up to the level of now', async (t) => {
  const { clock, ramps, steps, tr } = setup();
  ramps.onTransition('a', tr('down', 'up'), s);
  clock.advance(35_000); // the manual clock fires due timers in order, each at its own time
  t.same(steps, ['a 1/4@10000', 'a 2/4@20000', 'a 3/4@30000']);
  const late = setup();
  // A transition recorded 25 s before it reaches the ramps (a stalled loop): level 2 at once.
  late.ramps.onTransition('a', { from: 'down', to: 'up', at: late.clock.now() - 25_000, code: 'L4OK', detail: '' }, s);
  t.same(late.ramps.rampOf('a'), { level: 2, steps: 4 });
  late.clock.advance(5_000);
  t.same(late.steps, ['a 3/4@5000']);
});

t.test('adoption: backends VPP already serves start no ramp; a running one ends', async (t) => {
  const { clock, ramps, steps, tr } = setup();
  ramps.onTransition('running', tr('unknown', 'up'), s);
  t.same(ramps.adopt(['running', 'later', 'flaps']), ['running'], 'the running ramp ends and is returned');
  t.equal(ramps.rampOf('running'), undefined);
  t.equal(ramps.onTransition('later', tr('unknown', 'up'), s), 'adopted');
  t.equal(ramps.rampOf('later'), undefined);
  t.equal(ramps.onTransition('flaps', tr('unknown', 'down'), s), undefined, 'adoption is used up by the first transition');
  t.equal(ramps.onTransition('flaps', tr('down', 'up'), s), 'started', 'so a later up ramps');
  ramps.adopt(['late']);
  ramps.endAdoption();
  t.equal(ramps.onTransition('late', tr('unknown', 'up'), s), 'started', 'after the warmup nothing is adopted');
  clock.advance(0);
  t.same(steps, []);
  ramps.stop();
  t.equal(clock.pending, 0, 'stop clears every timer');
});

t.test('reconfigure: ramps follow the new settings or end', async (t) => {
  const { clock, ramps, steps, tr } = setup();
  ramps.onTransition('same', tr('down', 'up'), s);
  ramps.onTransition('longer', tr('down', 'up'), s);
  ramps.onTransition('gone', tr('down', 'up'), s);
  ramps.onTransition('shorter', tr('down', 'up'), s);
  ramps.onTransition('resteps', tr('down', 'up'), s);
  clock.advance(15_000); // every ramp at level 1
  steps.length = 0;
  const next: Record<string, { windowMs: number; steps: number }> = {
    same: s,
    longer: { windowMs: 150_000, steps: 4 }, // level 0 at 15 s
    shorter: { windowMs: 10_000, steps: 4 }, // past its window: done
    resteps: { windowMs: 40_000, steps: 8 }, // level 3 at 15 s
  };
  t.same(ramps.reconfigure((b) => next[b]), ['longer', 'gone', 'shorter', 'resteps']);
  t.same(
    ['same', 'longer', 'gone', 'shorter', 'resteps'].map((b) => ramps.rampOf(b)),
    [{ level: 1, steps: 4 }, { level: 0, steps: 4 }, undefined, undefined, { level: 3, steps: 8 }],
  );
  clock.advance(5_000);
  t.same(steps, ['same 2/4@20000', 'resteps 4/8@20000']);
});
