// GetVPPLBDigest's answer built from a VPP lb state read: each VIP's table computed from the
// ASes VPP holds (core/table-digest.ts), named after the configured frontend that programs it.
// One function for the daemon and the test fake, so both answer alike.

import { vipKeyOf, vipKeyString } from '../core/desired-state.js';
import { programmedDigest } from '../core/table-digest.js';
import type { Frontend } from '../shared/config.js';
import { notFound } from '../shared/errors.js';
import type { VppLbStateView, VppVipDigestView } from './control-plane.js';

/** The digests of `state`'s VIPs (in its order), or of `only`'s VIP. NOT_FOUND for an unknown `only`. */
export function vipDigests(state: VppLbStateView, frontends: Iterable<Frontend>, only: string | undefined, includeTable: boolean): VppVipDigestView[] {
  const byKey = new Map<string, string>();
  for (const fe of frontends) byKey.set(vipKeyString(vipKeyOf(fe)), fe.name);
  if (only !== undefined && ![...byKey.values()].includes(only)) throw notFound('frontend', only);
  const out: VppVipDigestView[] = [];
  for (const v of state.vips) {
    const frontend = byKey.get(vipKeyString(v));
    if (only !== undefined && frontend !== only) continue;
    const d = programmedDigest(v.flowTableLength, v.applicationServers);
    out.push({
      prefix: v.prefix,
      protocol: v.protocol,
      port: v.port,
      frontend,
      flowTableLength: v.flowTableLength,
      digest: d.digest,
      ases: d.table.ases.map((a, i) => ({ address: a.address, weight: a.weight, buckets: d.table.buckets[i]! })),
      bucketsMatch: d.bucketsMatch,
      table: includeTable ? Array.from(d.table.slots) : undefined,
    });
  }
  return out;
}
