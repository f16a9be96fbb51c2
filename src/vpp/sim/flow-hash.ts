// VPP lb's per-packet flow hash, pure. On x86-64 with SSE4.2 (and ARMv8 with CRC) lb_hash_hash
// is the crc32 instruction chained over five u64 words from 0, with no bit inversion:
// IPv4 hashes the address pair (src then dst, as the header holds them) and the ports word,
// then three zero words; IPv6 hashes src, dst (two words each) and the ports word. The ports
// word is the two u16s read in network order (dst first in memory, then src). A src-ip-sticky
// VIP hashes a zero ports word instead, so every connection of one client address to the VIP
// lands on the same bucket. (Builds without a CRC instruction use xxhash; not simulated.)

import { ipFamily, ipToBytes } from '../../shared/ip-address.js';

let crcTable: Uint32Array | undefined;

/** The reflected CRC-32C (Castagnoli, 0x82f63b78) byte table, built on first use. */
function table(): Uint32Array {
  if (crcTable !== undefined) return crcTable;
  crcTable = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    crcTable[n] = c >>> 0;
  }
  return crcTable;
}

/**
 * The raw CRC-32C update over bytes, as the crc32 instruction computes it: no initial or final
 * inversion (the standard CRC-32C is `~crc32cUpdate(0xffffffff, bytes)`).
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array): number {
  const t = table();
  let c = crc >>> 0;
  for (const b of bytes) c = t[(c ^ b) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

/** One packet's addresses and TCP/UDP ports, as the lb node reads them. */
export interface FlowTuple {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

/**
 * lb_node_get_hash: the u32 that picks the new-flow bucket (hash & (size - 1)) and keys the
 * sticky table. `sticky` is the VIP's src_ip_sticky flag. Both addresses must be one family.
 */
export function lbFlowHash(f: FlowTuple, sticky: boolean): number {
  const family = ipFamily(f.src);
  if (family === undefined || family !== ipFamily(f.dst)) throw new RangeError(`flow ${f.src} → ${f.dst}: not two addresses of one family`);
  const addrs = family === 4 ? 8 : 32;
  // IPv4: the address pair + 4 words (ports, then zeros); IPv6: 4 address words + the ports word.
  const words = new Uint8Array(40);
  words.set(ipToBytes(f.src), 0);
  words.set(ipToBytes(f.dst), addrs / 2);
  if (!sticky) {
    words[addrs] = (f.dstPort >>> 8) & 0xff;
    words[addrs + 1] = f.dstPort & 0xff;
    words[addrs + 2] = (f.srcPort >>> 8) & 0xff;
    words[addrs + 3] = f.srcPort & 0xff;
  }
  return crc32cUpdate(0, words);
}
