// An in-memory model of VPP's lb plugin (vpp-wire.md §5, §9, §10) for the simulator: VIP and AS
// pools with VPP's retvals and quirks (all-port rules, -73 encap clash, is_pow2 passing 0, IPv4
// stored as ::a.b.c.d, removed objects lingering until a throttled GC), Maglev tables exactly as
// VPP builds them (computed when first read after a change: VPP rebuilds on every AS change in
// C, but BigInt hashing here costs milliseconds per table, which would dominate bulk syncs), and
// a traffic knob advancing the counters of lb-counters.ts (VIP and FIB). A dataplane may attach
// (the forwarding mode's lb node): it hears VIP changes and flushes, and its sticky entries count
// as flows.
// Time comes from an injected Clock; the 60 s background GC runs on it until dispose().

import type { Clock, TimerHandle } from '../../shared/clock.js';
import { ipFamily, ipFromBytes, ipToBytes, ipToIp46 } from '../../shared/ip-address.js';
import { splitPrefix } from '../codec.js';
import type { Encap, VipKey } from '../../shared/lb-vip.js';
import { maglevTable, noMember } from '../../shared/maglev.js';
import { LbCounters, type CounterSet } from './lb-counters.js';
import { SimPool } from './sim-pool.js';

/** Retvals the model returns (vpp-wire.md §6). */
export const rv = {
  ok: 0,
  noSuchFib: -3,
  noSuchEntry: -6,
  invalidValue: -7,
  invalidMemorySize: -70,
  invalidArgument: -73,
  valueExist: -81,
  invalidAddressFamily: -97,
} as const;

/** GC runs at most once per this many seconds per VIP (VPP's LB_GARBAGE_RUN), and globally on this period. */
export const gcRunS = 60;
/** A removed AS is kept at least this long (VPP's LB_CONCURRENCY_TIMEOUT). */
export const asHoldS = 10;

export interface LbConfValues {
  readonly ip4SrcAddress: string;
  readonly ip6SrcAddress: string;
  readonly stickyBucketsPerCore: number;
  readonly flowTimeoutS: number;
}

export interface VipAddArgs extends VipKey {
  readonly encap: Encap;
  readonly dscp?: number;
  readonly srvType?: number;
  readonly targetPort?: number;
  readonly newFlowsTableLength: number;
  readonly srcIpSticky: boolean;
}

export interface SimAs {
  readonly poolIndex: number;
  readonly address: string;
  readonly ip46: Uint8Array;
  weight: number;
  used: boolean;
  /** Uptime seconds of the last removal (VPP's last_used; in_use_since in dumps). */
  lastUsed: number;
  /** Sticky entries referencing this AS, and when they were last refreshed (ms). */
  flows: number;
  flowsAt: number;
}

export interface SimVip {
  readonly index: number;
  /** Internal form: IPv4 as ::a.b.c.d with plen 96 + len, host bits masked. */
  readonly ip46: Uint8Array;
  readonly plen: number;
  readonly family: 4 | 6;
  readonly protocol: number;
  readonly port: number;
  readonly encap: Encap;
  readonly dscp: number;
  readonly srvType: number;
  readonly targetPort: number;
  readonly newSize: number;
  readonly srcIpSticky: boolean;
  used: boolean;
  lastGc: number;
  ases: SimAs[];
  /** The new-flow table: slot → AS, undefined for no server (built at the first read after a change). */
  readonly table: ReadonlyArray<SimAs | undefined>;
}

/** A VIP's new-flow table (slot → AS, undefined for no server) and each AS's bucket count. */
interface FlowTable {
  readonly slots: ReadonlyArray<SimAs | undefined>;
  readonly buckets: ReadonlyMap<SimAs, number>;
}

export interface LbModelOptions {
  readonly clock: Clock;
  /** Threads including the main thread (counters are per thread); default 1. */
  readonly threads?: number;
  /** Run the 60 s background GC on the clock (default true). */
  readonly backgroundGc?: boolean;
}

