// The desired lb plugin state: what VPP should hold for the current config,
// backend states and configured weights. Pure: the sync engine diffs this against what it read
// from VPP. Also owns the VIP key (its map-key text and its numeric order) and the desired
// global lb_conf, because both sides of the diff are keyed and ordered the same way.

import type { Config, Frontend, LbConfig } from '../shared/config.js';
import { canonicalIp, compareIp } from '../shared/ip-address.js';
import type { Encap, LbConf, VipKey } from '../shared/lb-vip.js';
import { frontendWeights, type StateOf, type WeightOf } from './weights.js';
import type { RampOf } from './slow-start.js';
import type { AgentOf } from './agent.js';

/** VPP's new-flow table length for every VIP. Never 0: VPP would try a 2³²-entry table. */
export const flowTableLength = 1024;

/** What the desired state is computed from; read when a sync runs, not when it was requested. */
export interface DesiredInputs {
  readonly stateOf: StateOf;
  readonly weightOf: WeightOf;
  /** Backends in slow start; absent: none. */
  readonly rampOf?: RampOf;
  /** Backends with an agent check and their verdict; absent: none. */
  readonly agentOf?: AgentOf;
}

export interface DesiredAs {
  readonly weight: number;
  readonly flush: boolean;
}

export interface DesiredVip {
  readonly key: VipKey;
  /** vipKeyString(key): the map key and the `vip` log attribute. */
  readonly id: string;
  readonly frontend: string;
  readonly encap: Encap;
  readonly srcIpSticky: boolean;
  readonly flowTableLength: number;
  /** Canonical backend address → desired weight and flush. */
  readonly ases: ReadonlyMap<string, DesiredAs>;
}

const protocolNumbers = { tcp: 6, udp: 17, any: 255 } as const;
const protocolNames: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 255: 'any' };

/** The VIP key of a frontend: canonical host prefix, protocol 6/17/255, port (0 for all-port). */
export function vipKeyOf(fe: Frontend): VipKey {
  const len = fe.family === 4 ? 32 : 128;
  const protocol = protocolNumbers[fe.protocol];
  return { prefix: `${canonicalIp(fe.address)}/${len}`, protocol, port: protocol === 255 ? 0 : fe.port };
}

/** "192.0.2.1/32 tcp 80", "2001:db8::1/128 any 0": unique per key, readable in logs. */
export function vipKeyString(k: VipKey): string {
  return `${k.prefix} ${protocolNames[k.protocol] ?? String(k.protocol)} ${k.port}`;
}

/** "a.b.c.d/len" with the address in canonical form; the length is kept as given. */
export function canonicalPrefix(prefix: string): string {
  const slash = prefix.lastIndexOf('/');
  if (slash < 0) return canonicalIp(prefix);
  return `${canonicalIp(prefix.slice(0, slash))}/${prefix.slice(slash + 1)}`;
}

function splitPrefix(prefix: string): { address: string; len: number } {
  const slash = prefix.lastIndexOf('/');
  return slash < 0 ? { address: prefix, len: -1 } : { address: prefix.slice(0, slash), len: Number(prefix.slice(slash + 1)) };
}

/** Numeric VIP order: address (IPv4 first, numerically), prefix length, protocol, port. */
export function compareVipKeys(a: VipKey, b: VipKey): number {
  const pa = splitPrefix(a.prefix);
  const pb = splitPrefix(b.prefix);
  return compareIp(pa.address, pb.address) || pa.len - pb.len || a.protocol - b.protocol || a.port - b.port;
}

/** The values of a keyed map in numeric VIP order. */
export function inVipOrder<T extends { readonly key: VipKey }>(m: ReadonlyMap<string, T>): T[] {
  return [...m.values()].sort((x, y) => compareVipKeys(x.key, y.key));
}

/** The encap follows the backends' family (gre4/gre6), whatever the VIP family. */
function encapOf(cfg: Config, fe: Frontend): Encap {
  for (const pool of fe.pools) {
    for (const m of pool.members) {
      const b = cfg.backends.get(m.backend);
      if (b !== undefined) return b.family === 4 ? 'gre4' : 'gre6';
    }
  }
  return fe.family === 4 ? 'gre4' : 'gre6';
}

/** One frontend's VIP: every backend of every pool, at its effective weight and flush. */
export function desiredVip(cfg: Config, fe: Frontend, inputs: DesiredInputs): DesiredVip {
  const ases = new Map<string, DesiredAs>();
  for (const m of frontendWeights(fe, inputs.stateOf, inputs.weightOf, inputs.rampOf, inputs.agentOf).members) {
    const b = cfg.backends.get(m.backend);
    // A removed backend leaves the desired set: the full sync deletes its AS with flush.
    if (b === undefined || m.state === 'removed') continue;
    const address = canonicalIp(b.address);
    if (!ases.has(address)) ases.set(address, { weight: m.effective.weight, flush: m.effective.flush });
  }
  const key = vipKeyOf(fe);
  return { key, id: vipKeyString(key), frontend: fe.name, encap: encapOf(cfg, fe), srcIpSticky: fe.srcIpSticky, flowTableLength, ases };
}

/** Every frontend's VIP, keyed by vipKeyString. */
export function desiredVips(cfg: Config, inputs: DesiredInputs): Map<string, DesiredVip> {
  const out = new Map<string, DesiredVip>();
  for (const fe of cfg.frontends.values()) {
    const d = desiredVip(cfg, fe, inputs);
    out.set(d.id, d);
  }
  return out;
}

/** The lb_conf to hold: config values; an unset src family keeps VPP's current address. */
export function desiredConf(lb: LbConfig, current: LbConf): LbConf {
  return {
    ip4SrcAddress: lb.ipv4SrcAddress ?? current.ip4SrcAddress,
    ip6SrcAddress: lb.ipv6SrcAddress ?? current.ip6SrcAddress,
    stickyBucketsPerCore: lb.stickyBucketsPerCore,
    flowTimeoutS: lb.flowTimeoutS,
  };
}

/** Equal lb_conf values (addresses compared in canonical form). */
export function confEqual(a: LbConf, b: LbConf): boolean {
  return (
    canonicalIp(a.ip4SrcAddress) === canonicalIp(b.ip4SrcAddress) &&
    canonicalIp(a.ip6SrcAddress) === canonicalIp(b.ip6SrcAddress) &&
    a.stickyBucketsPerCore === b.stickyBucketsPerCore &&
    a.flowTimeoutS === b.flowTimeoutS
  );
}
