import t from 'tap';
import { BackendMachine } from '../../src/core/backend-machine.js';
import { isDaemonError, type ErrorCode } from '../../src/shared/errors.js';
import type { BackendState, TransitionRecord } from '../../src/shared/health.js';

const okR = { ok: true, code: 'L4OK', detail: 'connected' } as const;
const failR = { ok: false, code: 'L4CON', detail: 'connect: ECONNREFUSED' } as const;

function machine(opts: { rise?: number; fall?: number; enabled?: boolean; history?: number } = {}): BackendMachine {
  return new BackendMachine({ name: 'b1', rise: opts.rise ?? 2, fall: opts.fall ?? 3, enabled: opts.enabled ?? true, historySize: opts.history ?? 10 });
}

/** A machine brought into `state` through the public API. */
function machineIn(state: BackendState): BackendMachine {
  const m = machine();
  switch (state) {
    case 'unknown':
      break;
    case 'up':
      m.record(okR, 1);
      break;
    case 'down':
      m.record(failR, 1);
      break;
    case 'paused':
      m.pause(1);
      break;
    case 'disabled':
      m.disable(1);
      break;
    case 'removed':
      m.remove(1);
      break;
  }
  if (m.state !== state) throw new Error(`setup failed for ${state}`);
  return m;
}

t.test('initial state', async (t) => {
  const a = machine();
  t.same([a.state, a.counter, a.enabled, a.max], ['unknown', 1, true, 4]);
  t.same(a.history(), []);
  const d = machine({ enabled: false });
  t.same([d.state, d.enabled], ['disabled', false]);
});

t.test('worked example drives transitions only where the state changes', async (t) => {
  const m = machine();
  const steps: Array<{ ok: boolean; counter: number; state: BackendState; transition?: [BackendState, BackendState] }> = [
    { ok: true, counter: 4, state: 'up', transition: ['unknown', 'up'] },
    { ok: false, counter: 3, state: 'up' },
    { ok: true, counter: 4, state: 'up' },
    { ok: false, counter: 3, state: 'up' },
    { ok: false, counter: 2, state: 'up' },
    { ok: false, counter: 0, state: 'down', transition: ['up', 'down'] },
    { ok: true, counter: 1, state: 'down' },
    { ok: false, counter: 0, state: 'down' },
    { ok: true, counter: 1, state: 'down' },
    { ok: true, counter: 4, state: 'up', transition: ['down', 'up'] },
  ];
  steps.forEach((s, i) => {
    const tr = m.record(s.ok ? okR : failR, 100 + i);
    t.same([m.counter, m.state], [s.counter, s.state], `step ${i + 1}`);
    if (s.transition === undefined) t.equal(tr, undefined, `step ${i + 1}: no transition`);
    else t.same(tr, { from: s.transition[0], to: s.transition[1], at: 100 + i, code: s.ok ? 'L4OK' : 'L4CON', detail: s.ok ? 'connected' : 'connect: ECONNREFUSED' }, `step ${i + 1}: transition`);
  });
  t.same(
    m.history().map((h) => `${h.from}>${h.to}@${h.at}`),
    ['down>up@109', 'up>down@105', 'unknown>up@100'],
    'history newest first',
  );
  t.same(m.latestTransition(), m.history()[0], 'the latest transition is the newest history entry');
  t.equal(machine().latestTransition(), undefined, 'none before the first transition');
});

t.test('the detail of a result is read only when the state changes', async (t) => {
  const m = machine();
  let reads = 0;
  const result = (ok: boolean) => ({
    ok,
    code: ok ? ('L4OK' as const) : ('L4CON' as const),
    get detail(): string {
      reads++;
      return ok ? 'connected' : 'refused';
    },
  });
  const cases = [
    { name: 'unknown > up', ok: true, reads: 1 },
    { name: 'up stays up', ok: true, reads: 1 },
    { name: 'up, degraded', ok: false, reads: 1 },
    { name: 'up, degraded further', ok: false, reads: 1 },
    { name: 'up > down', ok: false, reads: 2 },
  ];
  for (const c of cases) {
    m.record(result(c.ok), 1);
    t.equal(reads, c.reads, c.name);
  }
});

t.test('results are ignored while paused, disabled or removed', async (t) => {
  for (const state of ['paused', 'disabled', 'removed'] as const) {
    const m = machineIn(state);
    const before = [m.state, m.counter, m.history().length];
    t.equal(m.record(okR, 50), undefined, `${state}: pass ignored`);
    t.equal(m.record(failR, 51), undefined, `${state}: fail ignored`);
    t.same([m.state, m.counter, m.history().length], before, `${state}: unchanged`);
  }
});