export interface TrafficArgs {
  readonly vip: VipKey;
  readonly newFlows: number;
  readonly packetsPerFlow?: number;
  readonly bytesPerPacket?: number;
}

export type TrafficResult = CounterSet;

/**
 * A dataplane fed by the model (the simulator's forwarder, forwarder.ts): it hears VIP changes
 * and lb_flush_vip_as, and holds sticky entries of its own that count as an AS's flows.
 */
export interface ModelDataplane {
  /** The set of live VIPs changed. */
  vipsChanged(): void;
  /** lb_flush_vip_as: evict the VIP's sticky entries pointing at `as` (at every AS when undefined). */
  flush(vip: SimVip, as: SimAs | undefined): void;
  /** Sticky entries referencing the AS (VPP's as_refcount). */
  flows(as: SimAs): number;
}
export type { CounterSet } from './lb-counters.js';

const defaultConf: LbConfValues = {
  ip4SrcAddress: '255.255.255.255',
  ip6SrcAddress: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  stickyBucketsPerCore: 1024,
  flowTimeoutS: 40,
};

/** VPP's is_pow2: (x & (x - 1)) == 0, so 0 passes. */
function vppIsPow2(x: number): boolean {
  return (x & (x - 1)) === 0;
}

const v4Encaps: readonly Encap[] = ['gre4', 'gre6', 'l3dsr', 'nat4'];
const v6Encaps: readonly Encap[] = ['gre4', 'gre6', 'nat6'];

/** Which AS family an encap needs (GRE4/L3DSR/NAT4: IPv4; GRE6/NAT6: IPv6). */
function asFamilyOf(encap: Encap): 4 | 6 {
  return encap === 'gre6' || encap === 'nat6' ? 6 : 4;
}

interface ParsedKey {
  ip46: Uint8Array;
  plen: number;
  family: 4 | 6;
  protocol: number;
  port: number;
}

/** Index keys of a live VIP: its prefix (internal form), and protocol/port within the prefix. */
function prefixId(k: { readonly ip46: Uint8Array; readonly plen: number }): string {
  return `${Buffer.from(k.ip46).toString('hex')}/${k.plen}`;
}

