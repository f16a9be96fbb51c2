// A Prometheus histogram read from /metrics text (every label set summed per bucket), the
// difference of two scrapes, and a quantile from it the way PromQL's histogram_quantile does
// (linear inside the bucket). Pure.

export interface Histogram {
  /** Upper bounds, ascending; the last is Infinity (+Inf). */
  readonly bounds: readonly number[];
  /** Cumulative counts, one per bound. */
  readonly counts: readonly number[];
}

/** The buckets of histogram `name` (without the `_bucket` suffix); undefined when it is absent. */
export function readHistogram(text: string, name: string): Histogram | undefined {
  const byBound = new Map<number, number>();
  const re = new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\S+)`, 'gm');
  for (const m of text.matchAll(re)) {
    const le = /(?:^|,)le="([^"]*)"/.exec(m[1] ?? '')?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    byBound.set(bound, (byBound.get(bound) ?? 0) + Number(m[2]));
  }
  if (byBound.size === 0) return undefined;
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  return { bounds, counts: bounds.map((b) => byBound.get(b) ?? 0) };
}

/** later − earlier, bucket by bucket (the same bounds, or earlier absent: later as it is). */
export function histogramDelta(earlier: Histogram | undefined, later: Histogram): Histogram {
  if (earlier === undefined) return later;
  const before = new Map(earlier.bounds.map((b, i) => [b, earlier.counts[i] ?? 0]));
  return { bounds: later.bounds, counts: later.counts.map((c, i) => c - (before.get(later.bounds[i] ?? NaN) ?? 0)) };
}

/**
 * The q-quantile (0..1): linear interpolation inside the bucket that holds it, from 0 for the
 * first bucket; the highest finite bound when it falls in +Inf. undefined for an empty histogram.
 */
export function histogramQuantile(q: number, h: Histogram): number | undefined {
  const total = h.counts.at(-1) ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  const i = h.counts.findIndex((c) => c >= rank);
  const upper = h.bounds[i] ?? Infinity;
  if (upper === Infinity) return h.bounds.at(-2);
  const lower = i === 0 ? 0 : (h.bounds[i - 1] ?? 0);
  const below = i === 0 ? 0 : (h.counts[i - 1] ?? 0);
  const inBucket = (h.counts[i] ?? 0) - below;
  return inBucket === 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
}
