import t from 'tap';
import type { BackendTransitionEvent } from '../../src/checker/events.js';
import type { DesiredInputs } from '../../src/core/desired-state.js';
import { Reconciler, retryDelayMs, type SyncEngine } from '../../src/sync/reconciler.js';
import type { GateRunner, SyncGate } from '../../src/sync/gate.js';
import { ManualClock } from '../support/manual-clock.js';
import type { Config } from '../../src/shared/config.js';
import { DaemonError, isDaemonError } from '../../src/shared/errors.js';
import type { BackendState } from '../../src/shared/health.js';
import { LbSync } from '../../src/sync/lb-sync.js';
import { backendEvent, FakeCheckerEvents as FakeEvents } from '../support/fake-checker-events.js';
import { makeConfig, makeInputs, type ConfigSpec } from '../support/lb-test-config.js';
import { ModelLbApi } from '../support/model-lb-api.js';
import { RecordingLogger } from '../support/recording-logger.js';

interface Run {
  readonly what: string;
  readonly at: number;
  readonly cfg: Config;
}

/** A sync engine that records runs, can hold them open, and can fail them. */
class FakeEngine implements SyncEngine {
  readonly runs: Run[] = [];
  active = 0;
  maxActive = 0;
  hold = false;
  failWith: Error | undefined;
  readonly #held: Array<() => void> = [];
  readonly #clock: ManualClock;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  syncAll(cfg: Config, _inputs: DesiredInputs, hints: ReadonlyMap<string, ReadonlySet<string>> = new Map()): Promise<unknown> {
    const h = [...hints].map(([f, s]) => `${f}:${[...s].sort().join(',')}`).sort();
    return this.#go(h.length > 0 ? `all ${h.join(' ')}` : 'all', cfg);
  }

  syncVip(cfg: Config, _inputs: DesiredInputs, frontend: string, hints: ReadonlySet<string> = new Set()): Promise<unknown> {
    return this.#go(hints.size > 0 ? `vip ${frontend} ${[...hints].sort().join(',')}` : `vip ${frontend}`, cfg);
  }

  release(): void {
    this.#held.shift()?.();
  }

  get held(): number {
    return this.#held.length;
  }

  async #go(what: string, cfg: Config): Promise<unknown> {
    this.runs.push({ what, at: this.#clock.now(), cfg });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.hold) await new Promise<void>((resolve) => this.#held.push(resolve));
      if (this.failWith !== undefined) throw this.failWith;
      return undefined;
    } finally {
      this.active--;
    }
  }
}

/** A gate the test opens and releases by hand. */
class ManualGate implements SyncGate {
  runner: GateRunner | undefined;
  open = false;
  readonly released = new Set<string>();
  connects = 0;
  disconnects = 0;
  admit: (frontend: string, ev: BackendTransitionEvent) => boolean = () => false;
  attach(runner: GateRunner): void {
    this.runner = runner;
  }
  isOpen(): boolean {
    return this.open;
  }
  allowsVip(frontend: string): boolean {
    return this.open || this.released.has(frontend);
  }
  admitEvent(frontend: string, ev: BackendTransitionEvent): boolean {
    return this.admit(frontend, ev);
  }
  onConnect(): void {
    this.connects++;
  }
  onDisconnect(): void {
    this.disconnects++;
  }
}

const spec: ConfigSpec = {
  backends: { a: '10.0.0.1', b: '10.0.0.2' },
  frontends: { fa: { address: '192.0.2.1', pools: [{ a: 100 }] }, fb: { address: '192.0.2.2', pools: [{ b: 100 }] } },
  lb: { syncIntervalMs: 40_000 },
};

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const settle = <T>(p: Promise<T>): Promise<{ ok: boolean; err?: unknown }> =>
  p.then(
    () => ({ ok: true }),
    (err: unknown) => ({ ok: false, err }),
  );

function harness(opts: { gate?: SyncGate; connect?: boolean } = {}) {
  const clock = new ManualClock(0);
  const engine = new FakeEngine(clock);
  const events = new FakeEvents();
  const log = new RecordingLogger();
  const h = { cfg: makeConfig(spec) };
  const r = new Reconciler({ engine, events, config: () => h.cfg, inputs: makeInputs(() => h.cfg, {}), clock, log, gate: opts.gate });
  r.start();
  if (opts.connect !== false) r.setConnected(true);
  return { clock, engine, events, log, r, h, whats: () => engine.runs.map((x) => x.what) };
}

