import t from 'tap';
import { Reconciler } from '../../src/sync/reconciler.js';
import { Warmup } from '../../src/sync/warmup.js';
import { ManualClock } from '../support/manual-clock.js';
import { isDaemonError } from '../../src/shared/errors.js';
import type { BackendState } from '../../src/shared/health.js';
import type { LbConfig } from '../../src/shared/config.js';
import { LbSync } from '../../src/sync/lb-sync.js';
import { backendEvent, FakeCheckerEvents } from '../support/fake-checker-events.js';
import { defaultLb, makeConfig, makeInputs, type ConfigSpec } from '../support/lb-test-config.js';
import { ModelLbApi } from '../support/model-lb-api.js';
import { RecordingLogger } from '../support/recording-logger.js';

const spec: ConfigSpec = {
  backends: { a: '10.0.0.1', b: '10.0.0.2', c: '10.0.0.3', d: '10.0.0.4' },
  frontends: {
    fb: { address: '192.0.2.2', pools: [{ c: 100, d: 100 }] },
    fa: { address: '192.0.2.1', pools: [{ a: 100, b: 50 }] },
  },
};

/** The VPP state a previous maglevd left behind with every backend up. */
function seedHealthy(api: ModelLbApi): void {
  api.seedConf({ ip4SrcAddress: defaultLb.ipv4SrcAddress!, ip6SrcAddress: defaultLb.ipv6SrcAddress!, stickyBucketsPerCore: 65536, flowTimeoutS: 40 });
  api.seed({ prefix: '192.0.2.1/32', protocol: 6, port: 80, ases: { '10.0.0.1': 100, '10.0.0.2': 50 } });
  api.seed({ prefix: '192.0.2.2/32', protocol: 6, port: 80, ases: { '10.0.0.3': 100, '10.0.0.4': 100 } });
}

function stack(opts: { lb?: Partial<LbConfig>; spec?: ConfigSpec } = {}) {
  const clock = new ManualClock(0);
  const api = new ModelLbApi(clock);
  const log = new RecordingLogger();
  const h = { cfg: makeConfig({ ...(opts.spec ?? spec), lb: opts.lb }) };
  const states: Record<string, BackendState> = {};
  const overrides: Record<string, number> = {};
  const events = new FakeCheckerEvents();
  let doneCalls = 0;
  const warmup = new Warmup({ clock, log, startedAt: 0, config: () => h.cfg, stateOf: (b) => states[b] ?? (h.cfg.backends.has(b) ? 'unknown' : undefined), onDone: () => doneCalls++ });
  const r = new Reconciler({ engine: new LbSync({ api, clock, log }), events, config: () => h.cfg, inputs: makeInputs(() => h.cfg, states, overrides), clock, log, gate: warmup });
  r.start();
  /** Sets a backend's state and emits one event naming its referencing frontends, as the checker does. */
  const transition = (backend: string, to: BackendState): void => {
    const from = states[backend] ?? 'unknown';
    states[backend] = to;
    const frontends = [...h.cfg.frontends.values()].filter((fe) => fe.pools.some((p) => p.members.some((m) => m.backend === backend))).map((fe) => fe.name);
    events.emit(backendEvent(frontends.sort(), backend, from, to));
  };
  /** Advances in poll-sized steps, letting sync runs finish in between. */
  const advanceTo = async (ms: number): Promise<void> => {
    while (clock.now() < ms) {
      clock.advance(Math.min(250, ms - clock.now()));
      await r.idle();
    }
  };
  const warmupLog = (): string[] =>
    log.records
      .filter((x) => x.msg.startsWith('vpp-lb-warmup'))
      .map((x) => [x.msg, x.attrs.frontend, x.attrs.trigger, x.attrs.backend, x.attrs.elapsed].filter((v) => v !== undefined).join(' '));
  return { clock, api, log, h, states, overrides, events, warmup, r, transition, advanceTo, warmupLog, done: () => doneCalls };
}