type Action = 'pause' | 'resume' | 'disable' | 'enable';

t.test('operator actions (table)', async (t) => {
  const cases: Array<{
    from: BackendState;
    action: Action;
    want?: { state: BackendState; code?: TransitionRecord['code']; enabled: boolean; counter?: number };
    error?: ErrorCode;
  }> = [
    { from: 'unknown', action: 'pause', want: { state: 'paused', code: 'paused', enabled: true } },
    { from: 'up', action: 'pause', want: { state: 'paused', code: 'paused', enabled: true } },
    { from: 'down', action: 'pause', want: { state: 'paused', code: 'paused', enabled: true } },
    { from: 'paused', action: 'pause', want: { state: 'paused', enabled: true } },
    { from: 'disabled', action: 'pause', error: 'FAILED_PRECONDITION' },
    { from: 'paused', action: 'resume', want: { state: 'unknown', code: 'resumed', enabled: true, counter: 1 } },
    { from: 'unknown', action: 'resume', want: { state: 'unknown', enabled: true } },
    { from: 'up', action: 'resume', want: { state: 'up', enabled: true } },
    { from: 'down', action: 'resume', want: { state: 'down', enabled: true } },
    { from: 'disabled', action: 'resume', error: 'FAILED_PRECONDITION' },
    { from: 'unknown', action: 'disable', want: { state: 'disabled', code: 'disabled', enabled: false } },
    { from: 'up', action: 'disable', want: { state: 'disabled', code: 'disabled', enabled: false } },
    { from: 'down', action: 'disable', want: { state: 'disabled', code: 'disabled', enabled: false } },
    { from: 'paused', action: 'disable', want: { state: 'disabled', code: 'disabled', enabled: false } },
    { from: 'disabled', action: 'disable', want: { state: 'disabled', enabled: false } },
    { from: 'disabled', action: 'enable', want: { state: 'unknown', code: 'enabled', enabled: true, counter: 1 } },
    { from: 'unknown', action: 'enable', want: { state: 'unknown', enabled: true } },
    { from: 'up', action: 'enable', want: { state: 'up', enabled: true } },
    { from: 'down', action: 'enable', want: { state: 'down', enabled: true } },
    { from: 'paused', action: 'enable', want: { state: 'paused', enabled: true } },
    { from: 'removed', action: 'pause', error: 'FAILED_PRECONDITION' },
    { from: 'removed', action: 'resume', error: 'FAILED_PRECONDITION' },
    { from: 'removed', action: 'disable', error: 'FAILED_PRECONDITION' },
    { from: 'removed', action: 'enable', error: 'FAILED_PRECONDITION' },
  ];
  for (const c of cases) {
    const name = `${c.action} from ${c.from}`;
    const m = machineIn(c.from);
    const historyBefore = m.history().length;
    if (c.error !== undefined) {
      t.throws(() => m[c.action](1000), { name: 'DaemonError', code: c.error }, name);
      t.equal(m.state, c.from, `${name}: state unchanged after error`);
      continue;
    }
    const tr = m[c.action](1000);
    t.equal(m.state, c.want!.state, `${name}: state`);
    t.equal(m.enabled, c.want!.enabled, `${name}: enabled`);
    if (c.want!.code === undefined) {
      t.equal(tr, undefined, `${name}: no transition`);
      t.equal(m.history().length, historyBefore, `${name}: history unchanged`);
    } else {
      t.same([tr?.from, tr?.to, tr?.code, tr?.at], [c.from, c.want!.state, c.want!.code, 1000], `${name}: transition`);
      t.equal(m.history()[0], tr, `${name}: recorded in history`);
      t.equal(m.history().length, historyBefore + 1, `${name}: history kept`);
    }
    if (c.want!.counter !== undefined) t.equal(m.counter, c.want!.counter, `${name}: counter rise-1`);
  }
});

t.test('enable repairs a flag/state mismatch in either direction', async (t) => {
  const m = machineIn('up');
  m.disable(1);
  m.enable(2);
  t.same([m.state, m.enabled], ['unknown', true]);
  const d = machine({ enabled: false });
  t.same(d.disable(3), undefined, 'disable of a disabled backend: no duplicate transition');
  t.equal(d.enabled, false);
});

