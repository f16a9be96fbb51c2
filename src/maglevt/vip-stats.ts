// Per-VIP statistics of maglevt: a rolling window of the last 100 samples
// (latency p50/p95/p99/max, OK %), lifetime N and FAIL, the LAST status, the tally of the
// -header values with last-seen times, and the anomaly classifier of the error panel. Pure: the
// caller passes every time in, so tests feed sequences and read snapshots.
//
// Our choices: percentiles use the nearest-rank method over the window's samples that got an
// answer (HTTP response of any status, or TCP connect), since a timeout or refusal has no round
// trip; a spike needs at least 10 such samples before it, and it is an anomaly but not a FAIL.

import { formatLatency } from './latency-format.js';
import type { ProbeSample } from './probe-sample.js';

export const anomalyKinds = ['timeout', 'http-err', 'net-err', 'spike'] as const;
export type AnomalyKind = (typeof anomalyKinds)[number];

/** What the classifier found in one sample. */
export interface Finding {
  readonly kind: AnomalyKind;
  readonly detail: string;
}

export const statsLimits = {
  /** Samples in the rolling window. */
  window: 100,
  /** A spike is a latency above factor × the rolling p50 ... */
  spikeFactor: 5,
  /** ... and above this floor (ms). */
  spikeFloorMs: 50,
  /** Answered samples needed in the window before spikes are judged. */
  spikeMinSamples: 10,
  /** A header value seen this recently (ms) is receiving traffic; older ones are drained. */
  receivingMs: 5000,
} as const;

export interface TallyEntry {
  readonly value: string;
  readonly count: number;
  readonly lastSeenMs: number;
  /** Seen within the last 5 s (shown white); otherwise drained (grey). */
  readonly receiving: boolean;
}

export interface VipStatsSnapshot {
  /** Lifetime probes and failures (timeout, http-err, net-err). */
  readonly n: number;
  readonly fail: number;
  /** Over the window; undefined before the first sample. */
  readonly okPct: number | undefined;
  /** Over the window's answered samples; undefined when there are none. */
  readonly p50Ms: number | undefined;
  readonly p95Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
  /** `200`, `503`, `ok` (TCP), `timeout`, `refused`, `reset`, ...; undefined before the first sample. */
  readonly last: string | undefined;
  readonly lastAtMs: number | undefined;
  /** Sorted by value. */
  readonly tally: readonly TallyEntry[];
  /** Lifetime anomalies by kind. */
  readonly anomalies: Readonly<Record<AnomalyKind, number>>;
}

interface WindowEntry {
  readonly ok: boolean;
  /** undefined when the sample got no answer. */
  readonly latencyMs: number | undefined;
}

/** Nearest-rank percentile of an ascending array; q in (0, 1]. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

const shortErrors: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
};

/** The LAST column for a sample. */
export function lastStatus(s: ProbeSample): string {
  switch (s.type) {
    case 'http':
      return String(s.status);
    case 'tcp':
      return 'ok';
    case 'timeout':
      return 'timeout';
    case 'error':
      return shortErrors[s.code] ?? s.code;
    default: {
      const exhaustive: never = s;
      return exhaustive;
    }
  }
}

/** A response or connect counts as OK unless its HTTP status is ≥ 400. */
export function isOk(s: ProbeSample): boolean {
  return (s.type === 'http' && s.status < 400) || s.type === 'tcp';
}

/** The anomaly in a sample, judged against the rolling p50 of the samples before it. */
export function classifySample(s: ProbeSample, p50Ms: number | undefined): Finding | undefined {
  switch (s.type) {
    case 'timeout':
      return { kind: 'timeout', detail: `no answer within ${formatLatency(s.latencyMs)}` };
    case 'error':
      return { kind: 'net-err', detail: s.message === '' ? s.code : s.message };
    case 'http':
      if (s.status >= 400) return { kind: 'http-err', detail: `HTTP ${s.status}${s.header === undefined ? '' : ` from ${s.header}`}` };
      break;
    case 'tcp':
      break;
    default: {
      const exhaustive: never = s;
      return exhaustive;
    }
  }
  if (p50Ms !== undefined && s.latencyMs > statsLimits.spikeFactor * p50Ms && s.latencyMs > statsLimits.spikeFloorMs) {
    const from = s.type === 'http' && s.header !== undefined ? ` from ${s.header}` : '';
    return { kind: 'spike', detail: `latency ${formatLatency(s.latencyMs)} > ${statsLimits.spikeFactor}× p50 ${formatLatency(p50Ms)}${from}` };
  }
  return undefined;
}

function zeroAnomalies(): Record<AnomalyKind, number> {
  return { timeout: 0, 'http-err': 0, 'net-err': 0, spike: 0 };
}

export class VipStats {
  readonly #window: WindowEntry[] = [];
  readonly #tally = new Map<string, { count: number; lastSeenMs: number }>();
  readonly #anomalies = zeroAnomalies();
  #n = 0;
  #fail = 0;
  #last: string | undefined;
  #lastAtMs: number | undefined;

  /** Adds one sample taken at `atMs`; returns the anomaly it shows, if any. */
  record(sample: ProbeSample, atMs: number): Finding | undefined {
    const answered = this.#answeredSorted();
    const p50 = answered.length >= statsLimits.spikeMinSamples ? percentile(answered, 0.5) : undefined;
    const finding = classifySample(sample, p50);
    const ok = isOk(sample);
    this.#n++;
    if (!ok) this.#fail++;
    if (finding !== undefined) this.#anomalies[finding.kind]++;
    this.#last = lastStatus(sample);
    this.#lastAtMs = atMs;
    const latencyMs = sample.type === 'http' || sample.type === 'tcp' ? sample.latencyMs : undefined;
    this.#window.push({ ok, latencyMs });
    if (this.#window.length > statsLimits.window) this.#window.shift();
    if (sample.type === 'http' && sample.header !== undefined) {
      const entry = this.#tally.get(sample.header);
      if (entry === undefined) this.#tally.set(sample.header, { count: 1, lastSeenMs: atMs });
      else {
        entry.count++;
        entry.lastSeenMs = Math.max(entry.lastSeenMs, atMs);
      }
    }
    return finding;
  }

  snapshot(nowMs: number): VipStatsSnapshot {
    const answered = this.#answeredSorted();
    const okCount = this.#window.filter((w) => w.ok).length;
    const tally = [...this.#tally]
      .map(([value, e]) => ({ value, count: e.count, lastSeenMs: e.lastSeenMs, receiving: nowMs - e.lastSeenMs < statsLimits.receivingMs }))
      .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return {
      n: this.#n,
      fail: this.#fail,
      okPct: this.#window.length === 0 ? undefined : (100 * okCount) / this.#window.length,
      p50Ms: percentile(answered, 0.5),
      p95Ms: percentile(answered, 0.95),
      p99Ms: percentile(answered, 0.99),
      maxMs: answered.at(-1),
      last: this.#last,
      lastAtMs: this.#lastAtMs,
      tally,
      anomalies: { ...this.#anomalies },
    };
  }

  #answeredSorted(): number[] {
    const out: number[] = [];
    for (const w of this.#window) if (w.latencyMs !== undefined) out.push(w.latencyMs);
    return out.sort((a, b) => a - b);
  }
}
