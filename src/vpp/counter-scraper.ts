// The periodic counter scrape: `show lb vips verbose` for VIP → pool index,
// ip_route_lookup for each prefix's FIB stats index, then one consistent stats segment read of
// the four lb counters and /net/route/to. The result is one immutable snapshot swapped in whole;
// a failed scrape keeps the previous one. Without a stats segment the lb counters come from the
// CLI text (already summed over threads) and there are no FIB counters.

import type { Clock, TimerHandle } from '../shared/clock.js';
import { errorMessage, isDaemonError, type DaemonError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { CliVip, LbApi } from './lb-api.js';
import type { VipKey } from '../shared/lb-vip.js';
import type { StatsReading, StatsRequest } from './stats-segment.js';

/** The lb plugin's per-VIP simple counters (no leading slash, with spaces), by maglev kind. */
export const lbCounterNames = {
  next: 'packet from existing sessions',
  first: 'first session packet',
  untracked: 'untracked packet',
  noServer: 'no server configured',
} as const;
export const fibCounterName = '/net/route/to';

type LbKind = keyof typeof lbCounterNames;
const lbKinds = Object.keys(lbCounterNames) as LbKind[];

/** One VIP's counters; u64 values as bigint. FIB counters are undefined when unavailable. */
export interface VipCounterRow extends VipKey {
  readonly index: number;
  readonly next: bigint;
  readonly first: bigint;
  readonly untracked: bigint;
  readonly noServer: bigint;
  readonly fibPackets: bigint | undefined;
  readonly fibBytes: bigint | undefined;
}

export interface CounterSnapshot {
  /** Clock time (ms) of the scrape. */
  readonly scrapedAt: number;
  /** Where the lb counters came from. */
  readonly source: 'stats' | 'cli';
  readonly vips: readonly VipCounterRow[];
}

/** The stats segment as the scraper needs it (StatsClient, StatsSegmentReader). */
export interface CounterStatsSource {
  read(req: StatsRequest): Promise<StatsReading>;
}

export interface CounterScraperOptions {
  readonly lb: Pick<LbApi, 'vipsVerbose'>;
  /** ip_route_lookup(table 0, exact) → stats_index; undefined when there is no such route. */
  readonly routeLookup?: (prefix: string) => Promise<number | undefined>;
  readonly stats?: CounterStatsSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default 5000 ms. */
  readonly intervalMs?: number;
  /** Told about stats segment failures (code STATS_SEGMENT); the connection treats them as a disconnect. */
  readonly onStatsError?: (e: DaemonError) => void;
}

export class CounterScraper {
  readonly #opts: CounterScraperOptions;
  readonly #intervalMs: number;
  #snapshot: CounterSnapshot | undefined;
  #generation = 0;
  #inFlight: Promise<boolean> | undefined;
  #timer: TimerHandle | undefined;
  /** Bumped by start() and stop(), so a loop from an earlier start() cannot reschedule itself. */
  #run = 0;
  #running = false;

  constructor(opts: CounterScraperOptions) {
    this.#opts = opts;
    this.#intervalMs = opts.intervalMs ?? 5000;
  }

  /** The latest snapshot, or undefined before the first scrape and after clear(). */
  snapshot(): CounterSnapshot | undefined {
    return this.#snapshot;
  }

  /** Drops the snapshot (on disconnect); a scrape in flight will not bring it back. */
  clear(): void {
    this.#generation++;
    this.#snapshot = undefined;
  }

  /** Scrapes now (joining one in flight); true when a new snapshot was published. */
  scrapeOnce(): Promise<boolean> {
    this.#inFlight ??= this.#scrape().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Scrapes now and then every interval after each scrape ends, until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#tick(++this.#run);
  }

  stop(): void {
    this.#running = false;
    this.#run++;
    if (this.#timer !== undefined) this.#opts.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(run: number): void {
    this.#timer = undefined;
    void this.scrapeOnce().then(() => {
      if (run === this.#run) this.#timer = this.#opts.clock.setTimeout(() => this.#tick(run), this.#intervalMs);
    });
  }

  async #scrape(): Promise<boolean> {
    const generation = this.#generation;
    try {
      const snapshot = await this.#collect();
      if (generation !== this.#generation) return false;
      this.#snapshot = snapshot;
      return true;
    } catch (e) {
      this.#opts.logger.debug('vpp-lb-stats-error', { err: errorMessage(e) });
      if (isDaemonError(e, 'STATS_SEGMENT')) this.#opts.onStatsError?.(e);
      return false;
    }
  }

  async #collect(): Promise<CounterSnapshot> {
    const { lb, routeLookup, stats, clock } = this.#opts;
    const vips = (await lb.vipsVerbose()).filter((v) => !v.removed);
    if (stats === undefined) {
      return freeze(clock.now(), 'cli', vips.map((v) => row(v, cliCounters(v), undefined)));
    }
    const statsIndex = new Map<string, number | undefined>();
    if (routeLookup !== undefined) {
      for (const v of vips) if (!statsIndex.has(v.prefix)) statsIndex.set(v.prefix, await routeLookup(v.prefix));
    }
    const indices = [...new Set(vips.map((v) => v.index))];
    const fibIndices = [...new Set([...statsIndex.values()].filter((i): i is number => i !== undefined))];
    const reading = await stats.read({
      simple: lbKinds.map((k) => ({ name: lbCounterNames[k], indices })),
      combined: fibIndices.length === 0 ? [] : [{ name: fibCounterName, indices: fibIndices }],
    });
    const fib = reading.combined.get(fibCounterName);
    const rows = vips.map((v) => {
      const lbValues = Object.fromEntries(lbKinds.map((k) => [k, reading.simple.get(lbCounterNames[k])?.get(v.index) ?? 0n])) as Record<LbKind, bigint>;
      const si = statsIndex.get(v.prefix);
      const f = si === undefined ? undefined : (fib?.get(si) ?? { packets: 0n, bytes: 0n });
      return row(v, lbValues, f);
    });
    return freeze(clock.now(), 'stats', rows);
  }
}

function cliCounters(v: CliVip): Record<LbKind, bigint> {
  const c = v.counters;
  return { next: BigInt(c.next), first: BigInt(c.first), untracked: BigInt(c.untracked), noServer: BigInt(c.noServer) };
}

function row(v: CliVip, c: Record<LbKind, bigint>, fib: { packets: bigint; bytes: bigint } | undefined): VipCounterRow {
  return Object.freeze({
    prefix: v.prefix,
    protocol: v.protocol,
    port: v.port,
    index: v.index,
    ...c,
    fibPackets: fib?.packets,
    fibBytes: fib?.bytes,
  });
}

function freeze(scrapedAt: number, source: CounterSnapshot['source'], vips: VipCounterRow[]): CounterSnapshot {
  return Object.freeze({ scrapedAt, source, vips: Object.freeze(vips) });
}
