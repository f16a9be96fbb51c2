import t from 'tap';
import { Checker } from '../../src/checker/checker.js';
import type { ProbeExecutor, ProbeSink } from '../../src/checker/probe-executor.js';
import { ManualClock } from '../support/manual-clock.js';
import type { ProbeCode } from '../../src/shared/health.js';
import { detailKind } from '../../src/shared/probe-detail.js';
import type { ProbeOutcome } from '../../src/shared/probe-outcome.js';
import { makeConfig, type FixtureSpec } from '../support/checker-fixtures.js';
import { checkerHarness } from '../support/checker-harness.js';
import { FakeProbeExecutor, fail, pass } from '../support/fake-probe-executor.js';
import { RecordingLogger } from '../support/recording-logger.js';

// interval 2000, fast 500, down 10000, rise 2, fall 3; probes answer after 10 ms.
const one: FixtureSpec = {
  healthchecks: { hc: {} },
  backends: { b1: { address: '192.0.2.1', healthcheck: 'hc' } },
  frontends: { web: [['p', { b1: 100 }]] },
};

t.test('start staggers loops by position in the sorted active list', async (t) => {
  const h = checkerHarness({
    healthchecks: { hc: {} },
    backends: {
      d: { address: '192.0.2.4', healthcheck: 'hc' },
      b: { address: '192.0.2.2', healthcheck: 'hc' },
      a: { address: '192.0.2.1', healthcheck: 'hc' },
      c: { address: '192.0.2.3', healthcheck: 'hc' },
      unused: { address: '192.0.2.9', healthcheck: 'hc' },
    },
    frontends: { web: [['p', { d: 1, b: 1, a: 1, c: 1 }]] },
  });
  h.checker.start();
  t.same(
    h.log.named('backend-start').map((r) => r.attrs.backend),
    ['a', 'b', 'c', 'd'],
  );
  h.clock.advance(2000);
  // stagger 2000 × pos / 4, then one fast-interval (unknown): 500, 1000, 1500, 2000.
  t.same(
    h.exec.probes.map((p) => [p.target.backend, p.startedAt - h.t0]),
    [
      ['a', 500],
      ['b', 1000],
      ['c', 1500],
      ['d', 2000],
    ],
  );
  t.same(h.checker.listBackends(), ['a', 'b', 'c', 'd'], 'unreferenced backends are not active');
  t.same(h.exec.probes[0]?.target, { backend: 'a', address: '192.0.2.1', check: h.checker.config.healthchecks.get('hc') });
  h.checker.stop();
  t.equal(h.clock.pending, 0, 'stop leaves no timer behind');
});

t.test('a schedule quantum batches probe starts on its multiples and reports their lateness', async (t) => {
  const clock = new ManualClock();
  const t0 = clock.now();
  const exec = new FakeProbeExecutor(clock);
  const lateness: number[] = [];
  const checker = new Checker({
    config: makeConfig({
      healthchecks: { hc: {} },
      backends: Object.fromEntries(['a', 'b', 'c', 'd'].map((n, i) => [n, { address: `192.0.2.${i + 1}`, healthcheck: 'hc' }])),
      frontends: { web: [['p', { a: 1, b: 1, c: 1, d: 1 }]] },
    }),
    clock,
    logger: new RecordingLogger(),
    executor: exec,
    random: () => 0.5,
    scheduleQuantumMs: 400,
    observer: { onProbe: () => {}, onProbeScheduled: (ms) => lateness.push(ms) },
  });
  checker.start();
  clock.advance(2100);
  // Due at 500, 1000, 1500, 2000 (stagger + fast-interval); started on the clock's multiples
  // of 400 (t0 is one).
  t.same(
    exec.probes.map((p) => [p.target.backend, p.startedAt - t0]),
    [
      ['a', 800],
      ['b', 1200],
      ['c', 1600],
      ['d', 2000],
    ],
  );
  t.same(lateness, [300, 200, 100, 0], 'each with its lateness, once its result came');
  checker.stop();
  t.equal(clock.pending, 0, 'stop leaves no timer behind');
});

