// Claim under test (issue 11): a /metrics scrape at 10 000 backends costs < 100 ms of main-thread
// time and causes no lateness spike, with the upstream metric names kept. Builds maglevd's metrics
// exactly as the daemon does (createMetrics + registerStateCollectors, in the daemon's registry)
// over a synthetic control plane shaped like the soak's fleet (10 backends per frontend, two
// pools), feeds it a run's worth of probes and transitions, then scrapes it several times.
// Per scrape: CPU time (process.cpuUsage: the main thread plus V8's GC helpers; unlike wall or
// event-loop time it does not grow when a loaded machine deschedules us), event-loop busy time,
// wall time, the longest stall of a 1 ms timer during it, and the payload (raw and gzip). Also measures the cost of one probe hook call,
// and the live heap (after a full GC) before the metrics exist and after the last scrape, with the
// process RSS then (tsx and the bench's own fleet arrays included). Appends a section to bench/RESULTS.md.
//
//   node --import tsx bench/metrics-scrape.ts [--backends 2000,10000] [--scrapes 7]
//        [--per-type-durations] [--results FILE | --no-results]
//
// The same file runs against the tree before issue 11 (plain prom-client Registry, onProbe taking
// a ProbeResult): it detects both and says which it measured.

import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { createMetrics, registerStateCollectors, type MetricsHooks, type MetricsSource } from '../src/metrics/metrics.js';
import { createRealClock } from '../src/shared/clock.js';
import { percentile } from './detection-stats.js';

export interface ScrapeFigures {
  readonly backends: number;
  readonly implementation: string;
  /** CPU ms per scrape: median and max. */
  readonly cpuMedianMs: number;
  readonly cpuMaxMs: number;
  /** Event-loop busy ms per scrape (median): CPU plus time descheduled. */
  readonly busyMedianMs: number;
  readonly wallMedianMs: number;
  /** Longest delay of a 1 ms interval timer during any scrape. */
  readonly stallMaxMs: number;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly series: number;
  /** One probe through the metrics hook, µs. */
  readonly probeHookUs: number;
  /** Live heap after a full GC, before the metrics were built and after the last scrape (MiB). */
  readonly heapBeforeMiB: number;
  readonly heapAfterMiB: number;
  /** Process RSS after the last scrape (MiB): the heap, the scrape's buffers, the runtime. */
  readonly rssMiB: number;
}