t.test('resume and enable use expedited unknown: one result decides', async (t) => {
  for (const via of ['resume', 'enable'] as const) {
    const m = machineIn(via === 'resume' ? 'paused' : 'disabled');
    m[via](5);
    t.equal(m.record(failR, 6)?.to, 'down', `${via}: one fail → down`);
    const m2 = machineIn(via === 'resume' ? 'paused' : 'disabled');
    m2[via](5);
    t.equal(m2.record(okR, 6)?.to, 'up', `${via}: one pass → up`);
  }
});

t.test('reload: changed health-check definition keeps state', async (t) => {
  const cases: Array<{ from: BackendState; rf: { rise: number; fall: number }; counter: number }> = [
    { from: 'up', rf: { rise: 3, fall: 2 }, counter: 3 },
    { from: 'down', rf: { rise: 3, fall: 2 }, counter: 0 },
    { from: 'unknown', rf: { rise: 3, fall: 2 }, counter: 2 },
    { from: 'paused', rf: { rise: 1, fall: 1 }, counter: 1 }, // was unknown's 1, within the new Max
    { from: 'disabled', rf: { rise: 1, fall: 1 }, counter: 1 },
  ];
  for (const c of cases) {
    const m = machineIn(c.from);
    const history = m.history();
    m.reconfigure(c.rf);
    t.same([m.state, m.counter, m.rise, m.fall], [c.from, c.counter, c.rf.rise, c.rf.fall], `${c.from}`);
    t.same(m.history(), history, `${c.from}: history kept, no transition`);
  }
  const up = machineIn('up');
  up.reconfigure({ rise: 3, fall: 2 });
  t.equal(up.record(failR, 9)?.to, 'down', 'up with counter rise: one failure → down');
  const up2 = machineIn('up');
  up2.reconfigure({ rise: 3, fall: 2 });
  t.equal(up2.record(okR, 9), undefined, 'one pass confirms up');
  t.equal(up2.counter, 4, 'at the new Max');
  const paused = machine({ rise: 5, fall: 5 });
  paused.record(okR, 1); // counter 9
  paused.pause(2);
  paused.reconfigure({ rise: 2, fall: 1 });
  t.equal(paused.counter, 2, 'paused counter clamped to the new Max');
});

t.test('reload: address change restarts at unknown (code restarted) unless paused or disabled', async (t) => {
  const cases: Array<{ from: BackendState; transition: boolean; state: BackendState }> = [
    { from: 'up', transition: true, state: 'unknown' },
    { from: 'down', transition: true, state: 'unknown' },
    { from: 'unknown', transition: false, state: 'unknown' },
    { from: 'paused', transition: false, state: 'paused' },
    { from: 'disabled', transition: false, state: 'disabled' },
  ];
  for (const c of cases) {
    const m = machineIn(c.from);
    const tr = m.restart(77, 'address changed from 192.0.2.1 to 192.0.2.2');
    t.equal(m.state, c.state, `${c.from}: state`);
    if (c.transition) {
      t.same(tr, { from: c.from, to: 'unknown', at: 77, code: 'restarted', detail: 'address changed from 192.0.2.1 to 192.0.2.2' }, `${c.from}: transition`);
    } else t.equal(tr, undefined, `${c.from}: no transition`);
    if (c.state === 'unknown') t.equal(m.counter, 1, `${c.from}: counter rise-1`);
  }
  t.throws(() => machineIn('removed').restart(1, 'x'), { code: 'FAILED_PRECONDITION' });
  try {
    machineIn('disabled').pause(1);
  } catch (e) {
    t.ok(isDaemonError(e, 'FAILED_PRECONDITION'), 'a DaemonError instance');
  }
});

t.test('remove from every state; removed is terminal', async (t) => {
  for (const from of ['unknown', 'up', 'down', 'paused', 'disabled'] as const) {
    const m = machineIn(from);
    const tr = m.remove(5);
    t.same([tr?.from, tr?.to, tr?.code], [from, 'removed', 'removed'], from);
    t.equal(m.remove(6), undefined, `${from}: second remove is a no-op`);
  }
});

t.test('a new history size trims at the next record', async (t) => {
  const m = machine({ rise: 1, fall: 1, history: 10 });
  for (let i = 0; i < 4; i++) {
    m.record(failR, i * 10);
    m.record(okR, i * 10 + 1);
  }
  t.equal(m.history().length, 8);
  m.setHistorySize(3);
  t.equal(m.history().length, 8, 'not trimmed yet');
  m.pause(100);
  t.same(
    m.history().map((h) => h.to),
    ['paused', 'up', 'down'],
  );
});
