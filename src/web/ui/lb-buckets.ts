// Which VPP VIP serves a frontend, and how many Maglev buckets each backend owns in it (the pool
// table's "lb buckets" column), from GetVPPLBState. Pure.

import type { FrontendInfo, VppLbState, VppLbVip } from './api-types.js';

const protocolNumbers: Readonly<Record<string, number>> = { tcp: 6, udp: 17, any: 255 };

/** Lower-case, with IPv6 zero runs compressed the way URL parsing does, for comparison only. */
export function normaliseIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

export function vipOf(fe: Pick<FrontendInfo, 'address' | 'protocol' | 'port'>, lb: VppLbState | null): VppLbVip | undefined {
  if (lb === null) return undefined;
  const addr = normaliseIp(fe.address);
  const proto = protocolNumbers[fe.protocol] ?? -1;
  return lb.vips.find((v) => normaliseIp(v.prefix.split('/')[0] ?? '') === addr && v.protocol === proto && v.port === fe.port);
}

/** Buckets of the AS with this address in the VIP; undefined when VPP has no such AS (or no VIP). */
export function bucketsOf(vip: VppLbVip | undefined, backendAddress: string | undefined): number | undefined {
  if (vip === undefined || backendAddress === undefined) return undefined;
  const addr = normaliseIp(backendAddress);
  return vip.applicationServers.find((a) => normaliseIp(a.address) === addr)?.numBuckets;
}