/** A full collection, when the process allows one (node --expose-gc, or the flag set at run time). */
function collectGarbage(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) {
    g();
    return;
  }
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function liveHeapMiB(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A control plane with `n` backends, 10 per frontend in two pools, as the metrics read it. */
function syntheticSource(n: number): MetricsSource {
  const names = Array.from({ length: n }, (_, i) => `be-${String(i + 1).padStart(5, '0')}`);
  const frontends = Array.from({ length: Math.ceil(n / 10) }, (_, i) => `fe-${String(i + 1).padStart(4, '0')}`);
  const connectTime = Date.now();
  const source = {
    listBackends: () => names,
    getBackend: (name: string) => {
      const i = Number(name.slice(3)) - 1;
      return { name, address: `127.1.${i >> 8}.${i & 255}`, state: i % 20 === 0 ? 'down' : 'up', enabled: true, healthcheck: 'http', health: 3, rise: 2, fall: 2, transitions: [], lastProbe: undefined, frontends: [frontends[Math.floor(i / 10)]] };
    },
    listFrontends: () => frontends,
    getFrontend: (name: string) => {
      const f = Number(name.slice(3)) - 1;
      const member = (b: string | undefined, active: boolean) => ({ backend: b ?? '', weight: 100, effectiveWeight: active ? 100 : 0 });
      return {
        name,
        address: `127.254.${(f + 1) >> 8}.${(f + 1) & 255}`,
        protocol: 'tcp',
        port: 80,
        description: '',
        srcIpSticky: false,
        flushOnDown: true,
        state: 'up',
        pools: [
          { name: 'primary', members: names.slice(f * 10, f * 10 + 5).map((b) => member(b, true)) },
          { name: 'fallback', members: names.slice(f * 10 + 5, f * 10 + 10).map((b) => member(b, false)) },
        ],
      };
    },
    vppStatus: () => ({ state: 'connected', warmupComplete: true, info: { version: 'v', buildDate: 'd', buildDirectory: '/', pid: 1, bootTime: connectTime - 1000, connectTime } }),
    vppLbCounters: () => ({ scrapedAt: connectTime, vips: [] }),
    probeWatchdog: () => ({ lastProbeAt: undefined, probesDueSince: undefined }),
  };
  return source as unknown as MetricsSource;
}

type ProbeFn = (backend: string, code: string, ok: boolean, durationMs: number) => void;

/** The probe hook in either shape: primitives (now) or a ProbeResult (before issue 11). */
function probeFn(hooks: MetricsHooks): ProbeFn {
  const onProbe = (...args: unknown[]): void => (hooks.onProbe as unknown as (...a: unknown[]) => void)(...args);
  if (hooks.onProbe.length >= 5) return (b, code, _ok, ms) => onProbe(b, 'http', code, 'recorded', ms);
  return (b, code, ok, ms) => onProbe(b, 'http', { ok, layer: 'L7', code, detail: '', at: 0, durationMs: ms });
}

/**
 * The daemon's registry when this tree has one, and what its /metrics handler renders (the
 * chunks it writes), else prom-client's Registry and metrics() (the tree before issue 11).
 */
async function daemonRegistry(): Promise<{ registry: Registry; render: () => Promise<Buffer[]>; recycle: (chunks: Buffer[]) => void; implementation: string }> {
  try {
    const m = (await import('../src/metrics/registry.js')) as {
      MetricsRegistry: new () => Registry & { metricsBuffers(): Promise<Buffer[]>; recycle?: (chunks: Buffer[]) => void };
    };
    const registry = new m.MetricsRegistry();
    // The server gives the chunks back once the response is written (trees that have recycle()).
    return { registry, render: () => registry.metricsBuffers(), recycle: (c) => registry.recycle?.(c), implementation: 'MetricsRegistry (self-printing families, paced, UTF-8 chunks)' };
  } catch {
    const registry = new Registry();
    // The server of that tree: metrics() as one string, encoded on write.
    return { registry, render: async () => [Buffer.from(await registry.metrics(), 'utf8')], recycle: () => {}, implementation: 'prom-client Registry (before issue 11)' };
  }
}

export async function measureScrapes(backends: number, scrapes: number, perTypeDurations: boolean): Promise<ScrapeFigures> {
  const heapBeforeMiB = liveHeapMiB();
  const { registry, render, recycle, implementation } = await daemonRegistry();
  const hooks = createMetrics({ registry, vppEnabled: true, build: { version: 'bench', commit: 'bench', date: 'bench' }, ...(perTypeDurations ? { perBackendDurations: false } : {}) });
  registerStateCollectors(registry, syntheticSource(backends), { clock: createRealClock(), vppEnabled: true });
  const probe = probeFn(hooks);
  const names = Array.from({ length: backends }, (_, i) => `be-${String(i + 1).padStart(5, '0')}`);
  // A minute of a 5 %-flapping fleet: durations over the buckets, some failures and timeouts.
  for (let k = 0; k < 20; k++) {
    names.forEach((b, i) => {
      const fails = (i + k) % 20 === 0;
      probe(b, fails ? (k % 2 === 0 ? 'L7TOUT' : 'L4CON') : 'L7OK', !fails, 0.3 + ((i * 7 + k * 13) % 400) / 10);
    });
  }
  names.forEach((b, i) => {
    hooks.onBackendTransition(b, 'unknown', 'up');
    if (i % 10 === 0) {
      hooks.onBackendTransition(b, 'up', 'down');
      hooks.onBackendTransition(b, 'down', 'up');
    }
  });
  const t0 = performance.now();
  const rounds = 5;
  for (let k = 0; k < rounds; k++) names.forEach((b) => probe(b, 'L7OK', true, 1.5));
  const probeHookUs = ((performance.now() - t0) * 1000) / (rounds * backends);

  let last: Buffer[] = [];
  const cpu: number[] = [];
  const busy: number[] = [];
  const wall: number[] = [];
  let stallMaxMs = 0;
  for (let i = 0; i < scrapes; i++) {
    recycle(last);
    await sleep(50);
    let expected = performance.now() + 1;
    const timer = setInterval(() => {
      const now = performance.now();
      stallMaxMs = Math.max(stallMaxMs, now - expected);
      expected = now + 1;
    }, 1);
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    last = await render();
    wall.push(performance.now() - w0);
    const c = process.cpuUsage(cpu0);
    cpu.push((c.user + c.system) / 1000);
    busy.push(performance.eventLoopUtilization(elu0).active);
    clearInterval(timer);
  }
  const bytes = last.reduce((n, c) => n + c.length, 0);
  const text = Buffer.concat(last);
  last = [];
  const heapAfterMiB = liveHeapMiB();
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  return {
    backends,
    implementation,
    cpuMedianMs: percentile(cpu, 0.5) ?? NaN,
    cpuMaxMs: Math.max(...cpu),
    busyMedianMs: percentile(busy, 0.5) ?? NaN,
    wallMedianMs: percentile(wall, 0.5) ?? NaN,
    stallMaxMs,
    bytes,
    gzipBytes: gzipSync(text).length,
    series: text.toString('utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
    probeHookUs,
    heapBeforeMiB,
    heapAfterMiB,
    rssMiB,
  };
}

function table(rows: readonly ScrapeFigures[]): string {
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(2)} MiB`;
  return [
    '| backends | CPU per scrape, median (max) | event loop busy | wall | longest 1 ms-timer stall | payload | gzip | samples | probe hook | live heap: before → after | RSS after |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.backends} | ${r.cpuMedianMs.toFixed(1)} ms (${r.cpuMaxMs.toFixed(1)} ms) | ${r.busyMedianMs.toFixed(1)} ms | ${r.wallMedianMs.toFixed(1)} ms | ${r.stallMaxMs.toFixed(1)} ms | ${mib(r.bytes)} | ${mib(r.gzipBytes)} | ${r.series} | ${r.probeHookUs.toFixed(2)} µs | ${r.heapBeforeMiB.toFixed(1)} → ${r.heapAfterMiB.toFixed(1)} MiB | ${r.rssMiB.toFixed(0)} MiB |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backends: { type: 'string', default: '2000,10000' },
      scrapes: { type: 'string', default: '7' },
      'per-type-durations': { type: 'boolean', default: false },
      results: { type: 'string' },
      'no-results': { type: 'boolean', default: false },
    },
  });
  const sizes = values.backends.split(',').map(Number);
  const scrapes = Number(values.scrapes);
  const perType = values['per-type-durations'];
  const load = loadavg()[0] ?? 0;
  const rows: ScrapeFigures[] = [];
  for (const n of sizes) {
    const r = await measureScrapes(n, scrapes, perType);
    console.log(`${n} backends: CPU ${r.cpuMedianMs.toFixed(1)} ms (max ${r.cpuMaxMs.toFixed(1)}), busy ${r.busyMedianMs.toFixed(1)} ms, wall ${r.wallMedianMs.toFixed(1)} ms, stall ${r.stallMaxMs.toFixed(1)} ms, ${r.bytes} B (gzip ${r.gzipBytes} B), ${r.series} samples, probe hook ${r.probeHookUs.toFixed(2)} µs, live heap ${r.heapBeforeMiB.toFixed(1)} → ${r.heapAfterMiB.toFixed(1)} MiB, RSS ${r.rssMiB.toFixed(0)} MiB`);
    rows.push(r);
  }
  const text = [
    `## metrics-scrape: ${sizes.join(', ')} backends${perType ? ', --probe-duration-per-backend=false' : ''} (${new Date().toISOString()})`,
    '',
    `${rows[0]?.implementation ?? ''}; Node ${process.version}; median of ${scrapes} scrapes; machine load average ${load.toFixed(1)} at start.`,
    'Synthetic fleet, 10 backends per frontend in two pools, 20 probes per backend (5 % failing), 1.2 transitions per backend.',
    `Run: \`node --import tsx bench/metrics-scrape.ts --backends ${sizes.join(',')} --scrapes ${scrapes}${perType ? ' --per-type-durations' : ''}\`.`,
    '',
    table(rows),
    '',
  ].join('\n');
  console.log(text);
  if (values['no-results'] !== true) appendFileSync(values.results ?? fileURLToPath(new URL('./RESULTS.md', import.meta.url)), `\n${text}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
