import t from 'tap';
import {
  counterAfterCheckChange,
  counterMax,
  recordProbe,
  stepCounter,
  unknownStatus,
  type HealthState,
  type HealthStatus,
  type RiseFall,
} from '../../src/core/health-counter.js';
import { intervalKind, type IntervalKind } from '../../src/core/probe-interval.js';

t.test('Max = rise + fall - 1; unknown starts at rise - 1', async (t) => {
  const cases: Array<{ in: RiseFall; max: number; unknown: number }> = [
    { in: { rise: 1, fall: 1 }, max: 1, unknown: 0 },
    { in: { rise: 2, fall: 3 }, max: 4, unknown: 1 },
    { in: { rise: 3, fall: 2 }, max: 4, unknown: 2 },
    { in: { rise: 1, fall: 5 }, max: 5, unknown: 0 },
    { in: { rise: 100, fall: 100 }, max: 199, unknown: 99 },
  ];
  for (const c of cases) {
    t.equal(counterMax(c.in), c.max, `max ${JSON.stringify(c.in)}`);
    t.same(unknownStatus(c.in), { state: 'unknown', counter: c.unknown }, `unknown ${JSON.stringify(c.in)}`);
  }
});

t.test('stepCounter: ±1 with the HAProxy jumps', async (t) => {
  const rf23 = { rise: 2, fall: 3 }; // Max 4
  const rf32 = { rise: 3, fall: 2 }; // Max 4
  const cases: Array<{ name: string; rf: RiseFall; counter: number; ok: boolean; want: number }> = [
    { name: 'pass below rise-1 climbs by one', rf: rf32, counter: 0, ok: true, want: 1 },
    { name: 'pass reaching rise jumps to Max', rf: rf23, counter: 1, ok: true, want: 4 },
    { name: 'pass at rise jumps to Max', rf: rf23, counter: 2, ok: true, want: 4 },
    { name: 'pass at Max stays at Max', rf: rf23, counter: 4, ok: true, want: 4 },
    { name: 'fail from Max steps down', rf: rf23, counter: 4, ok: false, want: 3 },
    { name: 'fail staying >= rise steps down', rf: rf23, counter: 3, ok: false, want: 2 },
    { name: 'fail dropping below rise jumps to 0', rf: rf23, counter: 2, ok: false, want: 0 },
    { name: 'fail below rise goes to 0', rf: rf32, counter: 2, ok: false, want: 0 },
    { name: 'fail at 0 stays at 0', rf: rf23, counter: 0, ok: false, want: 0 },
    { name: 'rise=1 fall=1: pass from 0 → 1', rf: { rise: 1, fall: 1 }, counter: 0, ok: true, want: 1 },
    { name: 'rise=1 fall=1: fail from 1 → 0', rf: { rise: 1, fall: 1 }, counter: 1, ok: false, want: 0 },
  ];
  for (const c of cases) t.equal(stepCounter(c.counter, c.ok, c.rf), c.want, c.name);
});

t.test('worked example of the rise/fall counter (rise 2, fall 3), row by row with the next interval', async (t) => {
  const rf = { rise: 2, fall: 3 };
  const rows: Array<{ step: string; ok: boolean; counter: number; state: HealthState; next: IntervalKind }> = [
    { step: '1 pass', ok: true, counter: 4, state: 'up', next: 'interval' },
    { step: '2 fail', ok: false, counter: 3, state: 'up', next: 'fast' },
    { step: '3 pass', ok: true, counter: 4, state: 'up', next: 'interval' },
    { step: '4 fail', ok: false, counter: 3, state: 'up', next: 'fast' },
    { step: '5 fail', ok: false, counter: 2, state: 'up', next: 'fast' },
    { step: '6 fail', ok: false, counter: 0, state: 'down', next: 'down' },
    { step: '7 pass', ok: true, counter: 1, state: 'down', next: 'fast' },
    { step: '8 fail', ok: false, counter: 0, state: 'down', next: 'down' },
    { step: '9 pass', ok: true, counter: 1, state: 'down', next: 'fast' },
    { step: '10 pass', ok: true, counter: 4, state: 'up', next: 'interval' },
  ];
  let s: HealthStatus = unknownStatus(rf);
  t.same(s, { state: 'unknown', counter: 1 }, 'start');
  t.equal(intervalKind(s.state, s.counter, counterMax(rf)), 'fast', 'start: fast');
  for (const r of rows) {
    s = recordProbe(s, r.ok, rf);
    t.same(s, { state: r.state, counter: r.counter }, `step ${r.step}`);
    t.equal(intervalKind(s.state, s.counter, counterMax(rf)), r.next, `step ${r.step}: next interval`);
  }
});