t.test('the observer hears which connection a reuse-connection probe used, by health check', async (t) => {
  const clock = new ManualClock();
  const exec = new FakeProbeExecutor(clock);
  const connections: string[] = [];
  const log = new RecordingLogger({ debug: true });
  const checker = new Checker({
    config: makeConfig({
      healthchecks: { hc: {} },
      backends: { a: { address: '192.0.2.1', healthcheck: 'hc' } },
      frontends: { web: [['p', { a: 1 }]] },
    }),
    clock,
    logger: log,
    executor: exec,
    random: () => 0.5,
    observer: { onProbe: () => {}, onProbeConnection: (hc, c) => connections.push(`${hc}:${c}`) },
  });
  exec.script('a', { ok: true, connection: 'opened' }, { ok: true, connection: 'reused' }, { ok: true });
  checker.start();
  clock.advance(5000);
  t.ok(exec.probes.length >= 3);
  t.same(connections, ['hc:opened', 'hc:reused'], 'probes without a connection (other checks) say nothing');
  t.same(
    log.named('probe-done').slice(0, 3).map((r) => r.attrs.connection),
    ['opened', 'reused', undefined],
    'probe-done says which connection, when the prober said',
  );
  t.notOk('connection' in (log.named('probe-done')[2]?.attrs ?? {}), 'no connection field otherwise');
  checker.stop();
});

t.test('interval choice end to end: rise/fall walk with the next interval in each state', async (t) => {
  const h = checkerHarness(one);
  h.exec.script('b1', pass, fail, fail, fail, pass, pass, pass);
  h.checker.start();
  h.clock.advance(20_000);
  const starts = h.exec.runs('b1').map((p) => p.startedAt - h.t0);
  const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
  // Each gap = 10 ms probe + the interval chosen after the result:
  // up@Max → 2000, up degraded → 500, up degraded → 500, down@0 → 10000, down recovering → 500, up → 2000.
  t.equal(starts[0], 500, 'first probe after one fast-interval');
  t.same(gaps.slice(0, 6), [2010, 510, 510, 10010, 510, 2010]);
  t.same(h.backendEvents(), ['b1:unknown>up:L4OK@web', 'b1:up>down:L4CON@web', 'b1:down>up:L4OK@web']);
  t.same(h.frontendEvents(), ['web:unknown>up', 'web:up>down', 'web:down>up']);
  t.same(
    h.log.named('backend-transition').map((r) => r.attrs),
    [
      { backend: 'b1', from: 'unknown', to: 'up', code: 'L4OK', detail: 'connected' },
      { backend: 'b1', from: 'up', to: 'down', code: 'L4CON', detail: 'connect: ECONNREFUSED' },
      { backend: 'b1', from: 'down', to: 'up', code: 'L4OK', detail: 'connected' },
    ],
  );
  h.checker.stop();
});

t.test('one fail from unknown → down, and the down-interval follows', async (t) => {
  const h = checkerHarness(one);
  h.exec.script('b1', fail, fail);
  h.checker.start();
  h.clock.advance(510);
  t.equal(h.checker.stateOf('b1'), 'down');
  t.equal(h.checker.getBackend('b1')?.health, 0);
  h.clock.advance(9_999);
  t.equal(h.exec.runs('b1').length, 1, 'no probe before the down-interval');
  h.clock.advance(1);
  t.equal(h.exec.runs('b1').length, 2);
  h.checker.stop();
});