void t.test('retry delay: 5 s doubling, capped at sync-interval', (t) => {
  const cases: Array<{ failures: number; interval: number; want: number }> = [
    { failures: 1, interval: 30_000, want: 5000 },
    { failures: 2, interval: 30_000, want: 10_000 },
    { failures: 3, interval: 30_000, want: 20_000 },
    { failures: 4, interval: 30_000, want: 30_000 },
    { failures: 50, interval: 30_000, want: 30_000 },
    { failures: 1, interval: 2000, want: 2000 },
  ];
  for (const c of cases) t.equal(retryDelayMs(c.failures, c.interval), c.want, `${c.failures} failures, interval ${c.interval}`);
  t.end();
});

void t.test('connect runs a full sync; events drive VIP syncs; frontend events are ignored', async (t) => {
  const { r, events, engine, log, whats } = harness();
  t.equal(log.named('vpp-reconciler-start').length, 1);
  t.equal(events.count, 1, 'subscribed');
  await r.idle();
  t.same(whats(), ['all'], 'immediate full sync on connect');
  events.emit(backendEvent(['fa'], 'a', 'unknown', 'up'));
  events.emit({ kind: 'frontend', frontend: 'fa', from: 'unknown', to: 'up', at: 0 });
  events.emit(backendEvent([], 'z'));
  await r.idle();
  t.same(whats(), ['all', 'vip fa']);
  t.same(log.named('vpp-reconciler-event').map((x) => x.attrs), [{ frontend: 'fa', backend: 'a', from: 'unknown', to: 'up' }]);
  t.equal(engine.maxActive, 1);
  r.stop();
});

void t.test('a slow-start step syncs the VIP of each frontend it names; a closed gate parks it until release', async (t) => {
  const { r, events, whats } = harness();
  await r.idle();
  events.emit({ kind: 'ramp', backend: 'a', frontends: ['fa', 'fb'], level: 1, steps: 4, at: 0 });
  await r.idle();
  t.same(whats(), ['all', 'vip fa', 'vip fb']);
  r.stop();
  const gate = new ManualGate();
  gate.released.add('fb');
  const gated = harness({ gate });
  gated.events.emit({ kind: 'ramp', backend: 'a', frontends: ['fa', 'fb'], level: 1, steps: 4, at: 0 });
  await gated.r.idle();
  t.same(gated.whats(), ['vip fb'], 'the held frontend waits');
  gate.released.add('fa');
  gated.events.emit({ kind: 'ramp', backend: 'b', frontends: [], level: 2, steps: 4, at: 0 }); // a kick
  await gated.r.idle();
  t.same(gated.whats(), ['vip fb', 'vip fa'], 'and runs once released');
  gated.r.setConnected(false);
  gated.events.emit({ kind: 'ramp', backend: 'a', frontends: ['fa'], level: 3, steps: 4, at: 0 });
  await gated.r.idle();
  t.same(gated.whats(), ['vip fb', 'vip fa'], 'dropped while disconnected');
  gated.r.stop();
});

void t.test('a new agent verdict syncs the VIP of each frontend it names, like a slow-start step', async (t) => {
  const { r, events, whats } = harness();
  await r.idle();
  const verdict = { state: 'drain', percent: 100 } as const;
  events.emit({ kind: 'agent', backend: 'a', frontends: ['fb', 'fa'], state: 'up', from: { state: 'up', percent: 100 }, to: verdict, answer: 'drain', at: 0 });
  await r.idle();
  t.same(whats(), ['all', 'vip fb', 'vip fa']);
  r.setConnected(false);
  events.emit({ kind: 'agent', backend: 'a', frontends: ['fa'], state: 'up', from: verdict, to: { state: 'up', percent: 100 }, answer: 'up', at: 0 });
  await r.idle();
  t.same(whats(), ['all', 'vip fb', 'vip fa'], 'dropped while disconnected (the reconnect full sync covers it)');
  r.stop();
});

