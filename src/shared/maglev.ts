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

// The same hash on pairs of u32 words (hi, lo): BigInt costs about a microsecond per hash, and a
// table of 10 ASes at weight 100 needs 1000 of them. xxhash64 above stays the reference.

/** hi and lo words of the last mul64/xxhash64Words result. */
let outHi = 0;
let outLo = 0;

/** (ah:al × bh:bl) mod 2^64, exact with 16-bit partial products. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  outLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  outHi = (carry + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
}

const w = (b: bigint): [number, number] => [Number(b >> 32n), Number(b & 0xffffffffn)];
const [P1h, P1l] = w(P1);
const [P2h, P2l] = w(P2);
const [P3h, P3l] = w(P3);
const [P4h, P4l] = w(P4);
const [H0h, H0l] = w((0x9e3779b97f4a7c13n + P5 + 8n) & mask64);

/** xxhash64 of hi:lo; the result lands in outHi/outLo. */
function xxhash64Words(hi: number, lo: number): void {
  mul64(hi, lo, P2h, P2l);
  // rotl 31
  let kh = ((outHi << 31) | (outLo >>> 1)) >>> 0;
  let kl = ((outLo << 31) | (outHi >>> 1)) >>> 0;
  mul64(kh, kl, P1h, P1l);
  kh = outHi;
  kl = outLo;
  let hh = (H0h ^ kh) >>> 0;
  let hl = (H0l ^ kl) >>> 0;
  // rotl 27, × P1, + P4
  const rh = ((hh << 27) | (hl >>> 5)) >>> 0;
  const rl = ((hl << 27) | (hh >>> 5)) >>> 0;
  mul64(rh, rl, P1h, P1l);
  const sl = outLo + P4l;
  hl = sl >>> 0;
  hh = (outHi + P4h + (sl > 0xffffffff ? 1 : 0)) >>> 0;
  // h ^= h >> 33; h *= P2
  hl = (hl ^ (hh >>> 1)) >>> 0;
  mul64(hh, hl, P2h, P2l);
  hh = outHi;
  hl = outLo;
  // h ^= h >> 29; h *= P3
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0;
  hh = (hh ^ (hh >>> 29)) >>> 0;
  mul64(hh, hl, P3h, P3l);
  // h ^= h >> 32
  outLo = (outLo ^ outHi) >>> 0;
}

/** The u32 words of xxhash64(hi:lo) as [hi, lo]; for tests against the BigInt reference. */
export function xxhash64Pair(hi: number, lo: number): [number, number] {
  xxhash64Words(hi >>> 0, lo >>> 0);
  return [outHi, outLo];
}

function u32le(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) | ((b[off + 1] ?? 0) << 8) | ((b[off + 2] ?? 0) << 16) | ((b[off + 3] ?? 0) << 24)) >>> 0;
}

/**
 * Per address (by array identity), xxhash64(u64le(ip, 0) ^ u64le(ip, 8) ^ r) for r = 0, 1, …
 * as [hi, lo] word pairs. The seeds depend on neither weight nor table size, so a simulator
 * rebuilding a VIP's table after a weight change hashes nothing again.
 */
const seedCache = new WeakMap<Uint8Array, Uint32Array>();

function seedsFor(ip: Uint8Array, count: number): Uint32Array {
  const cached = seedCache.get(ip);
  if (cached !== undefined && cached.length >= 2 * count) return cached;
  const seeds = new Uint32Array(2 * count);
  const have = cached === undefined ? 0 : cached.length / 2;
  if (cached !== undefined) seeds.set(cached);
  const hi = (u32le(ip, 4) ^ u32le(ip, 12)) >>> 0;
  const lo = (u32le(ip, 0) ^ u32le(ip, 8)) >>> 0;
  for (let r = have; r < count; r++) {
    xxhash64Words(hi, (lo ^ r) >>> 0);
    seeds[2 * r] = outHi;
    seeds[2 * r + 1] = outLo;
  }
  seedCache.set(ip, seeds);
  return seeds;
}

/**
 * The new-flow table of size M: slot → index into `members`, or noMember (-1) when no member
 * has weight > 0 (then new flows count as "no server configured").
 */
export function maglevTable(members: readonly MaglevMember[], size: number): Int32Array {
  if (!isPowerOfTwo(size)) throw new RangeError(`maglev table size ${size} is not a power of 2`);
  const table = new Int32Array(size).fill(noMember);
  const mask = size - 1;
  // Entries (member, r) in VPP's order: r first, then the 16-byte address. Members sorted by
  // address once, then walked r by r, give that order without sorting the entries.
  const byAddress = members.map((_, i) => i).sort((a, b) => compareBytes(members[a]!.ip46, members[b]!.ip46));
  const maxWeight = members.reduce((m, x) => Math.max(m, x.weight), 0);
  const owner: number[] = [];
  const skips: number[] = [];
  const lasts: number[] = [];
  const seeds = members.map((m) => (m.weight > 0 ? seedsFor(m.ip46, m.weight) : undefined));
  for (let r = 0; r < maxWeight; r++) {
    for (const member of byAddress) {
      const m = members[member]!;
      if (m.weight <= r) continue;
      const s = seeds[member]!;
      owner.push(member);
      skips.push((s[2 * r + 1]! | 1) & mask);
      lasts.push(s[2 * r]! & mask);
    }
  }
  if (owner.length === 0) return table;
  let filled = 0;
  for (;;) {
    for (let e = 0; e < owner.length; e++) {
      for (;;) {
        const c = lasts[e]!;
        lasts[e] = (c + skips[e]!) & mask;
        if (table[c] === noMember) {
          table[c] = owner[e]!;
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
