// maglevd metrics: a scrape of the fake control plane has every upstream series with its labels, the
// hooks count what they should, VPP series follow the connection and vanish when VPP is
// disabled, and the HTTP listener serves /metrics and /healthz (200 and the 503 watchdog).

import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import t from 'tap';
import type { CheckerEvent, CheckerEventSource } from '../../src/checker/events.js';
import { countCheckerTransitions, createMetrics, registerStateCollectors, type MetricsHooks } from '../../src/metrics/metrics.js';
import { healthz } from '../../src/metrics/healthz.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { startMetricsServer } from '../../src/metrics/server.js';
import { ManualClock } from '../support/manual-clock.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { FakeControlPlane, T0 } from '../support/fake-control-plane.js';
import { RecordingLogger } from '../support/recording-logger.js';

/** Sample lines of an exposition as `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

function setup(opts: { vppEnabled?: boolean; defaultMetrics?: boolean } = {}): {
  fake: FakeControlPlane;
  registry: Registry;
  hooks: MetricsHooks;
  clock: ManualClock;
  scrape: () => Promise<Map<string, number>>;
} {
  const fake = new FakeControlPlane();
  const registry = new Registry();
  const clock = new ManualClock(T0);
  const vppEnabled = opts.vppEnabled ?? true;
  const hooks = createMetrics({
    registry,
    vppEnabled,
    build: { version: '1.2.3', commit: 'abc', date: '2026-04-01' },
    defaultMetrics: opts.defaultMetrics ?? false,
  });
  registerStateCollectors(registry, fake, { clock, vppEnabled });
  return { fake, registry, hooks, clock, scrape: async () => samples(await registry.metrics()) };
}

void t.test('agent-check series: only backends with an agent check, their state and bad answers', async (t) => {
  const { fake, scrape } = setup();
  fake.backends.get('nginx0-ams')!.agent = { verdict: { state: 'drain', percent: 100 }, port: 9999, lastAnswer: 'drain', lastAnswerAt: T0, badAnswers: 2, lastError: '' };
  const s = await scrape();
  t.equal(s.get('maglev_backend_agent_state{backend="nginx0-ams",state="drain"}'), 1);
  t.equal(s.get('maglev_backend_agent_bad_answers{backend="nginx0-ams"}'), 2);
  t.same(
    [...s.keys()].filter((k) => k.startsWith('maglev_backend_agent_')),
    ['maglev_backend_agent_state{backend="nginx0-ams",state="drain"}', 'maglev_backend_agent_bad_answers{backend="nginx0-ams"}'],
    'one series per backend with an agent check',
  );
});

void t.test('a scrape has every state series with its labels', async (t) => {
  const { scrape } = setup();
  const s = await scrape();
  const want: Array<[string, number]> = [
    ['maglev_build_info{version="1.2.3",commit="abc",date="2026-04-01"}', 1],
    ['maglev_backend_state{backend="nginx0-ams",state="up"}', 1],
    ['maglev_backend_state{backend="nginx0-fra",state="down"}', 1],
    ['maglev_backend_state{backend="nginx1-zrh",state="disabled"}', 1],
    ['maglev_backend_health{backend="nginx0-ams"}', 4],
    ['maglev_backend_enabled{backend="nginx1-zrh"}', 0],
    ['maglev_backend_enabled{backend="nginx0-ams"}', 1],
    ['maglev_frontend_pool_backend_weight{frontend="web4",pool="fallback",backend="nginx1-zrh"}', 50],
    ['maglev_frontend_pool_backend_effective_weight{frontend="web4",pool="primary",backend="nginx0-ams"}', 100],
    ['maglev_frontend_pool_backend_effective_weight{frontend="web4",pool="primary",backend="nginx0-fra"}', 0],
    ['maglev_frontend_pool_backend_effective_weight{frontend="web6",pool="main",backend="nginx0-ams"}', 10],
    ['maglev_frontend_state{frontend="web4",state="up"}', 1],
    ['maglev_frontend_panic{frontend="web4"}', 0],
    ['maglev_vpp_connected', 1],
    ['maglev_vpp_uptime_seconds', 86400],
    ['maglev_vpp_connected_seconds', 3600],
    ['maglev_vpp_info{version="26.06-release",build_date="2026-06-01T10:00:00",pid="4242"}', 1],
    ['maglev_vpp_warmup_complete', 1],
    ['maglev_vip_packets_total{prefix="198.51.100.1/32",protocol="6",port="80",kind="next"}', 1000],
    ['maglev_vip_packets_total{prefix="198.51.100.1/32",protocol="6",port="80",kind="first"}', 10],
    ['maglev_vip_packets_total{prefix="198.51.100.1/32",protocol="6",port="80",kind="untracked"}', 0],
    ['maglev_vip_packets_total{prefix="198.51.100.1/32",protocol="6",port="80",kind="no-server"}', 2],
    ['maglev_vip_packets_total{prefix="2001:db8::1/128",protocol="255",port="0",kind="untracked"}', 3],
    ['maglev_vip_route_packets_total{prefix="198.51.100.1/32"}', 1012],
    ['maglev_vip_route_bytes_total{prefix="198.51.100.1/32"}', 123456789012],
  ];
  for (const [k, v] of want) t.equal(s.get(k), v, k);
  t.equal([...s.keys()].filter((k) => k.startsWith('maglev_backend_state{')).length, 3, 'one state series per backend');
  t.notOk([...s.keys()].some((k) => k.startsWith('maglev_vip_route_packets_total{prefix="2001:db8::1/128"')), 'no FIB series without FIB counters');
});

void t.test('hooks count probes, transitions, VPP API messages and sync changes', async (t) => {
  const { hooks, scrape } = setup();
  hooks.onProbe('nginx0-ams', 'http', 'L7OK', 'recorded', 2);
  hooks.onProbe('nginx0-ams', 'http', 'L7STS', 'recorded', 30);
  hooks.onProbe('nginx0-ams', 'http', 'L4TOUT', 'discarded', 1000);
  hooks.onProbe('nginx0-ams', 'http', 'SOCKERR', 'discarded', 0, 'EMFILE');
  hooks.onProbeScheduled(3);
  hooks.onProbeScheduled(40);
  hooks.onVppApi('lb_conf_get', 'send', true);
  hooks.onVppApi('lb_add_del_vip_v2', 'recv', false);
  hooks.onLbSync('vip', { as_added: 2, as_removed: 0, as_weight_updated: 1 });
  hooks.onLbSync('vip', { as_added: 1 });
  hooks.onFrontendTransition('web4', 'up', 'down');
  const s = await scrape();
  const want: Array<[string, number]> = [
    ['maglev_probe_total{backend="nginx0-ams",type="http",result="success",code="L7OK"}', 1],
    ['maglev_probe_total{backend="nginx0-ams",type="http",result="failure",code="L7STS"}', 1],
    ['maglev_probe_total{backend="nginx0-ams",type="http",result="discarded",code="L4TOUT"}', 1],
    ['maglev_probe_total{backend="nginx0-ams",type="http",result="discarded",code="SOCKERR"}', 1],
    ['maglev_probe_discarded_total{reason="stall"}', 1],
    ['maglev_probe_discarded_total{reason="EMFILE"}', 1],
    ['maglev_probe_discarded_total{reason="shard-lost"}', 0],
    ['maglev_probe_duration_seconds_bucket{le="0.001",backend="nginx0-ams",type="http"}', 0],
    ['maglev_probe_duration_seconds_bucket{le="0.0025",backend="nginx0-ams",type="http"}', 1],
    ['maglev_probe_duration_seconds_bucket{le="0.05",backend="nginx0-ams",type="http"}', 2],
    ['maglev_probe_duration_seconds_bucket{le="2.5",backend="nginx0-ams",type="http"}', 2],
    ['maglev_probe_duration_seconds_count{backend="nginx0-ams",type="http"}', 2],
    ['maglev_probe_schedule_lateness_seconds_bucket{le="0.001"}', 0],
    ['maglev_probe_schedule_lateness_seconds_bucket{le="0.005"}', 1],
    ['maglev_probe_schedule_lateness_seconds_bucket{le="0.05"}', 2],
    ['maglev_probe_schedule_lateness_seconds_count', 2],
    ['maglev_vpp_api_total{msg="lb_conf_get",direction="send",result="success"}', 1],
    ['maglev_vpp_api_total{msg="lb_add_del_vip_v2",direction="recv",result="failure"}', 1],
    ['maglev_vpp_lbsync_total{scope="vip",kind="as_added"}', 3],
    ['maglev_vpp_lbsync_total{scope="vip",kind="as_weight_updated"}', 1],
    ['maglev_frontend_transitions_total{frontend="web4",from="up",to="down"}', 1],
  ];
  for (const [k, v] of want) t.equal(s.get(k), v, k);
  t.notOk(s.has('maglev_vpp_lbsync_total{scope="vip",kind="as_removed"}'), 'zero counts are not incremented');
  const buckets = [...s.keys()].filter((k) => k.startsWith('maglev_probe_duration_seconds_bucket')).map((k) => /le="([^"]+)"/.exec(k)?.[1]);
  t.same(buckets, ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf']);
});

void t.test('checker transitions are counted once each, whatever frontends they affect', async (t) => {
  const { hooks, scrape } = setup();
  let listener: ((ev: CheckerEvent) => void) | undefined;
  const source: CheckerEventSource = {
    subscribe(fn) {
      listener = fn;
      return () => (listener = undefined);
    },
  };
  const stop = countCheckerTransitions(source, hooks);
  const tr = { from: 'up', to: 'down', at: T0, code: 'L4CON', detail: '' } as const;
  listener?.({ kind: 'backend', backend: 'nginx0-ams', frontends: ['web4', 'web6'], transition: tr });
  listener?.({ kind: 'frontend', frontend: 'web4', from: 'up', to: 'down', at: T0 });
  listener?.({ kind: 'backend', backend: 'nginx0-ams', frontends: ['web4'], transition: { ...tr, from: 'down', to: 'up' } });
  listener?.({ kind: 'panic', frontend: 'web4', panic: true, state: 'up', detail: '', at: T0 });
  listener?.({ kind: 'panic', frontend: 'web4', panic: false, state: 'up', detail: '', at: T0 });
  listener?.({ kind: 'panic', frontend: 'web4', panic: true, state: 'up', detail: '', at: T0 });
  stop();
  t.equal(listener, undefined, 'unsubscribed');
  const s = await scrape();
  t.equal(s.get('maglev_backend_transitions_total{backend="nginx0-ams",from="up",to="down"}'), 1);
  t.equal(s.get('maglev_backend_transitions_total{backend="nginx0-ams",from="down",to="up"}'), 1);
  t.equal(s.get('maglev_frontend_transitions_total{frontend="web4",from="up",to="down"}'), 1);
  t.equal(s.get('maglev_frontend_panic_transitions_total{frontend="web4",event="enter"}'), 2);
  t.equal(s.get('maglev_frontend_panic_transitions_total{frontend="web4",event="exit"}'), 1);
  t.equal(s.get('maglev_frontend_transitions_total{frontend="web4",from="up",to="up"}'), undefined, 'panic is no state transition');
});

void t.test('reuse-connection probes are counted by health check and connection', async (t) => {
  const { hooks, scrape } = setup();
  hooks.onProbeConnection('web', 'opened');
  hooks.onProbeConnection('web', 'reused');
  hooks.onProbeConnection('web', 'reused');
  const s = await scrape();
  t.equal(s.get('maglev_probe_connections_total{healthcheck="web",connection="opened"}'), 1);
  t.equal(s.get('maglev_probe_connections_total{healthcheck="web",connection="reused"}'), 2);
});

void t.test('VPP series follow the connection', async (t) => {
  const { fake, scrape } = setup();
  fake.vpp = { state: 'disconnected', warmupComplete: true };
  const s = await scrape();
  t.equal(s.get('maglev_vpp_connected'), 0, 'connected stays, at 0');
  t.equal(s.get('maglev_vpp_warmup_complete'), 1);
  for (const name of ['maglev_vpp_uptime_seconds', 'maglev_vpp_connected_seconds', 'maglev_vpp_info', 'maglev_vip_packets_total', 'maglev_vip_route_packets_total', 'maglev_vip_route_bytes_total']) {
    t.notOk([...s.keys()].some((k) => k === name || k.startsWith(`${name}{`)), `${name} omitted while disconnected`);
  }
  fake.vpp = { state: 'connected', warmupComplete: true, info: { version: 'v', buildDate: 'd', buildDirectory: '/', pid: 1, bootTime: undefined, connectTime: T0 } };
  const again = await scrape();
  t.equal(again.get('maglev_vpp_connected'), 1);
  t.notOk(again.has('maglev_vpp_uptime_seconds'), 'no uptime without a boot time');
  t.equal(again.get('maglev_vpp_connected_seconds'), 0);
});

void t.test('VPP disabled: no maglev_vpp_* or maglev_vip_* at all', async (t) => {
  const { fake, hooks, registry } = setup({ vppEnabled: false });
  fake.vpp = { state: 'disabled' };
  hooks.onVppApi('x', 'send', true);
  hooks.onLbSync('all', { vip_added: 1 });
  const text = await registry.metrics();
  t.notMatch(text, /maglev_vpp_|maglev_vip_/);
  t.match(text, /maglev_backend_state\{/);
});

void t.test('removed objects disappear at the next scrape', async (t) => {
  const { fake, scrape } = setup();
  t.ok((await scrape()).has('maglev_backend_health{backend="nginx1-zrh"}'));
  fake.backends.delete('nginx1-zrh');
  fake.frontends.delete('web6');
  const s = await scrape();
  t.notOk(s.has('maglev_backend_health{backend="nginx1-zrh"}'));
  t.notOk([...s.keys()].some((k) => k.includes('frontend="web6"')));
});

void t.test('default metrics are included', async (t) => {
  const { registry } = setup({ defaultMetrics: true });
  const text = await registry.metrics();
  t.match(text, /^nodejs_eventloop_lag_seconds /m);
  t.match(text, /^process_cpu_user_seconds_total /m);
});

void t.test('healthz watchdog', (t) => {
  const connected = { state: 'connected', warmupComplete: true, info: { version: '', buildDate: '', buildDirectory: '', pid: 1, bootTime: undefined, connectTime: 0 } } as const;
  const now = 1_000_000;
  const cases = [
    { name: 'recent probe', vpp: connected, w: { lastProbeAt: now - 1500, probesDueSince: now - 100, recentDiscards: {} }, code: 200, age: 1.5 },
    { name: 'nothing due', vpp: connected, w: { lastProbeAt: now - 60_000, probesDueSince: undefined, recentDiscards: {} }, code: 200, age: 60 },
    { name: 'due 10s, last probe 60s ago', vpp: connected, w: { lastProbeAt: now - 60_000, probesDueSince: now - 10_000, recentDiscards: {} }, code: 503, age: 60 },
    { name: 'due 9.9s', vpp: connected, w: { lastProbeAt: now - 60_000, probesDueSince: now - 9_900, recentDiscards: {} }, code: 200, age: 60 },
    { name: 'no probe ever, due 11s', vpp: connected, w: { lastProbeAt: undefined, probesDueSince: now - 11_000, recentDiscards: {} }, code: 503, age: null },
    { name: 'no probe yet, none due', vpp: { state: 'disabled' }, w: { lastProbeAt: undefined, probesDueSince: undefined, recentDiscards: {} }, code: 200, age: null },
  ] as const;
  for (const c of cases) {
    const h = healthz(c.vpp, c.w, now);
    t.equal(h.httpStatus, c.code, c.name);
    t.equal(h.body.lastProbeAgeSeconds, c.age, `${c.name}: age`);
    t.equal(h.body.status, c.code === 200 ? 'ok' : 'stalled');
  }
  t.same(healthz({ state: 'disconnected', warmupComplete: false }, { lastProbeAt: now, probesDueSince: undefined, recentDiscards: {} }, now).body, {
    status: 'ok',
    vppConnected: false,
    warmupComplete: false,
    lastProbeAgeSeconds: 0,
    discardedProbes: {},
  });
  const degradedCases = [
    { name: 'discards, probes running', w: { lastProbeAt: now - 100, probesDueSince: undefined, recentDiscards: { EMFILE: 40 } }, code: 200, status: 'degraded' },
    { name: 'discards and stalled: stalled wins', w: { lastProbeAt: now - 60_000, probesDueSince: now - 20_000, recentDiscards: { 'shard-lost': 1 } }, code: 503, status: 'stalled' },
  ] as const;
  for (const c of degradedCases) {
    const h = healthz(connected, c.w, now);
    t.equal(h.httpStatus, c.code, c.name);
    t.equal(h.body.status, c.status, `${c.name}: status`);
    t.same(h.body.discardedProbes, c.w.recentDiscards, `${c.name}: discards by reason`);
  }
  t.end();
});

void t.test('the HTTP listener serves /metrics and /healthz', async (t) => {
  const { fake, registry, clock } = setup();
  const server = await startMetricsServer({ addr: { host: '127.0.0.1', port: 0 }, registry, source: fake, clock, logger: createSilentLogger() });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;
  const m = await fetch(`${base}/metrics`);
  t.equal(m.status, 200);
  t.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  t.match(await m.text(), /maglev_backend_state\{backend="nginx0-ams",state="up"\} 1/);
  const ok = await fetch(`${base}/healthz`);
  t.equal(ok.status, 200);
  t.same(await ok.json(), { status: 'ok', vppConnected: true, warmupComplete: true, lastProbeAgeSeconds: 1.5, discardedProbes: {} });
  fake.watchdog = { lastProbeAt: T0 - 1000, probesDueSince: undefined, recentDiscards: { EMFILE: 3 } };
  const degraded = await fetch(`${base}/healthz`);
  t.equal(degraded.status, 200, 'a degraded prober is still 200');
  t.match(await degraded.json(), { status: 'degraded', discardedProbes: { EMFILE: 3 } });
  fake.watchdog = { lastProbeAt: T0 - 30_000, probesDueSince: T0 - 20_000, recentDiscards: {} };
  const stalled = await fetch(`${base}/healthz`);
  t.equal(stalled.status, 503);
  t.match(await stalled.json(), { status: 'stalled', lastProbeAgeSeconds: 30 });
  t.equal((await fetch(`${base}/nope`)).status, 404);
  t.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
});

void t.test('detection → write latency and lb drift', async (t) => {
  const { hooks, scrape } = setup();
  hooks.onTransitionWritten(0.0004);
  hooks.onTransitionWritten(0.0018);
  hooks.onTransitionWritten(3);
  hooks.onLbDrift(2);
  const s = await scrape();
  t.equal(s.get('maglev_vpp_transition_to_write_seconds_bucket{le="0.0005"}'), 1);
  t.equal(s.get('maglev_vpp_transition_to_write_seconds_bucket{le="0.002"}'), 2);
  t.equal(s.get('maglev_vpp_transition_to_write_seconds_bucket{le="1"}'), 2);
  t.equal(s.get('maglev_vpp_transition_to_write_seconds_count'), 3);
  t.equal(s.get('maglev_vpp_lb_drift_total'), 2);
  const off = setup({ vppEnabled: false });
  off.hooks.onTransitionWritten(1);
  off.hooks.onLbDrift(1);
  t.notOk([...(await off.scrape()).keys()].some((k) => k.startsWith('maglev_vpp_')), 'absent with VPP disabled');
});

void t.test('/metrics is gzipped for scrapers that accept it, identical once inflated', async (t) => {
  const { registry, clock, fake } = setup();
  const server = await startMetricsServer({ addr: { host: '127.0.0.1', port: 0 }, registry, source: fake, clock, logger: createSilentLogger() });
  t.teardown(() => server.close());
  const get = (headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/metrics', method, headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      });
      req.on('error', reject);
      req.end();
    });
  const plain = await get({ 'accept-encoding': 'identity' });
  t.equal(plain.headers['content-encoding'], undefined);
  t.equal(plain.headers['transfer-encoding'], 'chunked', 'streamed as it renders');
  t.match(plain.body.toString('utf8'), /^maglev_build_info\{/m);
  const zipped = await get({ 'accept-encoding': 'gzip, deflate' });
  t.equal(zipped.headers['content-encoding'], 'gzip');
  t.equal(zipped.headers.vary, 'Accept-Encoding');
  t.equal(gunzipSync(zipped.body).toString('utf8'), plain.body.toString('utf8'));
  t.equal((await get({ 'accept-encoding': 'gzip;q=0' })).headers['content-encoding'], undefined, 'q=0 refuses gzip');
  const head = await get({ 'accept-encoding': 'gzip' }, 'HEAD');
  t.equal(head.status, 200);
  t.equal(head.body.length, 0);
});

/** A MetricsRegistry whose text is megabytes (many blocks per scrape): 4000 backends probed. */
function bigRegistry(backend: (i: number) => string): { fake: FakeControlPlane; clock: ManualClock; registry: MetricsRegistry } {
  const fake = new FakeControlPlane();
  const clock = new ManualClock(T0);
  const registry = new MetricsRegistry();
  const hooks = createMetrics({ registry, vppEnabled: false, build: { version: '1', commit: 'c', date: 'd' }, defaultMetrics: false });
  registerStateCollectors(registry, fake, { clock, vppEnabled: false });
  for (let i = 0; i < 4000; i++) hooks.onProbe(backend(i), 'http', 'L7OK', 'recorded', i % 300);
  return { fake, clock, registry };
}