t.test('from unknown one result decides (expedited unknown), for several rise/fall', async (t) => {
  const rfs: RiseFall[] = [
    { rise: 1, fall: 1 },
    { rise: 2, fall: 3 },
    { rise: 3, fall: 2 },
    { rise: 5, fall: 1 },
    { rise: 1, fall: 5 },
  ];
  for (const rf of rfs) {
    const name = JSON.stringify(rf);
    t.same(recordProbe(unknownStatus(rf), true, rf), { state: 'up', counter: counterMax(rf) }, `${name}: one pass → up at Max`);
    t.same(recordProbe(unknownStatus(rf), false, rf), { state: 'down', counter: 0 }, `${name}: one fail → down at 0`);
  }
});

t.test('any failure while unknown gives down even if the counter stays >= rise', async (t) => {
  // Only reachable with a counter above rise-1 in unknown (e.g. a hand-built status).
  const rf = { rise: 2, fall: 3 };
  t.same(recordProbe({ state: 'unknown', counter: 4 }, false, rf), { state: 'down', counter: 3 });
});

t.test('fall failures from fully up give down; rise passes from fully down give up', async (t) => {
  const rfs: RiseFall[] = [
    { rise: 1, fall: 1 },
    { rise: 2, fall: 3 },
    { rise: 3, fall: 2 },
    { rise: 4, fall: 6 },
  ];
  for (const rf of rfs) {
    const name = JSON.stringify(rf);
    let s: HealthStatus = { state: 'up', counter: counterMax(rf) };
    for (let i = 1; i < rf.fall; i++) s = recordProbe(s, false, rf);
    t.equal(s.state, 'up', `${name}: still up after fall-1 failures`);
    s = recordProbe(s, false, rf);
    t.same(s, { state: 'down', counter: 0 }, `${name}: down after fall failures`);
    for (let i = 1; i < rf.rise; i++) s = recordProbe(s, true, rf);
    t.equal(s.state, 'down', `${name}: still down after rise-1 passes`);
    s = recordProbe(s, true, rf);
    t.same(s, { state: 'up', counter: counterMax(rf) }, `${name}: up after rise passes`);
  }
});

t.test('alternating pass/fail does not flap (hysteresis)', async (t) => {
  const rf = { rise: 2, fall: 3 };
  let up: HealthStatus = { state: 'up', counter: 4 };
  let down: HealthStatus = { state: 'down', counter: 0 };
  for (let i = 0; i < 10; i++) {
    up = recordProbe(recordProbe(up, false, rf), true, rf);
    down = recordProbe(recordProbe(down, true, rf), false, rf);
    t.equal(up.state, 'up', `up stays up, round ${i}`);
    t.equal(down.state, 'down', `down stays down, round ${i}`);
  }
});

t.test('counter after a changed health-check definition', async (t) => {
  const cases: Array<{ state: HealthState; rf: RiseFall; want: number }> = [
    { state: 'up', rf: { rise: 2, fall: 3 }, want: 2 },
    { state: 'up', rf: { rise: 5, fall: 1 }, want: 5 },
    { state: 'down', rf: { rise: 2, fall: 3 }, want: 0 },
    { state: 'unknown', rf: { rise: 2, fall: 3 }, want: 1 },
    { state: 'unknown', rf: { rise: 1, fall: 1 }, want: 0 },
  ];
  for (const c of cases) t.equal(counterAfterCheckChange(c.state, c.rf), c.want, `${c.state} ${JSON.stringify(c.rf)}`);
  // The promise behind "rise if up": one failure of the new check takes it down, one pass confirms.
  const rf = { rise: 3, fall: 4 };
  const kept: HealthStatus = { state: 'up', counter: counterAfterCheckChange('up', rf) };
  t.same(recordProbe(kept, false, rf), { state: 'down', counter: 0 }, 'one failure → down');
  t.same(recordProbe(kept, true, rf), { state: 'up', counter: counterMax(rf) }, 'one pass → fully up');
});