void t.test('happy path and restart neutrality: healthy backends, matching dataplane → no write at all', async (t) => {
  const s = stack();
  seedHealthy(s.api);
  s.r.setConnected(true);
  await s.r.idle();
  t.equal(s.warmup.phase, 'min-delay');
  t.match(s.log.named('vpp-lb-warmup-start')[0]!.attrs, { 'min-delay': '5s', 'max-delay': '30s' });
  t.type(s.log.named('vpp-lb-warmup-start')[0]!.attrs.impact, 'string');
  await s.advanceTo(1000);
  for (const b of ['a', 'b', 'c', 'd']) s.transition(b, 'up');
  await s.r.idle();
  t.equal(s.log.named('vpp-reconciler-suppressed-min-delay').length, 4, 'events inside the min window are dropped');
  t.match(s.log.named('vpp-reconciler-suppressed-min-delay')[0]!.attrs, { frontend: 'fa', backend: 'a', from: 'unknown', to: 'up', elapsed: '1s' });
  t.type(s.log.named('vpp-reconciler-suppressed-min-delay')[0]!.attrs.reason, 'string');
  await s.advanceTo(40_000);
  t.same(s.api.writes(), [], 'no VPP write during the warmup nor the first periodic sync');
  t.same(s.warmupLog(), [
    'vpp-lb-warmup-start',
    'vpp-lb-warmup-min-delay-elapsed 5s',
    'vpp-lb-warmup-release fa poll 5s',
    'vpp-lb-warmup-release fb poll 5s',
    'vpp-lb-warmup-complete 5s',
    'vpp-lb-warmup-max-delay-elapsed 30s',
  ]);
  t.equal(s.warmup.phase, 'done');
  t.equal(s.done(), 1);
  const syncs = s.log.named('vpp-lb-sync-done').map((x) => x.attrs.scope);
  t.same(syncs, ['vip', 'vip', 'all'], 'two release syncs, then the periodic sync 30 s after completion');
  t.equal(s.log.named('vpp-lb-warmup-max-delay-elapsed')[0]!.attrs.impact, 'none: warmup already complete');
  s.r.stop();
  s.warmup.stop();
  t.equal(s.clock.pending, 0);
});

void t.test('without the warmup the same restart zeroes every AS (what the warmup prevents)', async (t) => {
  const s = stack({ lb: { startupMaxDelayMs: 0, startupMinDelayMs: 0 } });
  seedHealthy(s.api);
  s.r.setConnected(true);
  await s.r.idle();
  t.same(s.warmupLog(), ['vpp-lb-warmup-skipped']);
  t.type(s.log.named('vpp-lb-warmup-skipped')[0]!.attrs.impact, 'string');
  t.equal(s.warmup.phase, 'done');
  t.equal(s.done(), 1);
  t.same(s.api.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.1': 0, '10.0.0.2': 0 }, '192.0.2.2/32 tcp 80': { '10.0.0.3': 0, '10.0.0.4': 0 } });
  s.transition('a', 'up');
  await s.r.idle();
  t.equal(s.api.table()['192.0.2.1/32 tcp 80']!['10.0.0.1'], 100, 'events handled at once after a skip');
  s.r.stop();
  s.warmup.stop();
});

void t.test('release phase: per-frontend release by poll and by event; suppressed while a backend is unknown', async (t) => {
  const s = stack();
  seedHealthy(s.api);
  s.r.setConnected(true);
  s.transition('a', 'up');
  s.transition('b', 'down');
  s.transition('c', 'up');
  await s.advanceTo(5000);
  t.same(s.warmup.released(), ['fa'], 'fa known at min (down counts as known); fb waits for d');
  t.same(s.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1'], 'fa synced: b is down');
  s.api.clearCalls();
  await s.advanceTo(6000);
  s.transition('c', 'down');
  await s.r.idle();
  t.match(s.log.named('vpp-reconciler-suppressed-warmup').at(-1)!.attrs, { frontend: 'fb', backend: 'c', from: 'up', to: 'down', elapsed: '6s' });
  t.match(String(s.log.named('vpp-reconciler-suppressed-warmup').at(-1)!.attrs.reason), /\bd\b/, 'reason names the unknown backend');
  s.transition('a', 'down');
  await s.r.idle();
  t.same(s.log.named('vpp-reconciler-event').map((x) => x.attrs.frontend), ['fa'], 'events of a released frontend are handled normally');
  t.same(
    s.api.writes(),
    ['as-weight 192.0.2.1/32 tcp 80 10.0.0.1 w=0 flush=1', 'as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1'],
    'fa written (b, still down, gets its repeated flush-only call); fb still held',
  );
  s.api.clearCalls();
  await s.advanceTo(7000);
  s.transition('d', 'up');
  await s.r.idle();
  t.same(s.warmupLog().slice(-2), ['vpp-lb-warmup-release fb reconciler-event d 7s', 'vpp-lb-warmup-complete 7s']);
  t.same(s.api.writes(), ['as-weight 192.0.2.2/32 tcp 80 10.0.0.3 w=0 flush=1'], 'fb synced by the event run');
  t.equal(s.warmup.phase, 'done');
  s.r.stop();
  s.warmup.stop();
});

void t.test('watchdog: stragglers at max get a full sync (unknown → weight 0) and stale VIPs go', async (t) => {
  const s = stack();
  seedHealthy(s.api);
  s.api.seed({ prefix: '198.51.100.1/32', protocol: 6, port: 80, ases: { '10.9.9.9': 1 } });
  s.r.setConnected(true);
  for (const b of ['a', 'b', 'c']) s.transition(b, 'up');
  await s.advanceTo(29_750);
  t.same(s.api.writes(), [], 'fa released without change, fb held');
  t.same(s.warmup.released(), ['fa']);
  await s.advanceTo(30_000);
  t.same(s.warmupLog().slice(-1), ['vpp-lb-warmup-max-delay-elapsed 30s']);
  t.match(String(s.log.named('vpp-lb-warmup-max-delay-elapsed')[0]!.attrs.impact), /fb/);
  t.same(s.api.writes(), [
    'as-del 198.51.100.1/32 tcp 80 10.9.9.9 flush=1',
    'vip-del 198.51.100.1/32 tcp 80',
    'as-weight 192.0.2.2/32 tcp 80 10.0.0.4 w=0 flush=0',
  ]);
  t.equal(s.warmup.phase, 'done');
  t.equal(s.done(), 1);
  s.api.clearCalls();
  await s.advanceTo(60_000);
  t.same(s.log.named('vpp-lb-sync-done').map((x) => x.attrs.scope), ['vip', 'all', 'all'], 'periodic sync after the watchdog');
  s.r.stop();
  s.warmup.stop();
});

void t.test('no writes of any kind in the min window; RPC refused for the whole warmup', async (t) => {
  const s = stack();
  s.r.setConnected(true);
  for (const b of ['a', 'b', 'c', 'd']) s.transition(b, 'up');
  const all = await s.r.requestAll().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isDaemonError(all, 'WARMUP_IN_PROGRESS'), 'reload/full sync refused');
  const rpc = await s.r.requestSync('fa').then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isDaemonError(rpc, 'WARMUP_IN_PROGRESS'));
  t.equal((rpc as Error).message, 'startup warmup in progress');
  // A weight override with flush waits for the release.
  s.overrides['fa/pool0/a'] = 40;
  let applied = false;
  const override = s.r.requestVip('fa', ['10.0.0.1']).then(() => (applied = true));
  await s.advanceTo(4750);
  t.same(s.api.writes(), [], 'nothing written before min');
  t.notOk(applied);
  await s.advanceTo(5000);
  await override;
  // The conf step goes first: the released VIP needs its encap sources at once.
  t.same(s.api.writes()[0], 'conf ip4=192.0.2.254 ip6=2001:db8::fe buckets=65536 timeout=40', 'lb_conf before the first release');
  t.same(s.api.writes().slice(1, 4), [
    'vip-add 192.0.2.1/32 tcp 80 gre4 sticky=0 len=1024',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.1 w=40 flush=1',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.2 w=50 flush=0',
  ], 'the override and its flush hint are applied at release');
  const afterRpc = s.r.requestSync('fa').then(
    () => 'ok',
    (e: unknown) => e,
  );
  t.equal(await afterRpc, 'ok', 'RPC accepted once the warmup is done');
  s.r.stop();
  s.warmup.stop();
});

