// MetricsRegistry: the families that print themselves print exactly what prom-client prints for
// the same data (the same registry contents through a plain prom-client Registry), a scrape
// yields to the event loop between chunks, and other formats fall back to prom-client.

import { Registry } from 'prom-client';
import t from 'tap';
import { createMetrics, registerStateCollectors, type MetricsHooks } from '../../src/metrics/metrics.js';
import { maxSpareBlocks, MetricsRegistry, type ScrapeSink } from '../../src/metrics/registry.js';
import { countEventLoopTurns } from '../support/event-loop-turns.js';
import { FakeControlPlane, T0 } from '../support/fake-control-plane.js';
import { ManualClock } from '../support/manual-clock.js';

function build(registry: Registry, perBackendDurations = true): MetricsHooks {
  const hooks = createMetrics({ registry, vppEnabled: true, build: { version: '1', commit: 'c', date: 'd' }, defaultMetrics: false, perBackendDurations });
  registerStateCollectors(registry, new FakeControlPlane(), { clock: new ManualClock(T0), vppEnabled: true });
  return hooks;
}

/** The same observations, including label values that need escaping. */
function feed(hooks: MetricsHooks): void {
  const names = ['nginx0-ams', 'nginx0-fra', 'we"ird\\name\nx'];
  names.forEach((b, i) => {
    hooks.onProbe(b, 'http', 'L7OK', 'recorded', 0.4 + i);
    hooks.onProbe(b, 'http', 'L7OK', 'recorded', 1); // on a bucket bound: that bucket
    hooks.onProbe(b, 'http', 'L7STS', 'recorded', 30);
    hooks.onProbe(b, 'http', 'L4TOUT', 'discarded', 1000);
    hooks.onProbe(b, 'tcp', 'L4CON', 'recorded', 9000); // above every bound: +Inf only
    hooks.onBackendTransition(b, 'unknown', 'up');
    hooks.onBackendTransition(b, 'up', 'down');
  });
  hooks.onProbe('only-discarded', 'icmp', 'L4TOUT', 'discarded', 5);
  hooks.onFrontendTransition('web4', 'unknown', 'up');
  hooks.onVppApi('lb_conf_get', 'send', true);
  hooks.onLbSync('vip', { as_weight_updated: 2 });
  hooks.onTransitionWritten(0.0004);
  hooks.onLbDrift(3);
}