function portId(k: { readonly protocol: number; readonly port: number }): string {
  return `${k.protocol}/${k.port}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Request VIP key → internal form: port 0 forces protocol 255, IPv4 → ::a.b.c.d/96+len, host bits masked. */
export function parseVipKey(key: VipKey): ParsedKey {
  const { address, len } = splitPrefix(key.prefix);
  const family = ipFamily(address) as 4 | 6;
  const ip46 = ipToIp46(address);
  const plen = family === 4 ? 96 + len : len;
  for (let bit = plen; bit < 128; bit++) ip46[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { ip46, plen, family, protocol: key.port === 0 ? 255 : key.protocol, port: key.port };
}

/** The external prefix text of a VIP: a.b.c.d/len or x::y/len. */
export function vipPrefix(v: { readonly ip46: Uint8Array; readonly plen: number; readonly family: 4 | 6 }): string {
  return v.family === 4 ? `${ipFromBytes(v.ip46.subarray(12))}/${v.plen - 96}` : `${ipFromBytes(v.ip46)}/${v.plen}`;
}

export class LbModel {
  readonly #clock: Clock;
  readonly #bootMs: number;
  readonly threads: number;
  #conf: LbConfValues = defaultConf;
  readonly #vips = new SimPool<SimVip>();
  readonly #ass = new SimPool<SimAs>();
  /** Live VIPs by prefixId, then portId. VPP scans its pool; a map keeps bulk syncs cheap here. */
  readonly #live = new Map<string, Map<string, SimVip>>();
  /** VIP counters and FIB routes. */
  readonly stats: LbCounters;
  #flowSeq = 0;
  /** Tables of VIPs unchanged since they were last read; a change deletes the entry. */
  readonly #tables = new WeakMap<SimVip, FlowTable>();
  #gcTimer: TimerHandle | undefined;
  #dataplane: ModelDataplane | undefined;
  /** Things a real VPP would have done badly (e.g. a 2^32-entry table). */
  readonly warnings: string[] = [];

  constructor(opts: LbModelOptions) {
    this.#clock = opts.clock;
    this.#bootMs = opts.clock.now();
    this.threads = Math.max(1, opts.threads ?? 1);
    this.stats = new LbCounters(this.threads);
    if (opts.backgroundGc !== false) this.#scheduleGc();
  }

  /** Stops the background GC. */
  dispose(): void {
    if (this.#gcTimer !== undefined) this.#clock.clearTimeout(this.#gcTimer);
    this.#gcTimer = undefined;
  }

  /** Unix ms of this model's boot. */
  get bootTimeMs(): number {
    return this.#bootMs;
  }

  /** VPP's u32 seconds since boot. */
  uptimeS(): number {
    return Math.floor((this.#clock.now() - this.#bootMs) / 1000);
  }

  #scheduleGc(): void {
    this.#gcTimer = this.#clock.setTimeout(() => {
      this.gc();
      this.#scheduleGc();
    }, gcRunS * 1000);
  }

  /** Feeds a dataplane (undefined detaches it). */
  attachDataplane(dp: ModelDataplane | undefined): void {
    this.#dataplane = dp;
  }

  // ---- global configuration ----

  get conf(): LbConfValues {
    return this.#conf;
  }

  /** lb_conf: both addresses always overwritten; 0xffffffff keeps a number; non-pow2 buckets → -70. */
  setConf(c: LbConfValues): number {
    const buckets = c.stickyBucketsPerCore === 0xffffffff ? this.#conf.stickyBucketsPerCore : c.stickyBucketsPerCore;
    const timeout = c.flowTimeoutS === 0xffffffff ? this.#conf.flowTimeoutS : c.flowTimeoutS;
    if (!vppIsPow2(buckets)) return rv.invalidMemorySize;
    this.#conf = { ip4SrcAddress: c.ip4SrcAddress, ip6SrcAddress: c.ip6SrcAddress, stickyBucketsPerCore: buckets, flowTimeoutS: timeout };
    return rv.ok;
  }

  // ---- VIPs ----

  /** Live VIPs and removed ones not yet collected, in pool order (index 0, the placeholder, excluded). */
  allVips(): SimVip[] {
    return this.#vips.entries().map(([, v]) => v);
  }

  /** Live VIPs in pool order: what lb_vip_dump returns, whatever its filter. */
  liveVips(): SimVip[] {
    return this.allVips().filter((v) => v.used);
  }

  /** The live VIP with exactly this key. */
  findVip(key: VipKey): SimVip | undefined {
    const k = parseVipKey(key);
    return this.#live.get(prefixId(k))?.get(portId(k));
  }

  #onPrefix(k: ParsedKey): SimVip[] {
    return [...(this.#live.get(prefixId(k))?.values() ?? [])];
  }

  /** lb_add_del_vip(_v2) add, with VPP's checks in VPP's order. */
  addVip(a: VipAddArgs): number {
    const k = parseVipKey(a);
    const siblings = this.#onPrefix(k);
    if (siblings.some((v) => v.protocol === k.protocol && v.port === k.port)) return rv.valueExist;
    if (k.port !== 0 && siblings.some((v) => v.port === 0)) return rv.valueExist;
    const diffPort = siblings.find((v) => v.protocol !== k.protocol || v.port !== k.port);
    if (k.port === 0 && diffPort !== undefined) return rv.valueExist;
    if (k.port !== 0 && diffPort !== undefined && diffPort.encap !== a.encap) return rv.invalidArgument;
    if (!vppIsPow2(a.newFlowsTableLength)) return rv.invalidMemorySize;
    if (!(k.family === 4 ? v4Encaps : v6Encaps).includes(a.encap)) return rv.invalidAddressFamily;
    if (a.encap === 'l3dsr' && (a.dscp ?? 0) >= 64) return rv.valueExist;
    if (a.newFlowsTableLength === 0) this.warnings.push(`VIP ${a.prefix} added with new_flows_table_length 0: VPP would allocate 2^32 buckets`);
    const tableOf = (v: SimVip): ReadonlyArray<SimAs | undefined> => this.#table(v).slots;
    const index = this.#vips.alloc((index) => {
      const vip: SimVip = {
        index,
        ip46: k.ip46,
        plen: k.plen,
        family: k.family,
        protocol: k.protocol,
        port: k.port,
        encap: a.encap,
        dscp: a.dscp ?? 0,
        srvType: a.srvType ?? 0,
        targetPort: a.targetPort ?? 0,
        newSize: a.newFlowsTableLength,
        srcIpSticky: a.srcIpSticky,
        used: true,
        lastGc: this.uptimeS(),
        ases: [],
        get table() {
          return tableOf(vip);
        },
      };
      return vip;
    });
    this.stats.zeroVip(index);
    const vip = this.#vips.get(index)!;
    const siblingMap = this.#live.get(prefixId(k)) ?? new Map<string, SimVip>();
    this.#live.set(prefixId(k), siblingMap.set(portId(k), vip));
    this.#rebuild(vip);
    this.stats.addRoute(vipPrefix(vip));
    this.#dataplane?.vipsChanged();
    return rv.ok;
  }

  /** lb_add_del_vip(_v2) delete: ASes are marked removed (no flush) and the VIP lingers until GC. */
  delVip(key: VipKey): number {
    const vip = this.findVip(key);
    if (vip === undefined) return rv.noSuchEntry;
    if (vip.ases.length > 0) this.#delAses(vip, [...vip.ases], false);
    vip.used = false;
    const siblingMap = this.#live.get(prefixId(vip));
    siblingMap?.delete(portId(vip));
    if (siblingMap?.size === 0) this.#live.delete(prefixId(vip));
    const prefix = vipPrefix(vip);
    if (this.#onPrefix(parseVipKey({ prefix, protocol: 0, port: 0 })).length === 0) this.stats.removeRoute(prefix);
    this.#dataplane?.vipsChanged();
    return rv.ok;
  }

  // ---- ASes ----

  /** lb_add_del_as(_v2) add: -6 no VIP, -81 in use, revive a removed one, -97 wrong family. */
  addAs(key: VipKey, address: string, weight: number, isFlush: boolean): number {
    const vip = this.findVip(key);
    if (vip === undefined) return rv.noSuchEntry;
    const ip46 = ipToIp46(address);
    const existing = vip.ases.find((a) => sameBytes(a.ip46, ip46));
    if (existing !== undefined) {
      if (existing.used) return rv.valueExist;
      existing.used = true;
      existing.weight = weight;
      if (isFlush) this.#flush(vip, existing);
    } else {
      if (ipFamily(address) !== asFamilyOf(vip.encap)) return rv.invalidAddressFamily;
      const poolIndex = this.#ass.alloc((poolIndex) => ({
        poolIndex,
        address: ipFromBytes(ipToBytes(address)),
        ip46,
        weight,
        used: true,
        lastUsed: 0,
        flows: 0,
        flowsAt: 0,
      }));
      vip.ases.push(this.#ass.get(poolIndex)!);
    }
    this.#rebuild(vip);
    this.#vipGc(vip);
    return rv.ok;
  }

  /** lb_add_del_as(_v2) delete: -6 no VIP or AS; an already-removed AS answers 0. */
  delAs(key: VipKey, address: string, isFlush: boolean): number {
    const vip = this.findVip(key);
    if (vip === undefined) return rv.noSuchEntry;
    const ip46 = ipToIp46(address);
    const as = vip.ases.find((a) => sameBytes(a.ip46, ip46));
    if (as === undefined) return rv.noSuchEntry;
    this.#delAses(vip, [as], isFlush);
    return rv.ok;
  }

  /** VPP's lb_vip_del_ass_withlock: GC first, then mark removed (refreshing last_used) and rebuild. */
  #delAses(vip: SimVip, ases: SimAs[], isFlush: boolean): void {
    this.#vipGc(vip);
    const now = this.uptimeS();
    for (const as of ases) {
      if (!vip.ases.includes(as)) continue;
      as.used = false;
      as.lastUsed = now;
      if (isFlush) this.#flush(vip, as);
    }
    this.#rebuild(vip);
  }

  /** lb_as_set_weight: -6 for a missing VIP or AS, or a removed AS. Weights up to 255 are accepted. */
  setWeight(key: VipKey, address: string, weight: number, isFlush: boolean): number {
    const vip = this.findVip(key);
    if (vip === undefined) return rv.noSuchEntry;
    const ip46 = ipToIp46(address);
    const as = vip.ases.find((a) => sameBytes(a.ip46, ip46));
    if (as === undefined || !as.used) return rv.noSuchEntry;
    as.weight = weight;
    if (isFlush) this.#flush(vip, as);
    this.#rebuild(vip);
    return rv.ok;
  }

  /** lb_flush_vip: evicts every sticky entry of the VIP; 0 even when it does not exist. */
  flushVip(key: VipKey): number {
    const vip = this.findVip(key);
    if (vip === undefined) return rv.ok;
    for (const as of vip.ases) as.flows = 0;
    this.#dataplane?.flush(vip, undefined);
    return rv.ok;
  }

  /** lb_flush_vip_as for one AS: its sticky entries on this VIP are evicted. */
  #flush(vip: SimVip, as: SimAs): void {
    as.flows = 0;
    this.#dataplane?.flush(vip, as);
  }

  /**
   * lb_as(_v2)_dump: an all-zero address dumps every AS of every VIP (removed ones included);
   * otherwise the raw request bytes are compared with the internal ::a.b.c.d form, so an
   * IPv4 filter (bytes in un[0..3]) matches nothing.
   */
  asDump(filter: VipKey): Array<{ vip: SimVip; as: SimAs }> {
    const { address } = splitPrefix(filter.prefix);
    const b = ipToBytes(address);
    const raw = new Uint8Array(16);
    raw.set(b, 0);
    const all = raw.every((x) => x === 0);
    const out: Array<{ vip: SimVip; as: SimAs }> = [];
    for (const vip of this.allVips()) {
      if (!all && !(sameBytes(raw, vip.ip46) && filter.protocol === vip.protocol && filter.port === vip.port)) continue;
      for (const as of vip.ases) out.push({ vip, as });
    }
    return out;
  }

  /** Buckets of the VIP's new-flow table held by this AS. */
  buckets(vip: SimVip, as: SimAs): number {
    return this.#table(vip).buckets.get(as) ?? 0;
  }


  /**
   * Sticky entries referencing the AS: those of the traffic knob (they idle out after
   * flow_timeout) plus an attached dataplane's (kept until overwritten or flushed, as in VPP).
   */
  flows(as: SimAs): number {
    if (as.flows > 0 && this.#clock.now() - as.flowsAt >= this.#conf.flowTimeoutS * 1000) as.flows = 0;
    return as.flows + (this.#dataplane?.flows(as) ?? 0);
  }

  /** VPP rebuilds the table on every AS change; here the next read does. */
  #rebuild(vip: SimVip): void {
    this.#tables.delete(vip);
  }

  #table(vip: SimVip): FlowTable {
    let t = this.#tables.get(vip);
    if (t !== undefined) return t;
    // new_flows_table_length 0 would be a 2^32 table in VPP; model it as an empty one.
    const members = vip.ases.map((a) => ({ ip46: a.ip46, weight: a.used ? a.weight : 0 }));
    const slots = vip.newSize === 0 ? [] : Array.from(maglevTable(members, vip.newSize), (m) => (m === noMember ? undefined : vip.ases[m]));
    const buckets = new Map<SimAs, number>();
    for (const as of slots) if (as !== undefined) buckets.set(as, (buckets.get(as) ?? 0) + 1);
    t = { slots, buckets };
    this.#tables.set(vip, t);
    return t;
  }

  // ---- garbage collection ----

  /** VPP's lb_vip_garbage_collection: at most once per 60 s per VIP; frees removed, idle ASes older than 10 s. */
  #vipGc(vip: SimVip): void {
    const now = this.uptimeS();
    if (!(now > vip.lastGc + gcRunS)) return;
    vip.lastGc = now;
    vip.ases = vip.ases.filter((as) => {
      const free = !as.used && now > as.lastUsed + asHoldS && this.flows(as) === 0;
      if (free) this.#ass.free(as.poolIndex);
      return !free;
    });
  }

  /** The global pass (every 60 s): per-VIP GC, then frees removed VIPs with no AS left. */
  gc(): void {
    for (const vip of this.allVips()) {
      this.#vipGc(vip);
      if (!vip.used && vip.ases.length === 0) this.#vips.free(vip.index);
    }
  }

  // ---- counters, routes, traffic ----

  /** ip_route_lookup: table 0 only (else -3); exact prefix of a live VIP, else -6. */
  routeLookup(tableId: number, prefix: string): { retval: number; statsIndex: number } {
    if (tableId !== 0) return { retval: rv.noSuchFib, statsIndex: 0 };
    const k = parseVipKey({ prefix, protocol: 0, port: 0 });
    const statsIndex = this.stats.routeIndex(vipPrefix(k));
    return statsIndex === undefined ? { retval: rv.noSuchEntry, statsIndex: 0 } : { retval: rv.ok, statsIndex };
  }

  /**
   * Sends `newFlows` new flows of `packetsPerFlow` packets to a live VIP, spread over the data
   * threads. Per flow: no AS in the table → every packet is "no server configured"; sticky
   * table full → every packet "untracked"; else the first packet is "first session packet",
   * the rest "packet from existing sessions", and the AS gains a sticky entry.
   */
  simulateTraffic(t: TrafficArgs): TrafficResult {
    const vip = this.findVip(t.vip);
    if (vip === undefined) throw new Error(`no live VIP ${t.vip.prefix} ${t.vip.protocol}/${t.vip.port}`);
    const ppf = t.packetsPerFlow ?? 1;
    const bpp = t.bytesPerPacket ?? 64;
    const dataThreads = this.threads > 1 ? this.threads - 1 : 1;
    const capacity = this.#conf.stickyBucketsPerCore * dataThreads;
    let sticky = this.allVips().reduce((n, v) => n + v.ases.reduce((m, a) => m + this.flows(a), 0), 0);
    const total: CounterSet = { next: 0, first: 0, untracked: 0, noServer: 0 };
    const prefix = vipPrefix(vip);
    const table = this.#table(vip).slots;
    const count = (thread: number, kind: keyof CounterSet, n: number): void => {
      this.stats.count(vip.index, thread, kind, n);
      total[kind] += n;
    };
    for (let i = 0; i < t.newFlows; i++) {
      const seq = this.#flowSeq++;
      const thread = this.threads > 1 ? 1 + (seq % dataThreads) : 0;
      const as = table.length === 0 ? undefined : table[mix32(seq) & (table.length - 1)];
      if (as === undefined) {
        count(thread, 'noServer', ppf);
      } else if (sticky >= capacity) {
        count(thread, 'untracked', ppf);
      } else {
        count(thread, 'first', 1);
        count(thread, 'next', ppf - 1);
        this.flows(as);
        as.flows++;
        as.flowsAt = this.#clock.now();
        sticky++;
      }
      this.stats.countRoute(prefix, thread, ppf, ppf * bpp);
    }
    return total;
  }
}

/** A cheap 32-bit integer mix (murmur3 fmix32) to spread synthetic flows over buckets. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