void t.test('late VPP: first connect after max goes straight to the watchdog', async (t) => {
  const s = stack();
  s.transition('a', 'up');
  await s.advanceTo(45_000);
  t.same(s.warmupLog(), [], 'nothing before the first connect');
  s.r.setConnected(true);
  await s.r.idle();
  t.same(s.warmupLog(), ['vpp-lb-warmup-start', 'vpp-lb-warmup-max-delay-elapsed 45s']);
  t.equal(s.log.named('vpp-lb-sync-done').length, 1, 'one full sync');
  t.equal(s.log.named('vpp-lb-sync-done')[0]!.attrs.scope, 'all');
  t.equal(s.warmup.phase, 'done');
  s.r.stop();
  s.warmup.stop();
});

void t.test('VPP first connects between min and max: release phase starts at once', async (t) => {
  const s = stack();
  for (const b of ['a', 'b']) s.transition(b, 'up');
  await s.advanceTo(10_000);
  s.r.setConnected(true);
  await s.r.idle();
  t.same(s.warmupLog(), ['vpp-lb-warmup-start', 'vpp-lb-warmup-min-delay-elapsed 10s', 'vpp-lb-warmup-release fa poll 10s']);
  s.r.stop();
  s.warmup.stop();
});

void t.test('disconnect during the warmup: the clock runs on; the warmup resumes on reconnect', async (t) => {
  const s = stack();
  s.r.setConnected(true);
  await s.advanceTo(3000);
  s.r.setConnected(false);
  for (const b of ['a', 'b']) s.transition(b, 'up');
  await s.advanceTo(8000);
  t.same(s.warmupLog(), ['vpp-lb-warmup-start', 'vpp-lb-warmup-min-delay-elapsed 5s'], 'marker logged on time, no release while disconnected');
  t.same(s.api.calls, []);
  s.r.setConnected(true);
  await s.r.idle();
  t.same(s.warmupLog().slice(-1), ['vpp-lb-warmup-release fa poll 8s'], 'poll resumes at reconnect');
  s.r.setConnected(false);
  await s.advanceTo(31_000);
  t.same(s.warmupLog().slice(-1), ['vpp-lb-warmup-max-delay-elapsed 30s']);
  t.equal(s.warmup.phase, 'done', 'max passes while disconnected: done');
  s.api.clearCalls();
  s.r.setConnected(true);
  await s.r.idle();
  t.equal(s.log.named('vpp-lb-sync-done').at(-1)!.attrs.scope, 'all', 'the full sync runs on reconnect');
  s.r.stop();
  s.warmup.stop();
});

