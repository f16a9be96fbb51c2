import t from 'tap';
import { ManualClock } from '../support/manual-clock.js';
import type { BackendState } from '../../src/shared/health.js';
import { DaemonError, isDaemonError } from '../../src/shared/errors.js';
import { LbSync, type SyncScope } from '../../src/sync/lb-sync.js';
import type { SyncKind } from '../../src/sync/lb-plan.js';
import { VppApiError } from '../../src/vpp/vpp-api-error.js';
import { makeConfig, makeInputs, type ConfigSpec } from '../support/lb-test-config.js';
import { ModelLbApi } from '../support/model-lb-api.js';
import { RecordingLogger } from '../support/recording-logger.js';

const baseSpec: ConfigSpec = {
  backends: { a: '10.0.0.10', b: '10.0.0.2', c: '10.0.0.3', s6: '2001:db8::5' },
  frontends: {
    web: { address: '192.0.2.1', port: 80, pools: [{ a: 100, b: 100 }, { c: 100 }] },
    dns6: { address: '2001:db8::53', protocol: 'udp', port: 53, pools: [{ s6: 100 }] },
  },
};

function harness(spec: ConfigSpec = baseSpec, states: Record<string, BackendState> = { a: 'up', b: 'up', c: 'up', s6: 'up' }) {
  const clock = new ManualClock();
  const api = new ModelLbApi(clock);
  const log = new RecordingLogger();
  const metrics: Array<[SyncScope, SyncKind, number]> = [];
  const sync = new LbSync({ api, clock, log, onCount: (s, k, n) => metrics.push([s, k, n]) });
  let cfg = makeConfig(spec);
  const inputs = makeInputs(() => cfg, states);
  return {
    api,
    log,
    metrics,
    states,
    sync,
    inputs,
    get cfg() {
      return cfg;
    },
    set cfg(c) {
      cfg = c;
    },
  };
}

void t.test('cold full sync: conf, then VIPs in numeric order, ASes in numeric order', async (t) => {
  const h = harness();
  const report = await h.sync.syncAll(h.cfg, h.inputs);
  t.same(h.api.calls, [
    'conf-get',
    'conf ip4=192.0.2.254 ip6=2001:db8::fe buckets=65536 timeout=40',
    'vip-dump',
    'as-dump',
    'vips-verbose',
    'vip-add 192.0.2.1/32 tcp 80 gre4 sticky=0 len=1024',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.3 w=0 flush=0',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.10 w=100 flush=0',
    'vip-add 2001:db8::53/128 udp 53 gre6 sticky=0 len=1024',
    'as-add 2001:db8::53/128 udp 53 2001:db8::5 w=100 flush=0',
  ]);
  t.same(report.counts, { vip_added: 2, vip_removed: 0, as_added: 4, as_removed: 0, as_weight_updated: 0, as_flushed: 0, conf_updated: 1 });
  t.same(h.metrics, [
    ['all', 'vip_added', 2],
    ['all', 'as_added', 4],
    ['all', 'conf_updated', 1],
  ], 'only non-zero kinds reach the metrics hook');
  const done = h.log.named('vpp-lb-sync-done');
  t.equal(done.length, 1);
  t.equal(done[0]!.level, 'info');
  t.match(done[0]!.attrs, { scope: 'all', vip_added: 2, as_added: 4, elapsed: '0s' });
  t.same(h.log.named('vpp-lb-as-add').map((r) => r.attrs.address), ['10.0.0.2', '10.0.0.3', '10.0.0.10', '2001:db8::5']);
  t.match(h.log.named('vpp-lb-vip-add')[0]!.attrs, { vip: '192.0.2.1/32 tcp 80', encap: 'gre4', 'src-ip-sticky': false });

  // A second run over an all-healthy dataplane writes nothing at all.
  h.api.clearCalls();
  h.metrics.length = 0;
  const again = await h.sync.syncAll(h.cfg, h.inputs);
  t.same(h.api.writes(), [], 'no-op sync: zero writes');
  t.same(h.metrics, []);
  t.equal(again.counts.as_flushed + again.counts.as_added + again.counts.as_weight_updated, 0);
  t.equal(h.log.named('vpp-lb-sync-done')[1]!.level, 'debug', 'no changes → DEBUG');
});