t.test('a backend used by 3 frontends is probed once, with one event naming the 3 frontends', async (t) => {
  const h = checkerHarness({
    healthchecks: { hc: {} },
    backends: { x: { address: '192.0.2.1', healthcheck: 'hc' }, y: { address: '192.0.2.2', healthcheck: 'hc' } },
    frontends: {
      fe3: [['p', { x: 100 }]],
      fe1: [['p', { y: 100 }], ['f', { x: 10 }]],
      fe2: [['only', { x: 1, y: 1 }]],
    },
  });
  h.exec.defaultAnswer = 'hold';
  h.checker.start();
  h.clock.advance(60_000);
  t.equal(h.exec.runs('x').length, 1, 'one probe, held: never a second in flight');
  t.equal(h.exec.pending('x').length, 1);
  h.exec.resolve('x', pass);
  t.equal(h.exec.pending('x').length, 0);
  t.same(h.backendEvents(), ['x:unknown>up:L4OK@fe1,fe2,fe3']);
  t.same(h.checker.getBackend('x')?.frontends, ['fe1', 'fe2', 'fe3']);
  h.clock.advance(1999);
  t.equal(h.exec.runs('x').length, 1);
  h.clock.advance(1);
  t.equal(h.exec.runs('x').length, 2, 'next probe one interval after the result');
  h.checker.stop();
  t.equal(h.exec.pending().length, 0, 'stop cancels in-flight probes');
});

t.test('static backends: up at once, rise=fall=1, re-recorded every 30 s, no executor, no probe metrics', async (t) => {
  const h = checkerHarness({
    healthchecks: { hc: {} },
    backends: { s: '192.0.2.20', a: { address: '192.0.2.1', healthcheck: 'hc' } },
    frontends: { web: [['p', { s: 100, a: 100 }]] },
  });
  h.exec.defaultAnswer = 'hold';
  h.checker.start();
  t.equal(h.checker.stateOf('s'), 'up', 'up before any time passes (no stagger, no wait)');
  const snap = h.checker.getBackend('s')!;
  t.same([snap.healthcheck, snap.rise, snap.fall, snap.health], [undefined, 1, 1, 1]);
  t.same(snap.transitions[0], { from: 'unknown', to: 'up', at: h.t0, code: 'L7OK', detail: 'static backend' });
  t.same(snap.lastProbe, { ok: true, layer: 'L7', code: 'L7OK', detail: 'static backend', at: h.t0, durationMs: 0 });
  t.same(h.frontendEvents(), ['web:unknown>up']);
  h.clock.advance(30_000);
  t.equal(h.checker.getBackend('s')?.lastProbe?.at, h.t0 + 30_000, 'recorded again after 30 s');
  t.same(h.exec.runs('s'), [], 'the executor is never called for it');
  t.notOk(
    h.observed.some((o) => o.startsWith('probe s ')),
    'no probe observer calls',
  );
  t.equal(h.checker.lastProbeAt, undefined, 'nor a completed probe for the watchdog');
  t.same(h.log.named('probe-start').map((r) => r.attrs.backend), ['a']);
  h.checker.stop();
});

