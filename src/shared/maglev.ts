// VPP's Maglev new-flow table (vpp-wire.md §9), pure: VPP's clib_xxhash over BigInt and the
// round-robin fill over (AS, r) entries sorted by r then by the 16-byte ip46 address. The
// simulator uses it for `buckets:` and num_buckets, the core for disruption previews and table
// digests; it lives in shared so that both the VPP layer and the core can use it. Tests pin it
// to VPP's own vectors.

const mask64 = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & mask64;
}

/** VPP's clib_xxhash(key): xxHash64 of one u64 with seed 0x9e3779b97f4a7c13 folded in. */
export function xxhash64(key: bigint): bigint {
  const k = (rotl64((key * P2) & mask64, 31n) * P1) & mask64;
  let h = (0x9e3779b97f4a7c13n + P5 + 8n) & mask64;
  h ^= k;
  h = (rotl64(h, 27n) * P1 + P4) & mask64;
  h ^= h >> 33n;
  h = (h * P2) & mask64;
  h ^= h >> 29n;
  h = (h * P3) & mask64;
  h ^= h >> 32n;
  return h;
}

export interface MaglevMember {
  /** 16-byte ip46 form (IPv4: twelve zero bytes then the address). */
  readonly ip46: Uint8Array;
  /** 0 keeps the member out of the table. */
  readonly weight: number;
}

export const noMember = -1;

/** True for 1, 2, 4, … (VPP's is_pow2 also passes 0; callers refuse that). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 2 ** 30;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 16; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function u64le(b: Uint8Array, off: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i] ?? 0);
  return v;
}

/**
 * The new-flow table of size M: slot → index into `members`, or noMember (-1) when no member
 * has weight > 0 (then new flows count as "no server configured").
 */
export function maglevTable(members: readonly MaglevMember[], size: number): Int32Array {
  if (!isPowerOfTwo(size)) throw new RangeError(`maglev table size ${size} is not a power of 2`);
  const table = new Int32Array(size).fill(noMember);
  const mask = size - 1;
  const entries: Array<{ member: number; r: number }> = [];
  members.forEach((m, member) => {
    for (let r = 0; r < m.weight; r++) entries.push({ member, r });
  });
  if (entries.length === 0) return table;
  entries.sort((a, b) => a.r - b.r || compareBytes(members[a.member]!.ip46, members[b.member]!.ip46));
  const bigMask = BigInt(mask);
  const state = entries.map((e) => {
    const ip = members[e.member]!.ip46;
    const seed = xxhash64(u64le(ip, 0) ^ u64le(ip, 8) ^ BigInt(e.r));
    return { member: e.member, skip: Number(((seed & 0xffffffffn) | 1n) & bigMask), last: Number((seed >> 32n) & bigMask) };
  });
  let filled = 0;
  for (;;) {
    for (const s of state) {
      for (;;) {
        const c = s.last;
        s.last = (s.last + s.skip) & mask;
        if (table[c] === noMember) {
          table[c] = s.member;
          break;
        }
      }
      if (++filled === size) return table;
    }
  }
}

/** Bucket count per member (same order as `members`). */
export function maglevBuckets(members: readonly MaglevMember[], size: number): number[] {
  const counts = new Array<number>(members.length).fill(0);
  for (const m of maglevTable(members, size)) if (m !== noMember) counts[m]!++;
  return counts;
}