void t.test('down backend with flush-on-down: flush-only call on every sync, logged at DEBUG', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.states.b = 'down';
  h.api.clearCalls();
  await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1']);
  t.match(h.log.named('vpp-lb-as-weight').at(-1)!.attrs, { vip: '192.0.2.1/32 tcp 80', address: '10.0.0.2', from: 100, to: 0, flush: true });
  for (let i = 0; i < 2; i++) {
    h.api.clearCalls();
    h.metrics.length = 0;
    const r = await h.sync.syncVip(h.cfg, h.inputs, 'web');
    t.same(h.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1'], `repeat ${i}: flush-only`);
    t.equal(r.counts.as_flushed, 1);
    t.same(h.metrics, [['vip', 'as_flushed', 1]]);
    t.equal(h.log.named('vpp-lb-sync-done').at(-1)!.level, 'debug', 'a flush-only run is not a change');
    t.equal(h.log.named('vpp-lb-sync-done').at(-1)!.attrs['as_flushed'], 1, 'the log line counts what the metric counts');
    t.equal(h.log.named('vpp-lb-as-flush').at(-1)!.level, 'debug');
  }
  // Paused drains gracefully: weight 0 without flush, then nothing more.
  h.states.a = 'paused';
  h.states.b = 'up';
  h.api.clearCalls();
  await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0', 'as-weight 192.0.2.1/32 tcp 80 10.0.0.10 w=0 flush=0']);
  h.api.clearCalls();
  await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.writes(), []);
});

void t.test('VIP scope never removes VIPs; full scope removes stale VIPs and ASes', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.api.seed({ prefix: '198.51.100.7/32', protocol: 6, port: 443, ases: { '10.9.9.9': 10 } });
  h.cfg = makeConfig({ ...baseSpec, frontends: { ...baseSpec.frontends, web: { address: '192.0.2.1', port: 80, pools: [{ a: 100, b: 100 }] } } });
  h.api.clearCalls();
  await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.writes(), ['as-del 192.0.2.1/32 tcp 80 10.0.0.3 flush=1'], 'stale AS of its own VIP removed');
  t.ok('198.51.100.7/32 tcp 443' in h.api.table(), 'hand-made VIP survives a VIP sync');
  h.api.clearCalls();
  const r = await h.sync.syncAll(h.cfg, h.inputs);
  t.same(h.api.writes(), ['as-del 198.51.100.7/32 tcp 443 10.9.9.9 flush=1', 'vip-del 198.51.100.7/32 tcp 443']);
  t.equal(r.counts.vip_removed, 1);
  t.equal(r.counts.as_removed, 1);
  t.notOk('198.51.100.7/32 tcp 443' in h.api.table());
});

void t.test('unknown frontend → NOT_FOUND without any call', async (t) => {
  const h = harness();
  await t.rejects(h.sync.syncVip(h.cfg, h.inputs, 'nope'), { code: 'NOT_FOUND' });
  t.same(h.api.calls, []);
});

void t.test('recreate on sticky flip is logged with frontend, vip and reason', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.cfg = makeConfig({ ...baseSpec, frontends: { ...baseSpec.frontends, web: { ...baseSpec.frontends.web!, srcIpSticky: true } } });
  h.api.clearCalls();
  const r = await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.writes(), [
    'as-del 192.0.2.1/32 tcp 80 10.0.0.2 flush=1',
    'as-del 192.0.2.1/32 tcp 80 10.0.0.3 flush=1',
    'as-del 192.0.2.1/32 tcp 80 10.0.0.10 flush=1',
    'vip-del 192.0.2.1/32 tcp 80',
    'vip-add 192.0.2.1/32 tcp 80 gre4 sticky=1 len=1024',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.3 w=0 flush=0',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.10 w=100 flush=0',
  ]);
  t.same(h.log.named('vpp-lb-vip-recreate').map((x) => x.attrs), [{ frontend: 'web', vip: '192.0.2.1/32 tcp 80', reason: 'src-ip-sticky false -> true' }]);
  t.match(r.counts, { vip_removed: 1, vip_added: 1, as_removed: 3, as_added: 3 });
  h.api.clearCalls();
  await h.sync.syncAll(h.cfg, h.inputs);
  t.same(h.api.writes(), [], 'stable afterwards');
});