t.test('local shortages (EMFILE …) are discarded: no counter move, one rate-limited WARN per reason, /healthz degraded', async (t) => {
  const emfile = { ok: false, code: 'SOCKERR', detail: 'connect: EMFILE', discarded: true, discardReason: 'EMFILE' } as const;
  const h = checkerHarness(one);
  // Up first (rise 2: unknown → up on the first pass), then a run of EMFILE discards.
  h.exec.script('b1', pass, emfile, emfile, emfile, emfile, emfile, emfile, emfile, emfile, emfile, emfile, emfile, emfile, fail);
  h.checker.start();
  h.clock.advance(510);
  t.equal(h.checker.stateOf('b1'), 'up');
  const upHealth = h.checker.getBackend('b1')?.health;
  t.same(h.checker.recentDiscards(), {}, 'nothing discarded yet');
  // 12 discards, one every interval (2 s): the state and the counter never move.
  for (let i = 0; i < 12; i++) h.clock.advance(2010);
  t.equal(h.exec.runs('b1').length, 13, 'every discard is followed by the next probe on schedule');
  t.equal(h.checker.stateOf('b1'), 'up', 'a healthy backend stays up while the prober is short of descriptors');
  t.equal(h.checker.getBackend('b1')?.health, upHealth, 'the rise/fall counter did not move');
  t.equal(h.checker.getBackend('b1')?.lastProbe?.code, 'L4OK', 'the last recorded probe is still the pass');
  const warns = h.log.named('probe-discarded-local');
  t.same(
    warns.map((r) => [r.level, r.attrs.reason, r.attrs.discarded]),
    [
      ['warn', 'EMFILE', 1],
      ['warn', 'EMFILE', 5],
      ['warn', 'EMFILE', 5],
    ],
    'one line per 10 s, each with the count since the previous one',
  );
  t.match(warns[0]?.attrs, { backend: 'b1', code: 'SOCKERR', detail: 'connect: EMFILE' });
  t.same(h.checker.recentDiscards(), { EMFILE: 12 }, 'the last minute holds all 12');
  h.clock.advance(2010);
  t.equal(h.checker.getBackend('b1')?.health, (upHealth ?? 0) - 1, 'a real failure still counts');
  h.clock.advance(70_000);
  t.same(h.checker.recentDiscards(), {}, 'a minute later the prober is no longer degraded');
  h.checker.stop();
});

t.test('discarded results are not recorded and the next probe is scheduled normally', async (t) => {
  const h = checkerHarness(one);
  h.exec.script('b1', { ok: false, code: 'L4TOUT', detail: 'timeout after 1s during connect', discarded: true, lagMs: 600 }, pass);
  h.checker.start();
  t.equal(h.checker.lastProbeAt, undefined, 'no probe completed yet');
  h.clock.advance(510);
  t.equal(h.checker.stateOf('b1'), 'unknown', 'not recorded');
  t.equal(h.checker.lastProbeAt, h.t0 + 510, 'but it completed: the watchdog counts it');
  t.equal(h.checker.getBackend('b1')?.health, 1);
  t.equal(h.checker.getBackend('b1')?.lastProbe, undefined, 'not the last recorded probe');
  t.same(
    h.log.named('probe-discarded').map((r) => [r.level, r.attrs]),
    [['debug', { backend: 'b1', type: 'tcp', code: 'L4TOUT', lag: '600ms' }]],
  );
  t.same(h.observed, ['probe b1 tcp L4TOUT discarded']);
  h.clock.advance(510);
  t.equal(h.exec.runs('b1')[1]?.startedAt, h.t0 + 1010, 'next probe one fast-interval later');
  t.equal(h.checker.stateOf('b1'), 'up');
  t.same(h.observed.slice(1), ['probe b1 tcp L4OK recorded', 'backend b1 unknown>up', 'frontend web unknown>up']);
  t.equal(h.checker.lastProbeAt, h.t0 + 1020);
  h.checker.stop();
});

t.test('probe-start/probe-done are built only when debug is enabled', async (t) => {
  const on = checkerHarness(one, { debug: true });
  on.checker.start();
  on.clock.advance(510);
  t.same(
    on.log.named('probe-start').map((r) => r.attrs),
    [{ backend: 'b1', type: 'tcp' }],
  );
  t.same(
    on.log.named('probe-done').map((r) => r.attrs),
    [{ backend: 'b1', type: 'tcp', ok: true, code: 'L4OK', detail: 'connected', elapsed: '10ms' }],
  );
  on.checker.stop();
  const off = checkerHarness(one, { debug: false });
  off.checker.start();
  off.clock.advance(510);
  t.equal(off.log.records.filter((r) => r.level === 'debug').length, 0);
  off.checker.stop();
});

/** An outcome with a text detail. */
const outcome = (code: ProbeCode, text: string, at: number, durationMs: number): ProbeOutcome => ({
  code,
  detail: detailKind.text,
  arg: 0,
  text,
  at,
  durationMs,
  discarded: false,
  lagMs: NaN,
});

