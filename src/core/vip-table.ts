// One VIP's Maglev new-flow table as addresses: which AS owns each bucket, given the table size
// and the ASes with their weights, exactly as VPP fills it (shared/maglev.ts). Both the
// disruption preview (before/after a change) and the cross-host digest (from what VPP holds)
// are built on it, so they agree bucket for bucket. Pure.

import { ipToIp46 } from '../shared/ip-address.js';
import { maglevTable, noMember } from '../shared/maglev.js';

export interface TableAs {
  /** Canonical address. */
  readonly address: string;
  readonly weight: number;
}

export interface VipTable {
  /** The new-flows table length (a power of 2). */
  readonly size: number;
  /** The ASes that own buckets (weight > 0), in VPP's order: by 16-byte ip46 address. */
  readonly ases: readonly TableAs[];
  /** Bucket → index into `ases`, or noMember (-1) when no AS has weight. */
  readonly slots: Int32Array;
  /** Buckets per entry of `ases`. */
  readonly buckets: readonly number[];
}

/** The table of `size` buckets over the ASes with weight > 0 (the input order does not matter). */
export function vipTable(size: number, ases: Iterable<TableAs>): VipTable {
  const members = [...ases]
    .filter((a) => a.weight > 0)
    .map((a) => ({ address: a.address, weight: a.weight, ip46: ipToIp46(a.address) }))
    .sort((a, b) => Buffer.compare(a.ip46, b.ip46));
  const slots = maglevTable(members, size);
  const buckets = new Array<number>(members.length).fill(0);
  for (const s of slots) if (s !== noMember) buckets[s]!++;
  return { size, ases: members.map(({ address, weight }) => ({ address, weight })), slots, buckets };
}

/** The owner of every bucket: an AS address, or '' for none. */
export function bucketOwners(t: VipTable): string[] {
  return Array.from(t.slots, (s) => (s === noMember ? '' : t.ases[s]!.address));
}

/** Buckets of one address (0 when it owns none). */
export function bucketsOf(t: VipTable, address: string): number {
  const i = t.ases.findIndex((a) => a.address === address);
  return i < 0 ? 0 : t.buckets[i]!;
}

/**
 * Buckets whose owner differs between two tables (an AS or none on either side). Tables of
 * different sizes share no bucket positions: every bucket of the new one counts as moved.
 */
export function movedBuckets(before: VipTable, after: VipTable): number {
  if (before.size !== after.size) return after.size;
  const a = bucketOwners(before);
  const b = bucketOwners(after);
  let moved = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) moved++;
  return moved;
}