void t.test('one backend event syncs the VIP of each frontend it names; a closed gate decides per frontend', async (t) => {
  const { r, events, log, whats } = harness();
  await r.idle();
  events.emit(backendEvent(['fa', 'fb'], 'a', 'up', 'down'));
  await r.idle();
  t.same(whats(), ['all', 'vip fa', 'vip fb'], 'one VIP sync per frontend, in the order named');
  t.same(
    log.named('vpp-reconciler-event').map((x) => x.attrs),
    [
      { frontend: 'fa', backend: 'a', from: 'up', to: 'down' },
      { frontend: 'fb', backend: 'a', from: 'up', to: 'down' },
    ],
  );
  r.stop();

  const gate = new ManualGate();
  const asked: string[] = [];
  gate.admit = (frontend, ev) => {
    asked.push(`${frontend} ${ev.backend}`);
    return frontend === 'fb';
  };
  gate.released.add('fb');
  const gated = harness({ gate });
  gated.events.emit(backendEvent(['fa', 'fb'], 'a', 'up', 'down'));
  await gated.r.idle();
  t.same(asked, ['fa a', 'fb a'], 'the gate is asked once per frontend');
  t.same(gated.whats(), ['vip fb'], 'only the admitted frontend is synced');
  gated.r.stop();
});

void t.test('single flight and coalescing', async (t) => {
  const { r, engine, whats } = harness();
  await r.idle();
  engine.hold = true;
  const first = r.requestVip('fa');
  await flush();
  t.equal(engine.held, 1, 'first run in flight');
  const b = r.requestVip('fb');
  const a1 = r.requestVip('fa', ['10.0.0.1']);
  const a2 = r.requestVip('fa', ['10.0.0.9', '10.0.0.1']);
  await flush();
  t.equal(engine.held, 1, 'nothing else starts while a run is in flight');
  engine.hold = false;
  engine.release();
  await Promise.all([first, b, a1, a2]);
  await r.idle();
  t.same(whats(), ['all', 'vip fa', 'vip fb', 'vip fa 10.0.0.1,10.0.0.9'], 'queued requests for one frontend merge, hints united');
  t.equal(engine.maxActive, 1);
  r.stop();
});

void t.test('a pending full sync covers pending VIP requests and their flush hints', async (t) => {
  const { r, engine, whats } = harness();
  await r.idle();
  engine.hold = true;
  const first = r.requestVip('fa');
  await flush();
  const order: string[] = [];
  const vb = r.requestVip('fb', ['10.0.0.2']).then(() => order.push('fb'));
  const all = r.requestAll().then(() => order.push('all'));
  const va = r.requestVip('fa').then(() => order.push('fa'));
  engine.hold = false;
  engine.release();
  await Promise.all([first, vb, all, va]);
  t.same(whats(), ['all', 'vip fa', 'all fb:10.0.0.2'], 'one full run, no separate VIP runs');
  t.same(order.sort(), ['all', 'fa', 'fb'], 'every covered request resolves');
  r.stop();
});

void t.test('a run reads config when it runs, not when requested', async (t) => {
  const { r, engine, h } = harness();
  await r.idle();
  engine.hold = true;
  const first = r.requestVip('fa');
  await flush();
  const second = r.requestVip('fb');
  const newer = makeConfig({ ...spec, lb: { syncIntervalMs: 41_000 } });
  h.cfg = newer;
  engine.hold = false;
  engine.release();
  await Promise.all([first, second]);
  t.equal(engine.runs.at(-1)!.cfg, newer);
  r.stop();
});

void t.test('failures: waiters reject, logs by origin, full-sync retry with doubling backoff capped at sync-interval', async (t) => {
  const { r, engine, events, clock, log } = harness({ connect: false });
  engine.failWith = new DaemonError('VPP_RETVAL', 'lb_as_set_weight: NO_SUCH_ENTRY (-6)');
  r.setConnected(true); // t=0: the connect sync fails
  await r.idle();
  t.same(log.named('vpp-lb-sync-error').map((x) => x.attrs), [{ scope: 'all', err: 'lb_as_set_weight: NO_SUCH_ENTRY (-6)' }]);
  const rpc = await settle(r.requestSync('fa'));
  t.ok(!rpc.ok && isDaemonError(rpc.err, 'VPP_RETVAL'), 'the RPC gets the run error');
  t.match(log.named('vpp-lb-sync-error').at(-1)!.attrs, { scope: 'vip', frontend: 'fa' });
  events.emit(backendEvent(['fb'], 'b', 'up', 'down'));
  await r.idle();
  t.same(log.named('vpp-reconciler-error').map((x) => x.attrs), [
    { frontend: 'fb', backend: 'b', from: 'up', to: 'down', err: 'lb_as_set_weight: NO_SUCH_ENTRY (-6)' },
  ]);
  for (let s = 0; s < 100; s++) {
    clock.advance(1000);
    await r.idle();
  }
  engine.failWith = undefined;
  for (let s = 0; s < 30; s++) {
    clock.advance(1000);
    await r.idle();
  }
  const allRuns = engine.runs.filter((x) => x.what === 'all').map((x) => x.at / 1000);
  // retries at +5, +10, +20, +40 (cap), +40; periodic every 40 s; success at 115 resets.
  t.same(allRuns, [0, 5, 15, 35, 40, 75, 80, 115, 120]);
  engine.failWith = new Error('boom');
  events.emit(backendEvent(['fa']));
  await r.idle();
  clock.advance(5000);
  await r.idle();
  t.equal(engine.runs.at(-1)!.at, 135_000, 'after a good full sync the backoff starts again at 5 s');
  r.stop();
});

