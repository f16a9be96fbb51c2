// Loopback addresses for fleet backends: consecutive IPv4 addresses inside 127.0.0.0/8 (Linux
// routes the whole /8 to lo, so each is a distinct local address without any setup).

import { ipFamily } from '../shared/ip-address.js';

function toNumber(a: string): number {
  return a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function toText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** `count` consecutive addresses from `first`; throws if the range leaves 127.0.0.0/8. */
export function fleetAddresses(count: number, first = '127.1.0.1'): string[] {
  if (ipFamily(first) !== 4 || !first.startsWith('127.')) throw new RangeError(`${first} is not an IPv4 loopback address`);
  const start = toNumber(first);
  if (start + count - 1 > toNumber('127.255.255.254')) throw new RangeError(`${count} addresses from ${first} leave 127.0.0.0/8`);
  return Array.from({ length: count }, (_, i) => toText(start + i));
}

/** True for addresses the fleet may bind: 127.0.0.0/8 and ::1. */
export function isLoopbackAddress(a: string): boolean {
  return (ipFamily(a) === 4 && a.startsWith('127.')) || a === '::1';
}