t.test('results for a stopped loop change nothing, even from a misbehaving executor', async (t) => {
  const clock = new ManualClock();
  const started: number[] = [];
  const cancels: number[] = [];
  let sink: ProbeSink | undefined;
  const rogue: ProbeExecutor = {
    setSink: (s) => (sink = s),
    start: (key) => started.push(key),
    cancel: (key) => cancels.push(key),
    close: () => Promise.resolve(),
  };
  const checker = new Checker({ config: makeConfig(one), clock, logger: new RecordingLogger(), executor: rogue, random: () => 0.5 });
  checker.start();
  clock.advance(500);
  t.equal(started.length, 1);
  checker.pause('b1');
  t.same(cancels, started, 'the in-flight probe was cancelled');
  sink?.onProbeResult(started[0] ?? 0, outcome('L4OK', 'late', clock.now(), 1));
  t.equal(checker.stateOf('b1'), 'paused', 'a late result is ignored');
  t.equal(checker.getBackend('b1')?.lastProbe, undefined);
  clock.advance(60_000);
  t.equal(started.length, 1, 'no probe while paused');
  checker.stop();
});

t.test('a synchronous executor answer is handled', async (t) => {
  const clock = new ManualClock();
  let runs = 0;
  let sink: ProbeSink | undefined;
  const sync: ProbeExecutor = {
    setSink: (s) => (sink = s),
    start: (key) => {
      runs++;
      sink?.onProbeResult(key, outcome('L4OK', 'sync', clock.now(), 0));
    },
    cancel: () => {},
    close: () => Promise.resolve(),
  };
  const checker = new Checker({ config: makeConfig(one), clock, logger: new RecordingLogger(), executor: sync, random: () => 0.5 });
  checker.start();
  clock.advance(500);
  t.equal(checker.stateOf('b1'), 'up');
  clock.advance(2000);
  t.equal(runs, 2, 'the loop continues');
  checker.stop();
});

t.test('jitter draws from the injected random source', async (t) => {
  const h = checkerHarness(one, { random: () => 0 });
  h.checker.start();
  h.clock.advance(450);
  t.equal(h.exec.runs('b1')[0]?.startedAt, h.t0 + 450, 'fast-interval 500 × 0.9');
  h.checker.stop();
});

t.test('frontend states, frontendInfo and the active pool', async (t) => {
  const h = checkerHarness({
    healthchecks: { hc: {} },
    backends: {
      a: { address: '192.0.2.1', healthcheck: 'hc' },
      b: { address: '192.0.2.2', healthcheck: 'hc' },
      c: { address: '192.0.2.3', healthcheck: 'hc' },
    },
    frontends: {
      web: {
        flushOnDown: false,
        pools: [
          ['primary', { a: 100, b: 50 }],
          ['fallback', { c: 20 }],
        ],
      },
    },
  });
  t.equal(h.checker.frontendState('web'), 'unknown', 'all members unknown');
  t.equal(h.checker.frontendState('nope'), undefined);
  h.exec.script('a', fail);
  h.exec.script('b', fail);
  h.exec.script('c', pass);
  h.checker.start();
  h.clock.advance(1000); // a@500, b@~1167, c@~1833 (stagger 2000 × pos/3, then 500)
  t.equal(h.checker.frontendState('web'), 'down', 'a down, b and c unknown');
  h.clock.advance(1000);
  t.equal(h.checker.frontendState('web'), 'up', 'served by the fallback');
  t.same(h.frontendEvents(), ['web:unknown>down', 'web:down>up']);
  const info = h.checker.frontendInfo('web')!;
  t.same(
    [info.name, info.state, info.flushOnDown, info.protocol, info.port],
    ['web', 'up', false, 'tcp', 80],
  );
  t.same(
    info.pools.map((p) => [p.name, p.active, p.members.map((m) => [m.backend, m.state, m.weight, m.effectiveWeight, m.flush])]),
    [
      [
        'primary',
        false,
        [
          ['a', 'down', 100, 0, false],
          ['b', 'down', 50, 0, false],
        ],
      ],
      ['fallback', true, [['c', 'up', 20, 20, false]]],
    ],
  );
  t.equal(info.pools[1]?.members[0]?.lastTransitionAt, h.checker.getBackend('c')?.transitions[0]?.at);
  t.same(h.checker.listFrontends(), ['web']);
  h.checker.stop();
});