void t.test('a frontend gone from the config is not retried', async (t) => {
  const { r, engine, clock } = harness();
  await r.idle();
  engine.failWith = new DaemonError('NOT_FOUND', 'frontend gone not found');
  const res = await settle(r.requestVip('gone'));
  t.ok(!res.ok && isDaemonError(res.err, 'NOT_FOUND'));
  engine.failWith = undefined;
  clock.advance(39_000);
  await r.idle();
  t.equal(engine.runs.length, 2, 'no retry scheduled');
  const rpc = await settle(r.requestSync('gone'));
  t.ok(!rpc.ok && isDaemonError(rpc.err, 'NOT_FOUND'), 'the RPC path checks the config first');
  t.equal(engine.runs.length, 2);
  r.stop();
});

void t.test('disconnected: requests and events are discarded; reconnect runs a full sync', async (t) => {
  const { r, engine, events, clock, whats } = harness();
  await r.idle();
  engine.hold = true;
  const inflight = settle(r.requestVip('fa'));
  await flush();
  const queued = settle(r.requestVip('fb'));
  const queuedAll = settle(r.requestAll());
  r.setConnected(false);
  for (const q of [await queued, await queuedAll]) t.ok(!q.ok && isDaemonError(q.err, 'VPP_NOT_CONNECTED'), 'queued requests rejected');
  const refused = await settle(r.requestVip('fa'));
  t.ok(!refused.ok && isDaemonError(refused.err, 'VPP_NOT_CONNECTED'));
  t.equal((refused.err as Error).message, 'VPP not connected');
  events.emit(backendEvent(['fb']));
  engine.failWith = new DaemonError('VPP_DISCONNECTED', 'connection closed');
  engine.hold = false;
  engine.release();
  t.notOk((await inflight).ok, 'the in-flight run fails with its own error');
  engine.failWith = undefined;
  clock.advance(200_000);
  await r.idle();
  t.same(whats(), ['all', 'vip fa'], 'no retry, no periodic, no event runs while disconnected');
  r.setConnected(true);
  await r.idle();
  t.same(whats(), ['all', 'vip fa', 'all']);
  clock.advance(40_000);
  await r.idle();
  t.same(whats(), ['all', 'vip fa', 'all', 'all'], 'periodic resumes');
  r.stop();
});

void t.test('periodic full sync every sync-interval; a new interval applies from the next tick', async (t) => {
  const { r, engine, clock, h } = harness();
  await r.idle();
  clock.advance(40_000);
  await r.idle();
  h.cfg = makeConfig({ ...spec, lb: { syncIntervalMs: 10_000 } });
  clock.advance(40_000);
  await r.idle();
  clock.advance(10_000);
  await r.idle();
  t.same(
    engine.runs.map((x) => x.at / 1000),
    [0, 40, 80, 90],
  );
  r.stop();
});

void t.test('stop rejects queued requests and ends everything', async (t) => {
  const { r, engine, events, clock, log } = harness();
  await r.idle();
  engine.hold = true;
  const inflight = r.requestVip('fa');
  await flush();
  const queued = settle(r.requestVip('fb'));
  r.stop();
  const q = await queued;
  t.ok(!q.ok && isDaemonError(q.err, 'SHUTTING_DOWN'));
  t.equal(events.count, 0, 'unsubscribed');
  t.equal(log.named('vpp-reconciler-stop').length, 1);
  engine.hold = false;
  engine.release();
  await inflight;
  await r.idle();
  clock.advance(100_000);
  t.equal(clock.pending, 0, 'no timers left');
  t.equal(engine.runs.length, 2);
  const after = await settle(r.requestAll());
  t.ok(!after.ok && isDaemonError(after.err, 'SHUTTING_DOWN'));
});