void t.test('AS add answering -81 falls back to lb_as_set_weight', async (t) => {
  const h = harness();
  // Something adds the AS between our read and our add: VPP answers -81.
  h.api.beforeCall = (call) => {
    if (call.startsWith('as-add 192.0.2.1/32 tcp 80 10.0.0.2 ')) h.api.seedAs({ prefix: '192.0.2.1/32', protocol: 6, port: 80 }, '10.0.0.2', 7);
  };
  const r = await h.sync.syncAll(h.cfg, h.inputs);
  const writes = h.api.writes();
  const i = writes.indexOf('as-add 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0');
  const fallback = writes.indexOf('as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0');
  const nextVip = writes.indexOf('vip-add 2001:db8::53/128 udp 53 gre6 sticky=0 len=1024');
  t.ok(i >= 0 && fallback > i, 'the fallback follows the refused add');
  // The adds of its batch were already in flight; the next VIP waits for the fallback.
  t.same(writes.slice(i + 1, fallback), ['as-add 192.0.2.1/32 tcp 80 10.0.0.3 w=0 flush=0', 'as-add 192.0.2.1/32 tcp 80 10.0.0.10 w=100 flush=0']);
  t.ok(nextVip > fallback, 'the next batch starts after the fallback');
  t.equal(h.api.table()['192.0.2.1/32 tcp 80']!['10.0.0.2'], 100);
  t.match(r.counts, { as_added: 3, as_weight_updated: 1 });
});

void t.test('AS calls of one VIP and phase are pipelined; the next batch waits for their replies', async (t) => {
  const h = harness();
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  // Hold every AS add of the IPv4 VIP until released, as a VPP slow to answer would.
  h.api.beforeCall = (call) => (call.startsWith('as-add 192.0.2.1/32 ') ? held : undefined);
  const run = h.sync.syncAll(h.cfg, h.inputs);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(h.api.writes().filter((w) => w.startsWith('as-add')), [
    'as-add 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.3 w=0 flush=0',
    'as-add 192.0.2.1/32 tcp 80 10.0.0.10 w=100 flush=0',
  ], 'all three adds are in flight before any reply');
  t.notOk(h.api.calls.some((c) => c.includes('2001:db8::53')), 'the next VIP waits');
  release();
  const r = await run;
  t.match(r.counts, { vip_added: 2, as_added: 4 });
  t.ok(h.api.calls.some((c) => c.startsWith('vip-add 2001:db8::53/128')), 'and then goes on');
});