void t.test('MetricsRegistry prints what prom-client prints', async (t) => {
  for (const perBackend of [true, false]) {
    const plain = new Registry();
    const fast = new MetricsRegistry();
    feed(build(plain, perBackend));
    feed(build(fast, perBackend));
    const want = await plain.metrics();
    const got = await fast.metrics();
    t.equal(got, want, `identical text (per-backend durations ${perBackend})`);
    if (perBackend) t.match(got, /maglev_probe_duration_seconds_bucket\{le="0\.001",backend="nginx0-ams",type="http"\} 2\n/, '1 ms lands in the 0.001 bucket (le: less or equal)');
    t.match(got, /maglev_probe_total\{backend="we\\"ird\\\\name\\nx",type="http",result="success",code="L7OK"\} 2/, 'escaped label values');
    t.notMatch(got, /maglev_probe_duration_seconds_count\{[^}]*only-discarded/, 'no histogram series for a backend with only discarded probes');
    t.match(got, /maglev_probe_total\{backend="only-discarded",type="icmp",result="discarded",code="L4TOUT"\} 1/);
  }
  const fast = new MetricsRegistry();
  feed(build(fast, false));
  const text = await fast.metrics();
  t.match(text, /^maglev_probe_duration_seconds_count\{type="http"\} 9$/m, 'per type: the three backends in one series');
  t.match(text, /^maglev_probe_duration_seconds_bucket\{le="\+Inf",type="tcp"\} 3$/m);
  t.notMatch(text, /maglev_probe_duration_seconds_count\{backend=/);
});

void t.test('a scrape yields to the event loop between chunks', async (t) => {
  const registry = new MetricsRegistry({ sliceMs: 0 });
  const hooks = build(registry);
  for (let i = 0; i < 2000; i++) hooks.onProbe(`b${i}`, 'http', 'L7OK', 'recorded', 2);
  const turns = countEventLoopTurns();
  const text = await registry.metrics();
  const turned = turns.stop();
  t.ok(turned > 10, `the event loop turned ${turned} times during the scrape`);
  t.equal(text.match(/^maglev_probe_duration_seconds_count/gm)?.length, 2000);
});

void t.test('a streamed scrape yields to the event loop even when its reader is ready again within the same turn', async (t) => {
  const registry = new MetricsRegistry({ sliceMs: 0 });
  const hooks = build(registry);
  for (let i = 0; i < 2000; i++) hooks.onProbe(`b${i}`, 'http', 'L7OK', 'recorded', 2);
  const turns = countEventLoopTurns();
  // A socket that takes every write at once asks for a drain that comes on the next tick.
  let chunks = 0;
  await registry.renderTo({ write: (_c, written) => (chunks++, process.nextTick(written)), ready: () => new Promise((resolve) => process.nextTick(resolve)) });
  const turned = turns.stop();
  t.ok(turned > 10, `the event loop turned ${turned} times during the scrape (${chunks} chunks)`);
});

void t.test('non-ASCII label values: the same text as prom-client, UTF-8 on the wire', async (t) => {
  for (const perBackend of [true, false]) {
    const plain = new Registry();
    const fast = new MetricsRegistry();
    for (const hooks of [build(plain, perBackend), build(fast, perBackend)]) {
      for (const b of ['bäckend-é', 'snow☃man', 'rocket-🚀', 'lone-\ud800']) {
        hooks.onProbe(b, 'http', 'L7OK', 'recorded', 3);
        hooks.onBackendTransition(b, 'unknown', 'up');
      }
    }
    const want = Buffer.from(await plain.metrics(), 'utf8');
    const got = Buffer.concat(await fast.metricsBuffers());
    t.ok(got.equals(want), `identical bytes (per-backend durations ${perBackend})`);
    t.match(got.toString('utf8'), /^maglev_probe_total\{backend="rocket-🚀",type="http",result="success",code="L7OK"\} 1$/m);
  }
});

void t.test('the blocks of a written scrape serve the next one', async (t) => {
  const registry = new MetricsRegistry();
  const hooks = build(registry);
  for (let i = 0; i < 2000; i++) hooks.onProbe(`bäckend-${i}`, 'http', 'L7OK', 'recorded', 2);
  const first = await registry.metricsBuffers();
  const firstText = Buffer.concat(first).toString('utf8');
  t.ok(first.length > 2 && first.length <= maxSpareBlocks, `${first.length} chunks, all of them kept when recycled`);
  const fresh = await registry.metricsBuffers();
  t.notOk(fresh.some((c) => first.some((f) => f.buffer === c.buffer)), 'nothing reused before recycle');
  registry.recycle(first);
  registry.recycle(first); // twice: still one scrape per block
  const again = await registry.metricsBuffers();
  t.equal(Buffer.concat(again).toString('utf8'), firstText, 'the same text in reused memory');
  t.ok(again.filter((c) => first.some((f) => f.buffer === c.buffer)).length >= first.length - 1, 'written into the recycled blocks');
  const buffers = new Set(again.map((c) => c.buffer));
  t.equal(buffers.size, again.length, 'each block used once');
  t.equal(await registry.metrics(), firstText, 'metrics() recycles its own chunks');
  t.equal(await registry.metrics(), firstText);
});

void t.test('a streamed scrape waits for its reader: a few blocks in use at a time, each reused once written', async (t) => {
  const registry = new MetricsRegistry();
  const hooks = build(registry);
  for (let i = 0; i < 4000; i++) hooks.onProbe(`bäckend-${i}`, 'http', 'L7OK', 'recorded', 2);
  const want = Buffer.concat(await registry.metricsBuffers()).toString('utf8');
  const blocksBefore = registry.allocatedBlocks;
  // A reader that takes a chunk per event-loop turn and is not ready while it holds two.
  const got: Buffer[] = [];
  const pending: Array<{ chunk: Buffer; written: () => void }> = [];
  let mostPending = 0;
  let wake: (() => void) | undefined;
  const reader = setInterval(() => {
    const p = pending.shift();
    if (p === undefined) return;
    got.push(Buffer.from(p.chunk)); // a copy: the block is reused once written
    p.written();
    if (pending.length < 2) wake?.();
  }, 0);
  t.teardown(() => clearInterval(reader));
  const sink: ScrapeSink = {
    write: (chunk, written) => {
      pending.push({ chunk, written });
      mostPending = Math.max(mostPending, pending.length);
    },
    ready: () => (pending.length < 2 ? undefined : new Promise<void>((resolve) => (wake = resolve))),
  };
  await registry.renderTo(sink);
  while (pending.length > 0) await new Promise((r) => setTimeout(r, 1));
  t.equal(Buffer.concat(got).toString('utf8'), want, 'the same text as a held scrape');
  t.ok(got.length > 40, `${got.length} chunks`);
  // The pace checks come every 256 rows: the render may fill a few blocks between two of them.
  t.ok(mostPending <= 12, `at most ${mostPending} chunks waited for the reader at once`);
  t.ok(registry.allocatedBlocks - blocksBefore <= 12, `${registry.allocatedBlocks - blocksBefore} new blocks for ${got.length} chunks`);
});

void t.test('a streamed scrape stops with its reader', async (t) => {
  const registry = new MetricsRegistry();
  const hooks = build(registry);
  for (let i = 0; i < 4000; i++) hooks.onProbe(`bäckend-${i}`, 'http', 'L7OK', 'recorded', 2);
  let chunks = 0;
  const sink: ScrapeSink = {
    write: () => void chunks++,
    ready: () => (chunks < 3 ? undefined : Promise.reject(new Error('the scraper went away'))),
  };
  await t.rejects(registry.renderTo(sink), /the scraper went away/);
  t.ok(chunks < 12, `${chunks} chunks rendered before it stopped`);
});

void t.test('OpenMetrics goes through prom-client', async (t) => {
  const registry = new MetricsRegistry();
  feed(build(registry));
  // Typed for the Prometheus format only; prom-client switches at run time.
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as typeof Registry.PROMETHEUS_CONTENT_TYPE);
  const text = await registry.metrics();
  t.match(text, /# EOF\n$/);
  t.match(text, /^maglev_probe_total\{backend="nginx0-ams",type="http",result="success",code="L7OK"\} 2$/m, 'the counter under its OpenMetrics name');
});