void t.test('gate: closed gate parks VIP requests, refuses full and RPC syncs, and decides events', async (t) => {
  const gate = new ManualGate();
  const { r, engine, events, whats } = harness({ gate });
  t.equal(gate.connects, 1, 'connect forwarded to the closed gate');
  await r.idle();
  t.same(whats(), [], 'no full sync on connect while closed');
  const all = await settle(r.requestAll());
  t.ok(!all.ok && isDaemonError(all.err, 'WARMUP_IN_PROGRESS'));
  t.equal((all.err as Error).message, 'startup warmup in progress');
  const rpc = await settle(r.requestSync('fa'));
  t.ok(!rpc.ok && isDaemonError(rpc.err, 'WARMUP_IN_PROGRESS'));
  let parkedDone = false;
  const parked = r.requestVip('fa', ['10.0.0.1']).then(() => (parkedDone = true));
  events.emit(backendEvent(['fb']));
  await r.idle();
  t.same(whats(), [], 'parked request and refused event wrote nothing');
  t.notOk(parkedDone);
  gate.admit = () => true;
  events.emit(backendEvent(['fb']));
  await r.idle();
  t.same(whats(), [], 'admitted but the gate still holds fb: parked');
  gate.released.add('fb');
  await gate.runner!.syncVip('fb');
  t.same(whats(), ['vip fb'], 'release runs the parked VIP once');
  gate.open = true;
  gate.runner!.opened(false);
  await parked;
  t.same(whats(), ['vip fb', 'vip fa 10.0.0.1'], 'opening runs parked requests with their hints, no full sync');
  gate.runner!.opened(true);
  await r.idle();
  t.same(whats().at(-1), 'all');
  r.setConnected(false);
  t.equal(gate.disconnects, 0, 'an open gate is not told');
  t.equal(engine.maxActive, 1);
  r.stop();
});

/** The end-to-end stack of the tests below: the reconciler over LbSync over the lb model (every backend up). */
function modelStack(opts: { onTransitionWritten?: (s: number) => void; monotonicNow?: () => number; spec?: ConfigSpec } = {}) {
  const { spec: layout = spec, ...hooks } = opts;
  const clock = new ManualClock(0);
  const api = new ModelLbApi(clock);
  const log = new RecordingLogger();
  const cfg = makeConfig(layout);
  const states: Record<string, BackendState> = Object.fromEntries(Object.keys(layout.backends).map((b) => [b, 'up']));
  const events = new FakeEvents();
  const engine = new LbSync({ api, clock, log });
  const r = new Reconciler({ engine, events, config: () => cfg, inputs: makeInputs(() => cfg, states), clock, log, ...hooks });
  r.start();
  r.setConnected(true);
  return { api, states, events, r, engine };
}

