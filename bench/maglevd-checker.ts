// The built maglevd as a checker under test: `node <its shebang's flags> bin/maglevd.js` (dist/,
// no loader, as /usr/sbin/maglevd runs) with a generated config, VPP off, gRPC and /metrics on
// loopback. Its own figures come from two /metrics scrapes at the window's edges:
// maglev_probe_total (checks and failures) and, when the daemon has it, the
// maglev_probe_schedule_lateness_seconds histogram. The scrapes sit outside the CPU window; the
// stall the first one causes is inside the lateness window, so its size and time are reported
// alongside.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckTarget, CheckerUnderTest, OwnFigures } from './checker-under-test.js';
import { waitForConnect } from './loopback-port.js';
import { maglevdBenchYaml } from './maglevd-config.js';
import { parseStatusField } from './process-sampler.js';
import { histogramDelta, histogramQuantile, readHistogram, type Histogram } from './prometheus-histogram.js';
import { binArgs, startPart } from './soak-process.js';
import { metricByLabel } from './soak-sample.js';

export const latenessMetric = 'maglev_probe_schedule_lateness_seconds';

interface Scrape {
  readonly probes: number;
  readonly failed: number;
  readonly discarded: number;
  /** Probes of the reuse-connection check that opened a connection, and that reused one. */
  readonly opened: number;
  readonly reused: number;
  readonly lateness: Histogram | undefined;
  readonly ms: number;
  readonly bytes: number;
}

/** What one /metrics text says about probes. Pure apart from the timing passed in. */
export function readScrape(text: string, ms: number): Scrape {
  const byResult = metricByLabel(text, 'maglev_probe_total', 'result');
  const connections = metricByLabel(text, 'maglev_probe_connections_total', 'connection');
  return {
    probes: [...byResult.values()].reduce((a, b) => a + b, 0),
    failed: byResult.get('failure') ?? 0,
    discarded: byResult.get('discarded') ?? 0,
    opened: connections.get('opened') ?? 0,
    reused: connections.get('reused') ?? 0,
    lateness: readHistogram(text, latenessMetric),
    ms,
    bytes: Buffer.byteLength(text),
  };
}

const p99Ms = (h: Histogram): number | undefined => {
  const q = histogramQuantile(0.99, h);
  return q === undefined ? undefined : q * 1000;
};

export async function startMaglevd(t: CheckTarget): Promise<CheckerUnderTest> {
  const config = join(t.dir, 'maglev.yaml');
  writeFileSync(config, maglevdBenchYaml(t));
  const part = startPart(
    'maglevd',
    [...binArgs('maglevd'), '--config', config, '--grpc-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--vpp-api-addr', '', '--vpp-stats-addr', '', '--log-level', 'info'],
    undefined,
    /"msg":"metrics-listen"/,
  );
  let metricsUrl: string;
  try {
    const line = await part.waitForLine(/"msg":"metrics-listen"/, 120_000);
    const addr = String((JSON.parse(line) as { addr: unknown }).addr);
    const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
    await waitForConnect({ host, port }, 'maglevd /metrics', 30_000, () => part.hasExited());
    metricsUrl = `http://${addr}/metrics`;
  } catch (e) {
    await part.stop();
    throw e;
  }
  const marks: Scrape[] = [];
  let threads = NaN;
  return {
    label: t.reuseConnection === true ? 'maglevd reuse-connection (dist/)' : 'maglevd (dist/)',
    pid: part.pid,
    hasExited: () => part.hasExited(),
    tail: () => part.tail(),
    async mark() {
      const t0 = performance.now();
      const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(120_000) })).text();
      marks.push(readScrape(text, performance.now() - t0));
      threads = parseStatusField(readFileSync(`/proc/${part.pid}/status`, 'utf8'), 'Threads');
    },
    own(): OwnFigures {
      const [a, b] = marks;
      if (a === undefined || b === undefined) return { notes: [] };
      const notes = [`${threads} threads`, `/metrics ${Math.round(a.bytes / 1024)} kB in ${Math.round(a.ms)} ms`];
      const discarded = b.discarded - a.discarded;
      if (discarded > 0) notes.push(`${discarded} probes discarded`);
      if (t.reuseConnection === true) notes.push(`${b.reused - a.reused} probes on a kept connection, ${b.opened - a.opened} opened one`);
      let latenessP99Ms: number | undefined;
      if (b.lateness === undefined) notes.push(`no ${latenessMetric} in this build`);
      else {
        latenessP99Ms = p99Ms(histogramDelta(a.lateness, b.lateness));
        const whole = p99Ms(b.lateness);
        if (whole !== undefined) notes.push(`lateness p99 over the whole run ${whole.toFixed(1)} ms`);
      }
      return { checks: b.probes - a.probes, failed: b.failed - a.failed + discarded, ...(latenessP99Ms === undefined ? {} : { latenessP99Ms }), notes };
    },
    stop: async () => void (await part.stop()),
  };
}
