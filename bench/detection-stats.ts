// The arithmetic of bench/detection.ts, pure: quantiles of a Prometheus histogram between two
// scrapes (as PromQL's histogram_quantile computes them), percentiles of a list, and the
// independent check that pairs each backend transition from maglevd's log with the first AS
// write the simulator logged for that backend's address.

export interface Bucket {
  /** Upper bound in the histogram's unit; Infinity for +Inf. */
  readonly le: number;
  /** Cumulative count. */
  readonly count: number;
}

/** The cumulative buckets observed between two scrapes (le text → cumulative count), sorted by bound. */
export function bucketDelta(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Bucket[] {
  return [...after]
    .map(([le, count]) => ({ le: le === '+Inf' ? Infinity : Number(le), count: count - (before.get(le) ?? 0) }))
    .sort((a, b) => a.le - b.le);
}

/**
 * The q-quantile (0..1) by linear interpolation inside the bucket that holds rank q × total, the
 * first bucket starting at 0; a rank in the +Inf bucket answers the highest finite bound.
 * undefined without observations.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lowerLe;
      const inBucket = b.count - lowerCount;
      return inBucket === 0 ? b.le : lowerLe + ((b.le - lowerLe) * (rank - lowerCount)) / inBucket;
    }
    lowerLe = b.le;
    lowerCount = b.count;
  }
  return lowerLe;
}

/** Nearest-rank percentile (q in 0..1) of unsorted values; undefined when empty. */
export function percentile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface Stamped {
  /** Unix ms. */
  readonly atMs: number;
  readonly address: string;
}

/**
 * For each transition, the delay to the first write to its address at or after it, within
 * maxMs; transitions with no such write (a standby backend's change writes nothing) are counted
 * apart. Both lists in time order.
 */
export function matchWrites(transitions: readonly Stamped[], writes: readonly Stamped[], maxMs: number): { latenciesMs: number[]; unmatched: number } {
  const byAddress = new Map<string, number[]>();
  for (const w of writes) {
    let times = byAddress.get(w.address);
    if (times === undefined) byAddress.set(w.address, (times = []));
    times.push(w.atMs);
  }
  const latenciesMs: number[] = [];
  let unmatched = 0;
  for (const t of transitions) {
    const times = byAddress.get(t.address) ?? [];
    // Binary search for the first write at or after the transition.
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < t.atMs) lo = mid + 1;
      else hi = mid;
    }
    const at = times[lo];
    if (at === undefined || at - t.atMs > maxMs) unmatched++;
    else latenciesMs.push(at - t.atMs);
  }
  return { latenciesMs, unmatched };
}