void t.test('end to end with LbSync and the lb model', async (t) => {
  const { api, states, events, r } = modelStack();
  await r.idle();
  t.same(api.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.1': 100 }, '192.0.2.2/32 tcp 80': { '10.0.0.2': 100 } });
  api.clearCalls();
  states.b = 'down';
  events.emit(backendEvent(['fb'], 'b', 'up', 'down'));
  await r.idle();
  t.same(api.writes(), ['as-weight 192.0.2.2/32 tcp 80 10.0.0.2 w=0 flush=1']);
  api.wipe(); // VPP restarted
  r.setConnected(false);
  r.setConnected(true);
  await r.idle();
  t.same(api.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.1': 100 }, '192.0.2.2/32 tcp 80': { '10.0.0.2': 0 } }, 'reconnect rebuilds');
  r.stop();
});

void t.test('a probe-driven transition writes inside its event delivery; other transitions on a microtask', async (t) => {
  const { api, states, events, r } = modelStack();
  await r.idle();
  api.clearCalls();
  states.b = 'down';
  events.emit(backendEvent(['fb'], 'b', 'up', 'down'));
  t.same(api.calls, ['as-weight 192.0.2.2/32 tcp 80 10.0.0.2 w=0 flush=1'], 'written before emit() returned, without any read');
  await r.idle();
  api.clearCalls();
  states.a = 'disabled';
  events.emit({ kind: 'backend', backend: 'a', frontends: ['fa'], transition: { from: 'up', to: 'disabled', at: 0, code: 'disabled', detail: '' } });
  t.same(api.calls, [], 'an operator action waits for the microtask');
  await r.idle();
  t.same(api.calls, ['as-weight 192.0.2.1/32 tcp 80 10.0.0.1 w=0 flush=1']);
  r.stop();
});

void t.test('each transition is timed once, from its monotonic stamp to its first AS write', async (t) => {
  const seen: number[] = [];
  let now = 1000;
  const { states, events, r } = modelStack({ onTransitionWritten: (s) => seen.push(s), monotonicNow: () => now });
  await r.idle();
  t.same(seen, [], 'the connect sync carries no transition');
  states.a = 'down';
  states.b = 'down';
  events.emit({ ...backendEvent(['fa', 'fb'], 'a', 'up', 'down'), monoAt: 997.5 });
  await r.idle();
  t.same(seen, [0.0025], 'one observation although two VIPs were written');
  now = 2000;
  states.b = 'up';
  const unstamped = backendEvent(['fb'], 'b', 'down', 'up');
  events.emit(unstamped);
  await r.idle();
  t.same(seen, [0.0025, 0], 'without a stamp: from its arrival at the reconciler');
  events.emit({ ...backendEvent(['fb'], 'b', 'up', 'up'), monoAt: 1 });
  await r.idle();
  t.equal(seen.length, 2, 'a sync that writes nothing observes nothing');
  r.stop();
});

void t.test('event runs free the single-flight slot once sent: the next VIP goes out before the first reply', async (t) => {
  const { api, states, events, r } = modelStack();
  await r.idle();
  api.clearCalls();
  const release = api.holdCalls('as-weight');
  states.a = 'down';
  events.emit(backendEvent(['fa'], 'a', 'up', 'down'));
  await flush();
  states.b = 'down';
  events.emit(backendEvent(['fb'], 'b', 'up', 'down'));
  t.same(api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.1 w=0 flush=1', 'as-weight 192.0.2.2/32 tcp 80 10.0.0.2 w=0 flush=1'], 'both written while the first reply is held');
  let idle = false;
  const waiting = r.idle().then(() => (idle = true));
  await flush();
  t.notOk(idle, 'not idle while replies are outstanding');
  release();
  await waiting;
  t.same(api.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.1': 0 }, '192.0.2.2/32 tcp 80': { '10.0.0.2': 0 } });
  r.stop();
});

/** A FakeEngine that also syncs several VIPs per run, recording each run's frontends. */
class BatchingEngine extends FakeEngine {
  resets = 0;
  readonly batches: string[][] = [];

  async syncVips(cfg: Config, inputs: DesiredInputs, requests: ReadonlyArray<{ frontend: string }>, _written?: (f: string) => void, issued?: () => void): Promise<{ failures: Map<string, unknown> }> {
    this.batches.push(requests.map((q) => q.frontend));
    const failures = new Map<string, unknown>();
    for (const q of requests) {
      try {
        await this.syncVip(cfg, inputs, q.frontend);
      } catch (e) {
        failures.set(q.frontend, e);
      }
    }
    issued?.();
    return { failures };
  }

  reset(): void {
    this.resets++;
  }
}

void t.test('event requests pending together run as one multi-VIP run; requests and releases run alone', async (t) => {
  const clock = new ManualClock(0);
  const engine = new BatchingEngine(clock);
  const events = new FakeEvents();
  const cfg = makeConfig({ ...spec, backends: { ...spec.backends, c: '10.0.0.3' }, frontends: { ...spec.frontends, fc: { address: '192.0.2.3', pools: [{ c: 100 }] } } });
  const r = new Reconciler({ engine, events, config: () => cfg, inputs: makeInputs(() => cfg, {}), clock, log: new RecordingLogger() });
  r.start();
  r.setConnected(true);
  t.equal(engine.resets, 1, 'connecting drops the engine’s belief');
  await r.idle();
  engine.hold = true;
  events.emit(backendEvent(['fa'], 'a', 'up', 'down'));
  await flush();
  events.emit(backendEvent(['fb'], 'b', 'up', 'down'));
  events.emit(backendEvent(['fc'], 'c', 'up', 'down'));
  const req = r.requestVip('fa');
  engine.hold = false;
  engine.release();
  await r.idle();
  await req;
  t.same(engine.batches, [['fa'], ['fb', 'fc']], 'the two events waiting behind the first run went out together');
  t.same(engine.runs.map((x) => x.what).slice(-1), ['vip fa'], 'the RPC request ran on its own');
  r.setConnected(false);
  t.equal(engine.resets, 2, 'and so does a disconnect');
  r.stop();
});

void t.test('a full sync lends the slot to event syncs while its read is on its way', async (t) => {
  const { api, states, events, r } = modelStack();
  await r.idle();
  api.clearCalls();
  const release = api.holdCalls('vip-dump');
  const all = r.requestAll();
  await flush();
  t.same(api.calls, ['conf-get', 'vip-dump', 'as-dump', 'vips-verbose'], 'the read is on its way (held)');
  states.b = 'paused';
  events.emit(backendEvent(['fb'], 'b', 'up', 'paused'));
  t.same(api.writes(), ['as-weight 192.0.2.2/32 tcp 80 10.0.0.2 w=0 flush=0'], 'the event wrote during the read');
  release();
  await all;
  await r.idle();
  t.same(api.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.1': 100 }, '192.0.2.2/32 tcp 80': { '10.0.0.2': 0 } });
  t.equal(api.writes().length, 1, 'the full sync planned from the belief, not from its older read: nothing written twice');
  r.stop();
});

/** fa fails over from a to d (two write batches: make, then drain); fc's change is one batch after them. */
const failoverSpec: ConfigSpec = {
  backends: { a: '10.0.0.1', c: '10.0.0.3', d: '10.0.0.4' },
  frontends: { fa: { address: '192.0.2.1', pools: [{ a: 100 }, { d: 100 }] }, fc: { address: '192.0.2.3', pools: [{ c: 100 }] } },
  lb: { syncIntervalMs: 40_000 },
};

void t.test('a full sync lends the slot between its write batches: a transition waits for one batch, not the whole plan', async (t) => {
  const { api, states, events, r } = modelStack({ spec: failoverSpec });
  await r.idle();
  api.clearCalls();
  // Changes the full sync finds on its own: fa fails over to d, c is paused.
  states.a = 'paused';
  states.c = 'paused';
  const release = api.holdCalls('as-weight');
  const all = r.requestAll();
  await flush();
  t.same(api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.4 w=100 flush=0'], 'the first batch (make) is on its way');
  states.c = 'down';
  events.emit(backendEvent(['fc'], 'c', 'paused', 'down'));
  await flush();
  t.equal(api.writes().length, 1, 'the event waits while the batch is unanswered');
  release();
  await all;
  await r.idle();
  t.same(
    api.writes(),
    [
      'as-weight 192.0.2.1/32 tcp 80 10.0.0.4 w=100 flush=0',
      'as-weight 192.0.2.3/32 tcp 80 10.0.0.3 w=0 flush=1',
      'as-weight 192.0.2.1/32 tcp 80 10.0.0.1 w=0 flush=0',
      // fc planned again at the end, from fresh inputs: the flush every full sync repeats for a down backend.
      'as-weight 192.0.2.3/32 tcp 80 10.0.0.3 w=0 flush=1',
    ],
    'the event went out right after the first batch, before the full sync’s next one; its stale call for fc (w=0 flush=0) was skipped',
  );
  t.same(api.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.1': 0, '10.0.0.4': 100 }, '192.0.2.3/32 tcp 80': { '10.0.0.3': 0 } });
  r.stop();
});

void t.test('a VIP a transition synced during a full sync keeps the newer weight: the full sync’s older plan for it is dropped', async (t) => {
  const { api, states, events, r } = modelStack({ spec: failoverSpec });
  await r.idle();
  api.clearCalls();
  states.a = 'paused';
  states.c = 'paused'; // planned by the full sync as c → 0 ...
  const release = api.holdCalls('as-weight');
  const all = r.requestAll();
  await flush();
  states.c = 'up'; // ... and resumed before that call is sent: the VIP sync has nothing to write
  events.emit(backendEvent(['fc'], 'c', 'paused', 'up'));
  release();
  await all;
  await r.idle();
  t.same(api.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.1': 0, '10.0.0.4': 100 }, '192.0.2.3/32 tcp 80': { '10.0.0.3': 100 } }, 'c keeps its weight');
  t.notOk(api.writes().some((w) => w.includes('10.0.0.3')), 'nothing was written for c');
  r.stop();
});