t.test('panic: entering and leaving are events and log lines; weights follow', async (t) => {
  const h = checkerHarness({
    healthchecks: { hc: { rise: 1, fall: 1 } },
    backends: {
      a: { address: '192.0.2.1', healthcheck: 'hc' },
      b: { address: '192.0.2.2', healthcheck: 'hc' },
      c: { address: '192.0.2.3', healthcheck: 'hc' },
    },
    frontends: { web: { pools: [['primary', { a: 100, b: 100, c: 100 }]], panicThreshold: 50 } },
  });
  h.exec.script('b', pass, fail);
  h.exec.script('c', pass, fail);
  h.checker.start();
  h.clock.advance(2000); // first probes (a@500, b@~1167, c@~1833): all up
  t.same([h.checker.stateOf('a'), h.checker.stateOf('b'), h.checker.stateOf('c')], ['up', 'up', 'up']);
  h.clock.advance(1300); // b@~3177 fails: 2 of 3 up, not below 50%
  t.equal(h.checker.stateOf('b'), 'down');
  t.equal(h.checker.frontendInfo('web')?.panic, false);
  h.clock.advance(600); // c@~3843 fails: 1 of 3 up
  t.equal(h.checker.stateOf('c'), 'down');
  const info = h.checker.frontendInfo('web')!;
  t.equal(info.panic, true);
  t.equal(info.panicThreshold, 50);
  t.same(
    info.pools[0]?.members.map((m) => [m.backend, m.state, m.effectiveWeight, m.flush]),
    [
      ['a', 'up', 100, false],
      ['b', 'down', 100, false],
      ['c', 'down', 100, false],
    ],
    'in panic every measured backend has its configured weight',
  );
  t.match(h.events.at(-1), { kind: 'panic', frontend: 'web', panic: true, state: 'up', detail: '1 of 3 up in pool primary, below the 50% panic threshold' });
  t.same(
    h.log.named('frontend-panic-enter').map((r) => [r.level, r.attrs]),
    [['warn', { frontend: 'web', detail: '1 of 3 up in pool primary, below the 50% panic threshold' }]],
  );
  t.same(h.frontendEvents(), ['web:unknown>up'], 'the state stayed up throughout');
  h.clock.advance(10_000); // b's down-interval probe passes: 2 of 3
  t.equal(h.checker.stateOf('b'), 'up');
  t.equal(h.checker.frontendInfo('web')?.panic, false);
  t.same(
    h.observed.filter((o) => o.startsWith('panic')),
    ['panic web true', 'panic web false'],
  );
  t.same(
    h.log.named('frontend-panic-exit').map((r) => r.attrs),
    [{ frontend: 'web', detail: '2 of 3 up in pool primary, at or above the 50% panic threshold' }],
  );
  h.checker.stop();
});

