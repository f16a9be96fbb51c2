// Checks of single values shared by the semantic stage: required keys, names, integer ranges,
// duration bounds and address families (§2.2-§2.8). Each reports into an IssueCollector and
// returns whether the value passed, so callers can skip checks that depend on it.

import type { IpFamily } from '../shared/config.js';
import { formatDurationMs } from '../shared/duration.js';
import { ipFamily, ipFromBytes, ipToBytes, isIpv4Mapped } from '../shared/ip-address.js';
import { childPath, type ConfigLocation, type IssueCollector, type Located } from './issue.js';
import { quoteSnippet } from './snippet.js';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A required key is absent: reported at its owner's position, under the key's own path. */
export function missing(f: IssueCollector, owner: ConfigLocation, key: string): void {
  f.error({ ...owner, path: childPath(owner.path, key) }, `missing required key ${quoteSnippet(key)}`);
}

/** Names of health checks, backends, frontends and pools (§2.2). */
export function checkName(f: IssueCollector, kind: string, name: string, at: ConfigLocation): boolean {
  if (namePattern.test(name)) return true;
  f.error(at, `invalid ${kind} name ${quoteSnippet(name)}: must match ${namePattern.source}`);
  return false;
}

export function checkIntRange(f: IssueCollector, v: Located<number> | undefined, lo: number, hi: number): boolean {
  if (v === undefined || (v.value >= lo && v.value <= hi)) return true;
  f.error(v, `must be between ${lo} and ${hi}, got ${v.value}`);
  return false;
}

/** A duration of at least `minMs`. */
export function checkMinDuration(f: IssueCollector, v: Located<number> | undefined, minMs: number): boolean {
  if (v === undefined || v.value >= minMs) return true;
  f.error(v, `must be at least ${formatDurationMs(minMs)}, got ${formatDurationMs(v.value)}`);
  return false;
}

/**
 * An address literal that is not IPv4-mapped IPv6 and, when `want` is given, of that family.
 * Returns its family when it passes.
 */
export function checkAddress(f: IssueCollector, v: Located<string> | undefined, want?: IpFamily): IpFamily | undefined {
  if (v === undefined) return undefined;
  const family = ipFamily(v.value);
  if (family === undefined) return undefined; // the structural stage let only literals through
  if (want !== undefined && family !== want) {
    f.error(v, `must be an IPv${want} address, got ${v.value}`);
    return undefined;
  }
  if (isIpv4Mapped(v.value)) {
    f.error(v, `IPv4-mapped IPv6 address ${v.value} is not allowed; write the IPv4 address itself`);
    return undefined;
  }
  return family;
}

/**
 * An address VPP's lb plugin stores as an ip46_address_t (a VIP or an AS): IPv6 in ::/96 is
 * refused, because VPP takes an ip46 whose first 96 bits are zero for IPv4 (ip46_address_is_ip4)
 * and its dumps report such an AS as an IPv4 address (::1 as 0.0.0.1), which no sync can match.
 */
export function checkVppAddress(f: IssueCollector, v: Located<string> | undefined, family: IpFamily | undefined): IpFamily | undefined {
  if (v === undefined || family !== 6) return family;
  const b = ipToBytes(v.value);
  if (b.subarray(0, 12).some((x) => x !== 0)) return family;
  f.error(v, `IPv6 address ${v.value} is in ::/96, which VPP's lb plugin takes for the IPv4 address ${ipFromBytes(b.subarray(12))}; use an IPv6 address outside ::/96`);
  return undefined;
}