void t.test('VIP add answering -73 in a VIP sync escalates to a full sync', async (t) => {
  // Two frontends share a prefix; their backends moved from IPv4 to IPv6 (gre4 → gre6).
  const v4 = makeConfig({
    backends: { x: '10.0.0.1' },
    frontends: { http: { address: '192.0.2.1', port: 80, pools: [{ x: 100 }] }, https: { address: '192.0.2.1', port: 443, pools: [{ x: 100 }] } },
  });
  const h = harness(
    {
      backends: { x: '2001:db8::1' },
      frontends: { http: { address: '192.0.2.1', port: 80, pools: [{ x: 100 }] }, https: { address: '192.0.2.1', port: 443, pools: [{ x: 100 }] } },
    },
    { x: 'up' },
  );
  await h.sync.syncAll(v4, makeInputs(() => v4, { x: 'up' }));
  h.api.clearCalls();
  h.metrics.length = 0;
  const r = await h.sync.syncVip(h.cfg, h.inputs, 'http');
  t.equal(r.scope, 'all', 'reported as the full sync it became');
  t.same(h.api.writes(), [
    // The VIP sync: recreate http's VIP... refused with -73 because https still has gre4.
    'as-del 192.0.2.1/32 tcp 80 10.0.0.1 flush=1',
    'vip-del 192.0.2.1/32 tcp 80',
    'vip-add 192.0.2.1/32 tcp 80 gre6 sticky=0 len=1024',
    // The full sync: removals first, then both VIPs with the new encap.
    'as-del 192.0.2.1/32 tcp 443 10.0.0.1 flush=1',
    'vip-del 192.0.2.1/32 tcp 443',
    'vip-add 192.0.2.1/32 tcp 80 gre6 sticky=0 len=1024',
    'as-add 192.0.2.1/32 tcp 80 2001:db8::1 w=100 flush=0',
    'vip-add 192.0.2.1/32 tcp 443 gre6 sticky=0 len=1024',
    'as-add 192.0.2.1/32 tcp 443 2001:db8::1 w=100 flush=0',
  ]);
  t.same(h.metrics, [
    ['vip', 'vip_removed', 1],
    ['vip', 'as_removed', 1],
    ['all', 'vip_added', 2],
    ['all', 'vip_removed', 1],
    ['all', 'as_added', 2],
    ['all', 'as_removed', 1],
  ], 'the aborted VIP part counts its real changes under scope vip');
  t.equal(h.log.named('vpp-lb-sync-escalate').length, 1);
  t.same(h.api.table(), { '192.0.2.1/32 tcp 80': { '2001:db8::1': 100 }, '192.0.2.1/32 tcp 443': { '2001:db8::1': 100 } });
});

void t.test('any other error aborts the run', async (t) => {
  const h = harness();
  h.api.failOn(/^as-add 192\.0\.2\.1\/32 tcp 80 10\.0\.0\.3 /, -97);
  const err = await h.sync.syncAll(h.cfg, h.inputs).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof VppApiError && err.retval === -97, 'the VPP error propagates');
  t.equal((err as Error).message, 'lb_add_del_as_v2: INVALID_ADDRESS_FAMILY (-97)');
  // 10.0.0.10 was in flight in the same batch (same VIP, same phase); the next batch never starts.
  t.ok(h.api.calls.some((c) => c.startsWith('as-add 192.0.2.1/32 tcp 80 10.0.0.10 ')), 'the rest of the batch landed');
  t.notOk(h.api.calls.some((c) => c.includes('2001:db8::53')), 'nothing after the failed batch');
  t.same(h.metrics, [
    ['all', 'vip_added', 1],
    ['all', 'as_added', 2],
    ['all', 'conf_updated', 1],
  ], 'changes made before the failure are counted');
  t.same(h.log.named('vpp-lb-sync-done'), [], 'no sync-done for a failed run');
  // The next run diffs again and finishes the job.
  const r = await h.sync.syncAll(h.cfg, h.inputs);
  t.match(r.counts, { vip_added: 1, as_added: 2, conf_updated: 0 });

  const d = harness();
  d.api.connected = false;
  const nc = await d.sync.syncAll(d.cfg, d.inputs).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isDaemonError(nc, 'VPP_NOT_CONNECTED'));

  // The daemon hands a getter for the current connection's API, resolved once per run.
  const link: { session?: ModelLbApi } = {};
  const viaGetter = new LbSync({
    api: () => {
      if (link.session === undefined) throw new DaemonError('VPP_NOT_CONNECTED', 'VPP not connected');
      return link.session;
    },
    clock: new ManualClock(),
    log: new RecordingLogger(),
  });
  const g = await viaGetter.syncVip(h.cfg, h.inputs, 'web').then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isDaemonError(g, 'VPP_NOT_CONNECTED'), 'no connection → VPP_NOT_CONNECTED');
  link.session = new ModelLbApi();
  await viaGetter.syncAll(h.cfg, h.inputs);
  t.equal(Object.keys(link.session.table()).length, 2, 'the getter’s API is used');
});