t.test('slow start: the effective weight ramps in steps, each a ramp event naming the frontends', async (t) => {
  const h = checkerHarness({
    healthchecks: { hc: { rise: 1, fall: 1 } },
    backends: {
      a: { address: '192.0.2.1', healthcheck: 'hc', slowStart: { windowMs: 8000, steps: 4 } },
      b: { address: '192.0.2.2', healthcheck: 'hc' },
    },
    frontends: { web: [['p', { a: 100, b: 100 }]], api: [['p', { a: 50 }]] },
  });
  const weights = (): number[] => ['web', 'api'].flatMap((f) => h.checker.frontendInfo(f)!.pools[0]!.members.filter((m) => m.backend === 'a').map((m) => m.effectiveWeight));
  h.checker.start();
  h.clock.advance(600); // a@500 passes: up at 510
  t.equal(h.checker.stateOf('a'), 'up');
  t.same(weights(), [20, 10], 'level 0 of 4: a fifth of 100 and of 50');
  t.same(h.checker.rampOf('a'), { level: 0, steps: 4 });
  t.same(h.log.named('backend-slow-start').map((r) => r.attrs), [{ backend: 'a', window: '8s', steps: 4 }]);
  h.clock.advance(2000);
  t.same(weights(), [40, 20]);
  t.match(h.events.at(-1), { kind: 'ramp', backend: 'a', frontends: ['api', 'web'], level: 1, steps: 4 });
  h.clock.advance(6000);
  t.same(weights(), [100, 50], 'done after the window');
  t.same(
    h.observed.filter((o) => o.startsWith('ramp')),
    ['ramp a 1/4', 'ramp a 2/4', 'ramp a 3/4', 'ramp a 4/4'],
  );
  t.equal(h.checker.rampOf('b'), undefined, 'b has no slow start');
  t.same(h.frontendEvents(), ['api:unknown>up', 'web:unknown>up'], 'steps are no frontend transitions');
  h.checker.stop();
});

t.test('slow start restart neutrality: backends VPP already serves do not ramp', async (t) => {
  const ss = { windowMs: 8000, steps: 4 };
  const h = checkerHarness({
    healthchecks: { hc: { rise: 1, fall: 1 } },
    backends: {
      early: { address: '192.0.2.1', healthcheck: 'hc', slowStart: ss },
      late: { address: '192.0.2.2', healthcheck: 'hc', slowStart: ss },
      fresh: { address: '192.0.2.3', healthcheck: 'hc', slowStart: ss },
    },
    frontends: { web: [['p', { early: 100, late: 100, fresh: 100 }]] },
  });
  h.checker.start();
  h.clock.advance(600); // early@500 is up and ramping; late and fresh are still unknown
  t.same(h.checker.rampOf('early'), { level: 0, steps: 4 });
  h.checker.adoptServing(new Set(['192.0.2.1', '192.0.2.2'])); // fresh was not serving in VPP
  t.equal(h.checker.rampOf('early'), undefined, "early's ramp ends");
  t.match(h.events.at(-1), { kind: 'ramp', backend: 'early', level: 4, steps: 4, frontends: ['web'] });
  h.clock.advance(2000);
  t.same([h.checker.stateOf('late'), h.checker.stateOf('fresh')], ['up', 'up']);
  t.equal(h.checker.rampOf('late'), undefined, 'late comes up at its configured weight');
  t.same(h.checker.rampOf('fresh'), { level: 0, steps: 4 }, 'fresh ramps');
  t.same(
    h.log.named('backend-slow-start-skipped').map((r) => r.attrs.backend),
    ['early', 'late'],
  );
  h.checker.endAdoption();
  h.checker.stop();
});