void t.test('delays are latched at the first connect; a reload during the warmup feeds the release', async (t) => {
  const s = stack();
  s.r.setConnected(true);
  await s.advanceTo(1000);
  s.h.cfg = makeConfig({
    ...spec,
    frontends: { ...spec.frontends, fc: { address: '192.0.2.3', pools: [{ a: 100 }] } },
    lb: { startupMinDelayMs: 0, startupMaxDelayMs: 2000 },
  });
  t.same(s.warmup.delays, { minMs: 5000, maxMs: 30_000 });
  for (const b of ['a', 'b', 'c', 'd']) s.transition(b, 'up');
  await s.advanceTo(4750);
  t.equal(s.warmup.phase, 'min-delay', 'the reload did not move min');
  await s.advanceTo(5000);
  t.same(s.warmup.released(), ['fa', 'fb', 'fc'], 'the new frontend is released too, sorted by name');
  t.equal(s.warmup.phase, 'done');
  s.r.stop();
  s.warmup.stop();
});

void t.test('release-error is logged and the failed release is retried with the full sync at completion', async (t) => {
  const s = stack();
  s.r.setConnected(true);
  for (const b of ['a', 'b', 'c']) s.transition(b, 'up');
  s.api.failOn(/^vip-add 192\.0\.2\.1\//, -70);
  await s.advanceTo(5000);
  t.match(s.log.named('vpp-lb-warmup-release-error')[0]!.attrs, { frontend: 'fa', err: 'lb_add_del_vip_v2: INVALID_MEMORY_SIZE (-70)' });
  t.same(s.log.named('vpp-lb-sync-error'), [], 'the reconciler leaves release errors to the warmup');
  await s.advanceTo(10_000);
  t.notOk('192.0.2.1/32 tcp 80' in s.api.table(), 'no full sync inside the warmup');
  s.transition('d', 'up');
  await s.r.idle();
  t.equal(s.warmup.phase, 'done');
  t.ok('192.0.2.1/32 tcp 80' in s.api.table(), 'the pending retry runs as a full sync when the gate opens');
  s.r.stop();
  s.warmup.stop();
});

void t.test('adopt: the timeline starts once VPP has been read; a failed read is logged and the warmup goes on', async (t) => {
  const clock = new ManualClock(0);
  const log = new RecordingLogger();
  const cfg = makeConfig({ ...spec });
  const reads: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const warmup = new Warmup({
    clock,
    log,
    startedAt: 0,
    config: () => cfg,
    stateOf: () => 'up',
    adopt: () => new Promise<void>((resolve, reject) => reads.push({ resolve, reject })),
  });
  warmup.attach({ syncVip: () => Promise.resolve(), opened: () => {} });
  warmup.onConnect();
  warmup.onConnect(); // a second connect while reading does not read twice
  t.equal(reads.length, 1);
  t.equal(warmup.phase, 'waiting', 'no timeline before the read');
  reads[0]!.resolve();
  await new Promise((r) => setImmediate(r));
  t.equal(warmup.phase, 'min-delay', 'the timeline starts after the read');

  const failing = new Warmup({ clock, log, startedAt: 0, config: () => cfg, stateOf: () => 'up', adopt: () => Promise.reject(new Error('dump failed')) });
  failing.attach({ syncVip: () => Promise.resolve(), opened: () => {} });
  failing.onConnect();
  await new Promise((r) => setImmediate(r));
  t.equal(failing.phase, 'min-delay');
  t.match(log.named('vpp-lb-warmup-adopt-error')[0]?.attrs, { err: 'dump failed' });

  let calls = 0;
  const gone = new Warmup({ clock, log, startedAt: 0, config: () => cfg, stateOf: () => 'up', adopt: () => (calls++, Promise.resolve()) });
  gone.attach({ syncVip: () => Promise.resolve(), opened: () => {} });
  gone.onConnect();
  gone.onDisconnect(); // VPP went away during the read
  await new Promise((r) => setImmediate(r));
  t.equal(gone.phase, 'waiting', 'a disconnect during the read leaves the warmup waiting');
  gone.onConnect();
  await new Promise((r) => setImmediate(r));
  t.same([gone.phase, calls], ['min-delay', 2], 'the next connect reads again and starts');
  for (const w of [warmup, failing, gone]) w.stop();
});
