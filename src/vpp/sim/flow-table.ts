// One thread's sticky flow table, as VPP's lb plugin keeps it (lbhash.h): a fixed number of
// buckets (sticky_buckets_per_core, a power of two) of four entries, each entry {hash, vip
// index, value, timeout}. An entry is valid while its timeout is after now; a lookup that hits
// refreshes the timeout; a miss reports the first expired (or never used) entry of the bucket,
// which the caller may overwrite. Entries match on the 32-bit hash and the VIP, not the
// 5-tuple, so colliding flows share an entry, as in VPP. The table also keeps VPP's as_refcount:
// the number of entries whose value is an AS, expired ones included (only an overwrite or a
// flush releases a reference), which is what `show lb vips verbose` prints as flows: and what
// keeps a removed AS from being garbage-collected.

/** Entries per bucket (LBHASH_ENTRY_PER_BUCKET). */
export const entriesPerBucket = 4;

/** The VIP index of a flushed entry (VPP writes ~0): it matches no lookup until overwritten. */
const noVip = -1;

export interface FlowLookup<V> {
  /** The value of the valid entry for (hash, vip), or undefined (also for an entry holding no value). */
  readonly found: V | undefined;
  /** The first expired entry of the bucket (0..3), or -1 when all four are valid. */
  readonly available: number;
}

export class FlowTable<V> {
  readonly buckets: number;
  /** Seconds an entry stays valid after its last hit (lb flow_timeout). */
  timeoutS: number;
  readonly #hash: Uint32Array;
  readonly #vip: Int32Array;
  /** Absolute expiry in the caller's time base (seconds); 0 for never used. */
  readonly #timeout: Float64Array;
  readonly #value: Array<V | undefined>;
  readonly #refs = new Map<V, number>();

  constructor(buckets: number, timeoutS: number) {
    if (!Number.isInteger(buckets) || buckets < 1 || (buckets & (buckets - 1)) !== 0) throw new RangeError(`sticky buckets ${buckets} is not a power of 2`);
    this.buckets = buckets;
    this.timeoutS = timeoutS;
    const n = buckets * entriesPerBucket;
    this.#hash = new Uint32Array(n);
    this.#vip = new Int32Array(n).fill(noVip);
    this.#timeout = new Float64Array(n);
    this.#value = new Array<V | undefined>(n).fill(undefined);
  }

  #base(hash: number): number {
    return (hash & (this.buckets - 1)) * entriesPerBucket;
  }

  /** lb_hash_get: finds the valid entry for (hash, vip) and refreshes it; reports a free entry. */
  get(hash: number, vip: number, now: number): FlowLookup<V> {
    const base = this.#base(hash);
    let available = -1;
    let found: V | undefined;
    let hit = -1;
    for (let i = 0; i < entriesPerBucket; i++) {
      const valid = this.#timeout[base + i]! > now;
      if (!valid) {
        if (available < 0) available = i;
        continue;
      }
      if (hit < 0 && this.#hash[base + i] === hash >>> 0 && this.#vip[base + i] === vip) hit = i;
    }
    if (hit >= 0) {
      found = this.#value[base + hit];
      this.#timeout[base + hit] = now + this.timeoutS;
    }
    return { found, available };
  }

  /** lb_hash_put into the entry `get` reported free: releases the old value's reference, takes one on the new. */
  put(hash: number, value: V | undefined, vip: number, available: number, now: number): void {
    const at = this.#base(hash) + available;
    this.#release(this.#value[at]);
    this.#hash[at] = hash >>> 0;
    this.#vip[at] = vip;
    this.#value[at] = value;
    this.#timeout[at] = now + this.timeoutS;
    if (value !== undefined) this.#refs.set(value, (this.#refs.get(value) ?? 0) + 1);
  }

  /**
   * lb_flush_vip_as for this thread: every entry of `vip` (or only those holding `value`) loses
   * its VIP and value; its timeout stays, so the entry is not free until it expires.
   */
  flush(vip: number, value?: V): number {
    let n = 0;
    for (let i = 0; i < this.#vip.length; i++) {
      if (this.#vip[i] !== vip || (value !== undefined && this.#value[i] !== value)) continue;
      this.#release(this.#value[i]);
      this.#vip[i] = noVip;
      this.#value[i] = undefined;
      n++;
    }
    return n;
  }

  /** Entries holding this value, expired ones included (VPP's as_refcount on this thread). */
  refs(value: V): number {
    return this.#refs.get(value) ?? 0;
  }

  #release(value: V | undefined): void {
    if (value === undefined) return;
    const left = (this.#refs.get(value) ?? 0) - 1;
    if (left > 0) this.#refs.set(value, left);
    else this.#refs.delete(value);
  }
}
