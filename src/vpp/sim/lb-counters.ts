// The simulated lb dataplane's counters (vpp-wire.md §7.5): the four per-VIP simple counters,
// kept per pool index and per thread (zeroed when an index is reused, kept after a VIP is
// freed, as VPP does), and the FIB routes of VIP prefixes with their /net/route/to counters.

export interface CounterSet {
  next: number;
  first: number;
  untracked: number;
  noServer: number;
}

export type CounterKind = keyof CounterSet;

interface RouteCounters {
  readonly packets: number[];
  readonly bytes: number[];
}

export class LbCounters {
  readonly threads: number;
  readonly #vips: CounterSet[][] = [];
  readonly #routes = new Map<string, number>();
  readonly #routeCounters = new Map<number, RouteCounters>();
  #nextStatsIndex = 16;
  /** True once the first VIP was added: the lb counters exist in the stats segment from then on. */
  created = false;
  /** Bumped by every change, so the stats segment is refreshed only when something moved. */
  version = 0;

  constructor(threads: number) {
    this.threads = threads;
  }

  /** A VIP took this pool index: its counters start from zero. */
  zeroVip(index: number): void {
    this.#vips[index] = Array.from({ length: this.threads }, () => ({ next: 0, first: 0, untracked: 0, noServer: 0 }));
    this.created = true;
    this.version++;
  }

  /** Per-thread counters of a pool index (empty if never used). */
  vip(index: number): readonly CounterSet[] {
    return this.#vips[index] ?? [];
  }

  /** Counters of a pool index summed over threads, as the CLI prints them. */
  totals(index: number): CounterSet {
    const t = { next: 0, first: 0, untracked: 0, noServer: 0 };
    for (const c of this.vip(index)) {
      t.next += c.next;
      t.first += c.first;
      t.untracked += c.untracked;
      t.noServer += c.noServer;
    }
    return t;
  }

  /** Every pool index that has counters. */
  vipIndices(): number[] {
    return this.#vips.flatMap((c, i) => (c === undefined ? [] : [i]));
  }

  count(index: number, thread: number, kind: CounterKind, n: number): void {
    const c = this.#vips[index]?.[thread];
    if (c === undefined) return;
    c[kind] += n;
    this.version++;
  }

  /** Installs the FIB entry of a VIP prefix (once per prefix); stats indices are never reused. */
  addRoute(prefix: string): void {
    if (this.#routes.has(prefix)) return;
    const statsIndex = this.#nextStatsIndex++;
    this.#routes.set(prefix, statsIndex);
    this.#routeCounters.set(statsIndex, { packets: new Array<number>(this.threads).fill(0), bytes: new Array<number>(this.threads).fill(0) });
    this.version++;
  }

  removeRoute(prefix: string): void {
    this.#routes.delete(prefix);
  }

  /** The load-balance (stats) index of a routed prefix. */
  routeIndex(prefix: string): number | undefined {
    return this.#routes.get(prefix);
  }

  countRoute(prefix: string, thread: number, packets: number, bytes: number): void {
    const rc = this.#routeCounters.get(this.#routes.get(prefix) ?? -1);
    if (rc === undefined) return;
    rc.packets[thread]! += packets;
    rc.bytes[thread]! += bytes;
    this.version++;
  }

  /** `/net/route/to` per stats index, per thread. */
  routeCounters(): ReadonlyMap<number, { readonly packets: readonly number[]; readonly bytes: readonly number[] }> {
    return this.#routeCounters;
  }
}