t.test('runtime weight overrides', async (t) => {
  const h = checkerHarness({
    healthchecks: { hc: {} },
    backends: { a: { address: '192.0.2.1', healthcheck: 'hc' }, c: { address: '192.0.2.3', healthcheck: 'hc' } },
    frontends: {
      web: [
        ['primary', { a: 100 }],
        ['fallback', { c: 20 }],
      ],
    },
  });
  h.checker.start();
  h.clock.advance(2000);
  t.same([h.checker.stateOf('a'), h.checker.stateOf('c')], ['up', 'up']);
  let info = h.checker.setWeight('web', 'primary', 'a', 0, true);
  t.equal(h.checker.weightOf('web', 'primary', 'a'), 0);
  t.same(
    info.pools.map((p) => [p.name, p.active]),
    [
      ['primary', false],
      ['fallback', true],
    ],
    'a primary at weight 0 fails over',
  );
  t.same(
    h.log.named('frontend-weight-set').map((r) => r.attrs),
    [{ frontend: 'web', pool: 'primary', backend: 'a', weight: 0, flush: true }],
  );
  info = h.checker.setWeight('web', 'fallback', 'c', 0);
  t.equal(info.state, 'down', 'no weight anywhere → down');
  t.same(h.frontendEvents(), ['web:unknown>up', 'web:up>down']);
  t.same(h.observed.filter((o) => o.startsWith('frontend')), ['frontend web unknown>up', 'frontend web up>down']);
  t.throws(() => h.checker.setWeight('web', 'fallback', 'c', 101), { code: 'INVALID_ARGUMENT' });
  t.throws(() => h.checker.setWeight('web', 'fallback', 'c', -1), { code: 'INVALID_ARGUMENT' });
  t.throws(() => h.checker.setWeight('nope', 'fallback', 'c', 1), { code: 'NOT_FOUND' });
  t.throws(() => h.checker.setWeight('web', 'nope', 'c', 1), { code: 'NOT_FOUND' });
  t.throws(() => h.checker.setWeight('web', 'primary', 'c', 1), { code: 'NOT_FOUND' });
  const counts = h.checker.reload(h.checker.config);
  t.same(counts, { started: 0, stopped: 0, restarted: 0 });
  t.equal(h.checker.weightOf('web', 'primary', 'a'), 100, 'reload discards overrides');
  t.equal(h.checker.frontendState('web'), 'up');
  t.same(h.frontendEvents(), ['web:unknown>up', 'web:up>down', 'web:down>up']);
  h.checker.stop();
});

t.test('getBackend snapshot and read API', async (t) => {
  const h = checkerHarness({ ...one, transitionHistory: 2 });
  h.exec.script('b1', pass, fail, fail, fail, pass, pass);
  h.checker.start();
  h.clock.advance(20_000);
  const s = h.checker.getBackend('b1')!;
  t.same(
    [s.name, s.address, s.state, s.enabled, s.healthcheck, s.health, s.rise, s.fall, s.frontends],
    ['b1', '192.0.2.1', 'up', true, 'hc', 4, 2, 3, ['web']],
  );
  t.same(
    s.transitions.map((x) => `${x.from}>${x.to}`),
    ['down>up', 'up>down'],
    'newest first, bounded by transition-history',
  );
  t.equal(s.lastProbe?.code, 'L4OK');
  t.equal(h.checker.getBackend('nope'), undefined);
  t.equal(h.checker.stateOf('nope'), undefined);
  h.checker.stop();
});

t.test('a throwing subscriber or observer does not break the checker', async (t) => {
  const clock = new ManualClock();
  const log = new RecordingLogger();
  const { FakeProbeExecutor } = await import('../support/fake-probe-executor.js');
  const checker = new Checker({
    config: makeConfig(one),
    clock,
    logger: log,
    executor: new FakeProbeExecutor(clock),
    random: () => 0.5,
    observer: {
      onProbe: () => {
        throw new Error('metrics bug');
      },
    },
  });
  const got: string[] = [];
  checker.subscribe(() => {
    throw new Error('subscriber bug');
  });
  checker.subscribe((ev) => got.push(ev.kind));
  checker.start();
  clock.advance(510);
  t.equal(checker.stateOf('b1'), 'up');
  t.same(got, ['backend', 'frontend']);
  t.same(
    log.named('event-subscriber-error').map((r) => r.attrs.err),
    ['subscriber bug', 'subscriber bug'],
  );
  t.same(
    log.named('checker-observer-error').map((r) => r.attrs.err),
    ['metrics bug'],
  );
  clock.advance(2010);
  t.equal(clock.pending, 1, 'the loop is still scheduled');
  checker.stop();
});
