// Reading what the lb plugin holds now (behaviour.md §5.3): lb_conf_get, lb_vip_dump, a dump of
// every AS (VPP's per-VIP AS filter is broken for IPv4, so filter here), and the CLI text for
// what lb_vip_details lacks (pool index, src_ip_sticky). The sync engine diffs against this;
// GetVPPLBState shows it. Reads only.

import { canonicalPrefix, vipKeyString } from '../core/desired-state.js';
import { canonicalIp } from '../shared/ip-address.js';
import type { CliVip, LbApi, LbAs, LbVip } from '../vpp/lb-api.js';
import type { Encap, LbConf, VipKey } from '../shared/lb-vip.js';

export interface CurrentAs {
  readonly weight: number;
  /** Bit 0 set = in use; clear = removed, not yet garbage-collected. */
  readonly flags: number;
  readonly numBuckets: number;
}

export interface CurrentVip {
  readonly key: VipKey;
  /** vipKeyString(key). */
  readonly id: string;
  readonly encap: Encap;
  /** From the CLI text; undefined when no CLI block matched (then never a reason to recreate). */
  readonly srcIpSticky: boolean | undefined;
  readonly flowTableLength: number;
  /** VPP pool index from the CLI text; undefined when no CLI block matched. */
  readonly index: number | undefined;
  /** Canonical address → AS. In-use ASes only, unless read with includeRemoved. */
  readonly ases: ReadonlyMap<string, CurrentAs>;
}

export interface LbState {
  readonly conf: LbConf;
  readonly vips: ReadonlyMap<string, CurrentVip>;
}

export interface ReadOptions {
  /** Also list removed ASes (flags bit 0 clear), but only where no in-use AS has the address. */
  readonly includeRemoved?: boolean;
}

function normalKey(k: VipKey): VipKey {
  return { prefix: canonicalPrefix(k.prefix), protocol: k.port === 0 ? 255 : k.protocol, port: k.port };
}

/** Every live VIP with its ASes (dump, AS dump, CLI), keyed by vipKeyString. */
export async function readVips(api: LbApi, opts: ReadOptions = {}): Promise<Map<string, CurrentVip>> {
  // Sent back to back (one write when the API allows it): three round trips would cost three
  // waits, and nothing writes in between (the reconciler runs one sync at a time).
  const start = (): [Promise<LbVip[]>, Promise<LbAs[]>, Promise<CliVip[]>] => [api.vipDump(), api.asDump(), api.vipsVerbose()];
  const [vips, ases, blocks] = await Promise.all(api.inOneWrite === undefined ? start() : api.inOneWrite(start));

  const cli = new Map<string, { index: number; srcIpSticky: boolean }>();
  for (const b of blocks) {
    if (!b.removed) cli.set(vipKeyString(normalKey(b)), { index: b.index, srcIpSticky: b.srcIpSticky });
  }

  const asByVip = new Map<string, Map<string, CurrentAs>>();
  for (const a of ases) {
    const inUse = (a.flags & 1) === 1;
    if (!inUse && opts.includeRemoved !== true) continue;
    const id = vipKeyString(normalKey(a.vip));
    let m = asByVip.get(id);
    if (m === undefined) asByVip.set(id, (m = new Map<string, CurrentAs>()));
    const address = canonicalIp(a.address);
    const prev = m.get(address);
    // An in-use entry wins over a removed one with the same address.
    if (prev !== undefined && ((prev.flags & 1) === 1 || !inUse)) continue;
    m.set(address, { weight: a.weight, flags: a.flags, numBuckets: a.numBuckets });
  }

  const out = new Map<string, CurrentVip>();
  for (const v of vips) {
    const key = normalKey(v);
    const id = vipKeyString(key);
    const c = cli.get(id);
    out.set(id, {
      key,
      id,
      encap: v.encap,
      srcIpSticky: c?.srcIpSticky,
      flowTableLength: v.flowTableLength,
      index: c?.index,
      ases: asByVip.get(id) ?? new Map<string, CurrentAs>(),
    });
  }
  return out;
}

/** §5.3 readState(): the global conf plus every live VIP. */
export async function readState(api: LbApi, opts: ReadOptions = {}): Promise<LbState> {
  const conf = await api.confGet();
  const vips = await readVips(api, opts);
  return { conf, vips };
}

/** Canonical AS addresses at a weight above 0 in any VIP: the backends VPP is serving (slow-start adoption). */
export function servingAddresses(vips: ReadonlyMap<string, CurrentVip>): Set<string> {
  const out = new Set<string>();
  for (const v of vips.values()) for (const [address, as] of v.ases) if (as.weight > 0) out.add(address);
  return out;
}