void t.test('flush hints force is_flush at any weight, once', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.api.clearCalls();
  await h.sync.syncVip(h.cfg, h.inputs, 'web', new Set(['10.0.0.10']));
  t.same(h.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.10 w=100 flush=1']);
  h.api.clearCalls();
  await h.sync.syncAll(h.cfg, h.inputs, new Map([['dns6', new Set(['2001:db8::5'])]]));
  t.same(h.api.writes(), ['as-weight 2001:db8::53/128 udp 53 2001:db8::5 w=100 flush=1']);
  h.api.clearCalls();
  await h.sync.syncAll(h.cfg, h.inputs);
  t.same(h.api.writes(), []);
});

void t.test('lb_conf: unset src family keeps the current value', async (t) => {
  const h = harness({ ...baseSpec, lb: { ipv6SrcAddress: undefined, flowTimeoutS: 60 } });
  h.api.seedConf({ ip4SrcAddress: '192.0.2.254', ip6SrcAddress: '2001:db8::77', stickyBucketsPerCore: 65536, flowTimeoutS: 40 });
  await h.sync.syncAll(h.cfg, h.inputs);
  t.equal(h.api.calls[1], 'conf ip4=192.0.2.254 ip6=2001:db8::77 buckets=65536 timeout=60');
  t.match(h.log.named('vpp-lb-conf')[0]!.attrs, { 'ipv6-src-address': '2001:db8::77', 'flow-timeout': '1m0s' });
  h.api.clearCalls();
  await h.sync.syncAll(h.cfg, h.inputs);
  t.notOk(h.api.calls.some((c) => c.startsWith('conf ')), 'equal conf is not rewritten');
});

void t.test('a VIP sync plans against what the last full sync read and wrote: no dump', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.api.clearCalls();
  h.states.b = 'down';
  await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.calls, ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1'], 'the write alone, no read');
  h.states.b = 'up';
  h.api.clearCalls();
  await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.calls, ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0'], 'the belief followed the previous write');

  // An engine that never read (a restarted maglevd) reads once, then plans from that.
  const fresh = new LbSync({ api: h.api, clock: new ManualClock(), log: new RecordingLogger() });
  h.api.clearCalls();
  await fresh.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.calls, ['vip-dump', 'as-dump', 'vips-verbose'], 'no belief yet: one read, nothing to change');
  h.api.clearCalls();
  await fresh.syncVip(h.cfg, h.inputs, 'dns6');
  t.same(h.api.calls, [], 'that read covers every VIP');
});

