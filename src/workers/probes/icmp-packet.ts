// ICMP and ICMPv6 echo packets: the echo request with a 16-byte payload
// (send timestamp + nonce), and decoding of what an ICMP socket returns: echo replies and
// destination-unreachable messages quoting one of our requests. Pure.

import { ipFromBytes } from '../../shared/ip-address.js';

export const payloadBytes = 16;

export type IcmpMessage =
  | { readonly type: 'reply'; readonly id: number; readonly seq: number; readonly nonce: bigint }
  | { readonly type: 'unreachable'; readonly code: number; readonly id: number; readonly seq: number; readonly quotedDestination: string };

/** The Internet checksum (RFC 1071). */
export function internetChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  if (b.length % 2 === 1) sum += (b[b.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An echo request. ICMPv6 checksums are the kernel's job; ICMPv4 ones are ours (raw sockets). */
export function encodeEchoRequest(family: 4 | 6, id: number, seq: number, sentAtMs: number, nonce: bigint): Buffer {
  const b = Buffer.alloc(8 + payloadBytes);
  b[0] = family === 4 ? 8 : 128;
  b.writeUInt16BE(id & 0xffff, 4);
  b.writeUInt16BE(seq & 0xffff, 6);
  b.writeDoubleBE(sentAtMs, 8);
  b.writeBigUInt64BE(nonce, 16);
  if (family === 4) b.writeUInt16BE(internetChecksum(b), 2);
  return b;
}

/**
 * Decodes one datagram from an ICMP socket. `withIpHeader` is true for raw IPv4 sockets, which
 * return the IP header too. Anything other than an echo reply or a destination-unreachable that
 * quotes an echo request is undefined.
 */
export function decodeIcmp(family: 4 | 6, withIpHeader: boolean, packet: Buffer): IcmpMessage | undefined {
  let icmp = packet;
  if (family === 4 && withIpHeader) {
    if (packet.length < 20) return undefined;
    icmp = packet.subarray(((packet[0] ?? 0) & 0x0f) * 4);
  }
  if (icmp.length < 8) return undefined;
  const type = icmp[0];
  if (type === (family === 4 ? 0 : 129)) {
    if (icmp.length < 8 + payloadBytes) return undefined;
    return { type: 'reply', id: icmp.readUInt16BE(4), seq: icmp.readUInt16BE(6), nonce: icmp.readBigUInt64BE(16) };
  }
  if (type !== (family === 4 ? 3 : 1)) return undefined;
  const quoted = icmp.subarray(8);
  if (family === 4) {
    if (quoted.length < 20) return undefined;
    const ihl = ((quoted[0] ?? 0) & 0x0f) * 4;
    const inner = quoted.subarray(ihl);
    if (quoted[9] !== 1 || inner.length < 8 || inner[0] !== 8) return undefined;
    return { type: 'unreachable', code: icmp[1] ?? 0, id: inner.readUInt16BE(4), seq: inner.readUInt16BE(6), quotedDestination: ipFromBytes(quoted.subarray(16, 20)) };
  }
  if (quoted.length < 48 || quoted[6] !== 58) return undefined;
  const inner = quoted.subarray(40);
  if (inner[0] !== 128) return undefined;
  return { type: 'unreachable', code: icmp[1] ?? 0, id: inner.readUInt16BE(4), seq: inner.readUInt16BE(6), quotedDestination: ipFromBytes(quoted.subarray(24, 40)) };
}

/** A short name for a destination-unreachable code. */
export function unreachableReason(family: 4 | 6, code: number): string {
  const v4: Record<number, string> = { 0: 'network unreachable', 1: 'host unreachable', 2: 'protocol unreachable', 3: 'port unreachable', 9: 'network prohibited', 10: 'host prohibited', 13: 'administratively prohibited' };
  const v6: Record<number, string> = { 0: 'no route', 1: 'administratively prohibited', 3: 'address unreachable', 4: 'port unreachable', 5: 'source address failed policy', 6: 'reject route' };
  return (family === 4 ? v4 : v6)[code] ?? `destination unreachable code ${code}`;
}
