// The digest of one VIP's new-flow table (docs/table-digest.md): SHA-256 over the table size,
// the ASes that own buckets with their weights (by ip46 address) and the bucket → AS table.
// Two LB hosts send a flow to the same backend exactly when their tables match, so equal
// digests mean they agree. Only what shapes the table counts: drained (weight 0) and removed
// ASes, which VPP garbage-collects at its own pace on each host, and the VIP's pool index are
// left out. Pure (hashing only).

import { createHash } from 'node:crypto';
import { ipToIp46 } from '../shared/ip-address.js';
import { noMember } from '../shared/maglev.js';
import { vipTable, type VipTable } from './vip-table.js';

/** The fixed prefix of the hashed bytes; a new definition gets a new version. */
export const digestVersion = 'maglev-table-digest/1';

/** An AS as VPP lists it (lb_as_v2_details). */
export interface ProgrammedAs {
  readonly address: string;
  readonly weight: number;
  /** Bit 0 set: in use; clear: removed, not yet garbage-collected. */
  readonly flags: number;
  /** VPP's own count of the AS's buckets. */
  readonly numBuckets: number;
}

export interface ProgrammedDigest {
  readonly table: VipTable;
  /** Lower-case hex SHA-256. */
  readonly digest: string;
  /** Every in-use AS's bucket count as VPP reported it equals the computed one. */
  readonly bucketsMatch: boolean;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/**
 * SHA-256 of: the ASCII version string, u32 size, u32 AS count, per AS (ip46 order) its 16
 * ip46 bytes and u32 weight, then per bucket the u32 index of its AS (0xffffffff: none).
 */
export function tableDigest(t: VipTable): string {
  const h = createHash('sha256');
  h.update(digestVersion, 'ascii');
  h.update(u32(t.size));
  h.update(u32(t.ases.length));
  for (const a of t.ases) {
    h.update(ipToIp46(a.address));
    h.update(u32(a.weight));
  }
  const slots = Buffer.alloc(4 * t.slots.length);
  t.slots.forEach((s, i) => slots.writeUInt32BE(s === noMember ? 0xffffffff : s, 4 * i));
  h.update(slots);
  return h.digest('hex');
}

/** The table VPP holds for a VIP, from its AS dump: in-use ASes at their programmed weights. */
export function programmedDigest(flowTableLength: number, ases: readonly ProgrammedAs[]): ProgrammedDigest {
  const inUse = ases.filter((a) => (a.flags & 1) === 1);
  const table = vipTable(flowTableLength, inUse);
  const computed = new Map(table.ases.map((a, i) => [a.address, table.buckets[i]!]));
  const bucketsMatch = inUse.every((a) => a.numBuckets === (computed.get(a.address) ?? 0));
  return { table, digest: tableDigest(table), bucketsMatch };
}