void t.test('the belief is dropped with the connection: a new API object, or reset()', async (t) => {
  const link: { session: ModelLbApi } = { session: new ModelLbApi() };
  const h = harness();
  const sync = new LbSync({ api: () => link.session, clock: new ManualClock(), log: new RecordingLogger() });
  await sync.syncAll(h.cfg, h.inputs);
  link.session = new ModelLbApi(); // VPP restarted: an empty lb plugin behind a new connection
  await sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(link.session.calls.slice(0, 3), ['vip-dump', 'as-dump', 'vips-verbose'], 'read again over the new connection');
  t.same(link.session.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.2': 100, '10.0.0.3': 0, '10.0.0.10': 100 } }, 'and recreated the VIP');
  link.session.clearCalls();
  sync.reset();
  await sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(link.session.calls, ['vip-dump', 'as-dump', 'vips-verbose'], 'reset(): read again');
});

void t.test('a full sync reports drift from the belief, counts it, and corrects it', async (t) => {
  const clock = new ManualClock();
  const api = new ModelLbApi(clock);
  const log = new RecordingLogger();
  const drift: number[] = [];
  const sync = new LbSync({ api, clock, log, onDrift: (n) => drift.push(n) });
  const h = harness();
  await sync.syncAll(h.cfg, h.inputs);
  t.same(log.named('vpp-lb-drift'), [], 'no drift on the first read: nothing was believed');
  // Behind maglevd's back: a weight changed and a hand-made VIP appeared.
  t.equal(api.model.setWeight({ prefix: '192.0.2.1/32', protocol: 6, port: 80 }, '10.0.0.10', 5, false), 0);
  api.seed({ prefix: '198.51.100.7/32', protocol: 6, port: 443, ases: { '10.9.9.9': 10 } });
  api.clearCalls();
  await sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(api.calls, [], 'a VIP sync trusts the belief (no read, nothing to write)');
  await sync.syncAll(h.cfg, h.inputs);
  const warn = log.named('vpp-lb-drift');
  t.equal(warn.length, 1);
  t.equal(warn[0]!.level, 'warn');
  t.match(warn[0]!.attrs, { scope: 'all', count: 2, examples: '192.0.2.1/32 tcp 80 10.0.0.10: weight 5, believed 100; 198.51.100.7/32 tcp 443: unexpected VIP' });
  t.same(drift, [2]);
  t.same(api.table(), { '192.0.2.1/32 tcp 80': { '10.0.0.2': 100, '10.0.0.3': 0, '10.0.0.10': 100 }, '2001:db8::53/128 udp 53': { '2001:db8::5': 100 } }, 'corrected');
  await sync.syncAll(h.cfg, h.inputs);
  t.equal(log.named('vpp-lb-drift').length, 1, 'no drift once corrected');
});

void t.test('a failed write forgets its VIP: the next VIP sync of it reads first', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.states.b = 'down';
  h.api.failOn(/^as-weight 192\.0\.2\.1\//, -6);
  await t.rejects(h.sync.syncVip(h.cfg, h.inputs, 'web'), { message: 'lb_as_set_weight: NO_SUCH_ENTRY (-6)' });
  h.api.clearCalls();
  await h.sync.syncVip(h.cfg, h.inputs, 'dns6');
  t.same(h.api.calls, [], 'the other VIP is still known');
  await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.calls, ['vip-dump', 'as-dump', 'vips-verbose', 'as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1'], 'read, then the write again');
});

/** A ModelLbApi that keeps the calls of each inOneWrite together, as one socket write would. */
class GroupingApi extends ModelLbApi {
  readonly socketWrites: string[][] = [];

  inOneWrite<T>(fn: () => T): T {
    const before = this.calls.length;
    const r = fn();
    this.socketWrites.push(this.calls.slice(before));
    return r;
  }
}

