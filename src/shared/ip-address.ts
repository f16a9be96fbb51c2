// IP address literals: validation, RFC 5952 canonical form, 16-byte ip46 form, numeric order.
// Used by the config (canonical addresses), the VPP codec (wire bytes) and the sync (AS order).

import { isIPv4, isIPv6 } from 'node:net';
import type { IpFamily } from './config.js';

/** The family of an address literal, or undefined for anything else (hostnames, prefixes, zones). */
export function ipFamily(text: string): IpFamily | undefined {
  if (isIPv4(text)) return 4;
  if (isIPv6(text) && !text.includes('%')) return 6;
  return undefined;
}

/** Only for text already validated as a dotted quad. A plain loop: the codec calls this per AS. */
function ipv4Bytes(text: string): Uint8Array {
  const out = new Uint8Array(4);
  let octet = 0;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      out[octet++] = v;
      v = 0;
    } else v = v * 10 + (c - 0x30);
  }
  out[octet] = v;
  return out;
}

function ipv6Bytes(text: string): Uint8Array {
  let s = text.toLowerCase();
  // An embedded dotted quad becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted?.[1] !== undefined) {
    const b = ipv4Bytes(dotted[1]);
    s = s.slice(0, s.length - dotted[1].length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** 4 bytes for IPv4, 16 for IPv6. Throws on a non-literal. */
export function ipToBytes(text: string): Uint8Array {
  const fam = ipFamily(text);
  if (fam === 4) return ipv4Bytes(text);
  if (fam === 6) return ipv6Bytes(text);
  throw new TypeError(`not an IP address literal: ${JSON.stringify(text)}`);
}

/** The 16-byte ip46 form: IPv4 is twelve zero bytes then its four bytes. */
export function ipToIp46(text: string): Uint8Array {
  const b = ipToBytes(text);
  if (b.length === 16) return b;
  const out = new Uint8Array(16);
  out.set(b, 12);
  return out;
}

/** Formats 4 or 16 bytes; IPv6 in RFC 5952 form (lowercase, longest zero run compressed). */
export function ipFromBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]!}.${bytes[1]!}.${bytes[2]!}.${bytes[3]!}`;
  if (bytes.length !== 16) throw new TypeError(`bad address length ${bytes.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of an address literal (RFC 5952 for IPv6). Throws on a non-literal. */
export function canonicalIp(text: string): string {
  return ipFromBytes(ipToBytes(text));
}

/** True for IPv4-mapped IPv6 (::ffff:a.b.c.d), which the config refuses. */
export function isIpv4Mapped(text: string): boolean {
  if (ipFamily(text) !== 6) return false;
  const b = ipv6Bytes(text);
  return b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** Numeric order: IPv4 before IPv6, ascending within a family (10.0.0.2 < 10.0.0.10). */
export function compareIp(a: string, b: string): number {
  const ab = ipToBytes(a);
  const bb = ipToBytes(b);
  if (ab.length !== bb.length) return ab.length - bb.length;
  for (let i = 0; i < ab.length; i++) {
    const d = ab[i]! - bb[i]!;
    if (d !== 0) return d;
  }
  return 0;
}
