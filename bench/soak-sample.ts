// What the soak measures about a running maglevd: memory, fds, threads and CPU from /proc, and
// event-loop lag, heap and probe/transition counters from its /metrics text. The /proc readers
// do file I/O; the Prometheus text helpers are pure.

import { readFileSync, readdirSync } from 'node:fs';
import { cpuTicks, parseStatusField } from './process-sampler.js';

export interface ProcStat {
  /** VmRSS in bytes. */
  readonly rss: number;
  readonly threads: number;
  readonly fds: number;
  /** utime + stime in clock ticks (USER_HZ = 100 on Linux). */
  readonly cpuTicks: number;
}

/** Reads /proc/<pid>; throws when the process is gone. */
export function procStat(pid: number): ProcStat {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rss: parseStatusField(status, 'VmRSS'),
    threads: parseStatusField(status, 'Threads'),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    cpuTicks: cpuTicks(pid),
  };
}

/** Sum of every sample of a metric (all label sets), or undefined when it is absent. */
export function metricSum(text: string, name: string): number | undefined {
  let sum: number | undefined;
  let at = 0;
  for (;;) {
    at = text.indexOf(name, at);
    if (at < 0) return sum;
    const lineStart = at === 0 || text[at - 1] === '\n';
    const next = text[at + name.length];
    const end = text.indexOf('\n', at);
    const line = text.slice(at, end < 0 ? text.length : end);
    at = end < 0 ? text.length : end + 1;
    if (!lineStart || (next !== '{' && next !== ' ')) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
}

/** Values of one counter split by one label (e.g. maglev_probe_total by result), optionally only where `where` labels match. */
export function metricByLabel(text: string, name: string, label: string, where: Readonly<Record<string, string>> = {}): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm');
  const labelRe = new RegExp(`(?:^|,)${label}="([^"]*)"`);
  const filters = Object.entries(where).map(([k, v]) => `${k}="${v}"`);
  for (const m of text.matchAll(re)) {
    const labels = m[1] ?? '';
    if (!filters.every((f) => labels.includes(f))) continue;
    const key = labelRe.exec(labels)?.[1] ?? '';
    out.set(key, (out.get(key) ?? 0) + Number(m[2]));
  }
  return out;
}

/** Backend name → its current state, from maglev_backend_state (the series with value 1). */
export function backendStates(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^maglev_backend_state\{([^}]*)\} 1$/gm;
  for (const m of text.matchAll(re)) {
    const labels = m[1] ?? '';
    const backend = /(?:^|,)backend="([^"]*)"/.exec(labels)?.[1];
    const state = /(?:^|,)state="([^"]*)"/.exec(labels)?.[1];
    if (backend !== undefined && state !== undefined) out.set(backend, state);
  }
  return out;
}

/** One row of the soak table. */
export interface SoakSample {
  /** Seconds since maglevd was started. */
  readonly t: number;
  readonly rssMb: number;
  readonly heapMb: number;
  /** maglev_heap_live_bytes: the main thread's heap right after its last major GC. */
  readonly liveHeapMb: number;
  /** Major GCs so far (nodejs_gc_duration_seconds_count{kind="major"}). */
  readonly majorGcs: number;
  readonly fds: number;
  readonly threads: number;
  /** maglevd CPU over the interval, % of one core. */
  readonly cpuPct: number;
  /** The fleet's CPU (the probes' other end), % of one core. */
  readonly fleetCpuPct: number;
  /** nodejs_eventloop_lag_p99_seconds (since the previous scrape), ms. */
  readonly lagP99Ms: number;
  /** nodejs_eventloop_lag_max_seconds, ms. */
  readonly lagMaxMs: number;
  readonly probesPerS: number;
  /** Probes that failed (down backends and timeouts), per second. */
  readonly failuresPerS: number;
  readonly transitionsPerS: number;
  /** /metrics body size and the time to fetch it. */
  readonly scrapeKb: number;
  readonly scrapeMs: number;
  /** /healthz polls since the previous sample that did not answer 200. */
  readonly healthzBad: number;
  readonly healthzPolls: number;
  /** 1-minute load average of the machine. */
  readonly load: number;
}