void t.test('a scraper that goes away mid-scrape stops the render quietly; the next scrape is whole', async (t) => {
  const { fake, clock, registry } = bigRegistry((i) => `backend-${i}`);
  const logger = new RecordingLogger();
  const server = await startMetricsServer({ addr: { host: '127.0.0.1', port: 0 }, registry, source: fake, clock, logger });
  t.teardown(() => server.close());
  for (const gzip of [false, true]) {
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/metrics', headers: { 'accept-encoding': gzip ? 'gzip' : 'identity' } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined); // our own destroy
      req.once('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
      req.end();
    });
  }
  const whole = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.port, path: '/metrics' }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    }).on('error', reject);
  });
  t.match(whole, /^maglev_probe_total\{backend="backend-3999",type="http",result="success",code="L7OK"\} 1$/m);
  t.same(logger.records.filter((r) => r.msg === 'metrics-error'), [], 'nothing logged: a scraper may hang up');
});

void t.test('/metrics streams a MetricsRegistry in reused blocks; overlapping scrapes stay whole', async (t) => {
  const { fake, clock, registry } = bigRegistry((i) => `bäckend-${i}`);
  const server = await startMetricsServer({ addr: { host: '127.0.0.1', port: 0 }, registry, source: fake, clock, logger: createSilentLogger() });
  t.teardown(() => server.close());
  const get = (gzip: boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/metrics', headers: { 'accept-encoding': gzip ? 'gzip' : 'identity' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const body = Buffer.concat(parts);
          resolve((gzip ? gunzipSync(body) : body).toString('utf8'));
        });
      });
      req.on('error', reject);
      req.end();
    });
  const first = await get(false);
  t.ok(first.length > 1_000_000, `${first.length} chars`);
  t.match(first, /^maglev_probe_total\{backend="bäckend-3999",type="http",result="success",code="L7OK"\} 1$/m);
  const overlapping = await Promise.all([get(false), get(true), get(false), get(true)]);
  for (const [i, body] of overlapping.entries()) t.equal(body, first, `overlapping scrape ${i}`);
  for (let i = 0; i < 3; i++) t.equal(await get(i % 2 === 0), first, `scrape ${i} after the others`);
  // Eight scrapes of ~80 blocks each: held whole they would have needed 4 × 80 at once.
  t.ok(registry.allocatedBlocks < 80, `${registry.allocatedBlocks} blocks for 8 scrapes of ${Math.ceil(first.length / 65536)}+ blocks each`);
});