void t.test('syncVips: the VIPs of one run go out side by side; one failure does not stop the others', async (t) => {
  const clock = new ManualClock();
  const api = new GroupingApi(clock);
  const sync = new LbSync({ api, clock, log: new RecordingLogger() });
  const h = harness();
  await sync.syncAll(h.cfg, h.inputs);
  api.socketWrites.length = 0;
  h.states.b = 'down';
  h.states.s6 = 'down';
  const written: string[] = [];
  const r = await sync.syncVips(h.cfg, h.inputs, [{ frontend: 'dns6' }, { frontend: 'web' }, { frontend: 'nope' }], (f) => written.push(f));
  t.same(api.socketWrites[0], ['as-weight 2001:db8::53/128 udp 53 2001:db8::5 w=0 flush=1', 'as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1'], 'both first calls in one write, in request order');
  t.same(written, ['dns6', 'web'], 'each frontend is told once its first AS call is written');
  t.same([...r.failures.keys()], ['nope']);
  t.match(r.failures.get('nope'), { code: 'NOT_FOUND' });
  t.match(r.report.counts, { as_weight_updated: 2 });

  h.states.b = 'up';
  h.states.s6 = 'up';
  api.failOn(/^as-weight 192\.0\.2\.1\//, -97);
  const r2 = await sync.syncVips(h.cfg, h.inputs, [{ frontend: 'web' }, { frontend: 'dns6' }]);
  t.same([...r2.failures.keys()], ['web']);
  t.equal(api.table()['2001:db8::53/128 udp 53']!['2001:db8::5'], 100, 'dns6 was still synced');
  const none = await sync.syncVips(h.cfg, h.inputs, [{ frontend: 'dns6' }], (f) => written.push(f));
  t.same(none.failures.size, 0);
  t.equal(written.length, 2, 'no AS call, no write notice');
});

void t.test('syncVips tells `issued` when its last writes are sent; the replies settle it; a VIP waits for its tail', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.api.clearCalls();
  let release = h.api.holdCalls('as-weight');
  h.states.b = 'down';
  let issued = 0;
  let settled = false;
  const first = h.sync.syncVips(h.cfg, h.inputs, [{ frontend: 'web' }], undefined, () => issued++).then((r) => {
    settled = true;
    return r;
  });
  t.equal(issued, 1, 'issued synchronously: the write is on its way');
  t.same(h.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1']);
  // The same VIP again: it waits for the unanswered write (its tail) before it plans.
  h.states.b = 'up';
  let issued2 = 0;
  const second = h.sync.syncVips(h.cfg, h.inputs, [{ frontend: 'web' }], undefined, () => issued2++);
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(settled, 'the replies are still held');
  t.equal(h.api.writes().length, 1, 'the second run has not written yet');
  t.equal(issued2, 1, 'but it is issued: its turn is fixed behind the tail, the next run need not wait');
  release();
  t.same((await first).failures.size, 0);
  t.same((await second).failures.size, 0);
  t.equal(issued2, 1);
  t.same(h.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1', 'as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0'], 'planned after the first reply');
  // A full sync waits for every tail too.
  release = h.api.holdCalls('as-weight');
  h.states.b = 'down';
  void h.sync.syncVips(h.cfg, h.inputs, [{ frontend: 'web' }]);
  h.api.clearCalls();
  const all = h.sync.syncAll(h.cfg, h.inputs);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(h.api.calls, [], 'no read while a write is unanswered');
  release();
  await all;
  t.equal(h.api.calls[0], 'conf-get');
});

void t.test('a full sync sends the single-batch changes of many VIPs together', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.api.clearCalls();
  const release = h.api.holdCalls('as-weight');
  h.states.b = 'down';
  h.states.s6 = 'down';
  const run = h.sync.syncAll(h.cfg, h.inputs);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(h.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1', 'as-weight 2001:db8::53/128 udp 53 2001:db8::5 w=0 flush=1'], 'both in flight before any reply');
  release();
  t.match((await run).counts, { as_weight_updated: 2 });
});

void t.test('a VIP waiting for its tail does not hold back the others; a failed tail leaves it to a read', async (t) => {
  const h = harness();
  await h.sync.syncAll(h.cfg, h.inputs);
  h.api.clearCalls();
  const release = h.api.holdCalls('as-weight 192.0.2.1/32');
  h.states.b = 'down';
  h.api.failOn(/^as-weight 192\.0\.2\.1\//, -6);
  const first = h.sync.syncVips(h.cfg, h.inputs, [{ frontend: 'web' }]);
  h.states.b = 'up';
  h.states.s6 = 'down';
  const second = h.sync.syncVips(h.cfg, h.inputs, [{ frontend: 'web' }, { frontend: 'dns6' }]);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(h.api.writes(), ['as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1', 'as-weight 2001:db8::53/128 udp 53 2001:db8::5 w=0 flush=1'], 'dns6 went out while web waits for its unanswered write');
  release();
  t.match((await first).failures.get('web'), { retval: -6 });
  const r = await second;
  t.match(r.failures.get('web'), { code: 'FAILED_PRECONDITION' }, 'web is not planned from a belief its failed write made stale');
  t.notOk(r.failures.has('dns6'));
  h.api.clearCalls();
  await h.sync.syncVip(h.cfg, h.inputs, 'web');
  t.same(h.api.calls.slice(0, 3), ['vip-dump', 'as-dump', 'vips-verbose'], 'the next sync of web reads');
});
