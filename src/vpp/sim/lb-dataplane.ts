// The simulated lb node (VPP's lb plugin node.c), per packet: find the VIP the packet is routed
// to, hash it (flow-hash.ts), look the hash up in the thread's sticky table (flow-table.ts), and
// pick the AS: an existing entry's ("packet from existing sessions"), else the VIP's Maglev
// new-flow table's, remembered in a free entry ("first session packet", or "no server
// configured" when the bucket has no AS), or not remembered when the bucket's four entries are
// all valid ("untracked packet"). Each packet bumps one of those per-VIP counters and the VIP
// route's /net/route/to counter. A sticky entry keeps its AS even after the AS is removed or its
// weight drops to 0, until the entry idles out (flow_timeout) or lb_flush_vip_as evicts it.

import { ipFamily } from '../../shared/ip-address.js';
import { lbFlowHash, type FlowTuple } from './flow-hash.js';
import { FlowTable } from './flow-table.js';
import { vipPrefix, type LbModel, type ModelDataplane, type SimAs, type SimVip } from './lb-model.js';
import type { CounterKind } from './lb-counters.js';

/** lb_hash_time_now: VPP's clock in whole seconds plus 10000, so that 0 means "never used". */
const timeBaseS = 10_000;

/** One packet towards a VIP: its addresses and ports, and its IP length (for the route counter). */
export interface LbPacket extends FlowTuple {
  readonly bytes: number;
}

export interface LbVerdict {
  readonly vip: SimVip;
  /** Where the packet goes; undefined for no server (VPP sends it to a drop). */
  readonly as: SimAs | undefined;
  readonly counter: CounterKind;
  readonly thread: number;
}

export interface LbDataplaneHooks {
  /** After a packet moved the counters (to publish them). */
  readonly onCounted?: () => void;
  /** After the model's set of live VIPs changed. */
  readonly onVipsChanged?: () => void;
}

/** The lb node over one model; it attaches itself to the model (flushes, flows:) until detach(). */
export class LbDataplane implements ModelDataplane {
  readonly #model: LbModel;
  /** Per-thread sticky tables, created on a thread's first packet (lb_get_sticky_table). */
  readonly #tables: Array<FlowTable<SimAs> | undefined>;
  readonly #hooks: LbDataplaneHooks;

  constructor(model: LbModel, hooks: LbDataplaneHooks = {}) {
    this.#model = model;
    this.#tables = new Array<FlowTable<SimAs> | undefined>(model.threads).fill(undefined);
    this.#hooks = hooks;
    model.attachDataplane(this);
  }

  detach(): void {
    this.#model.attachDataplane(undefined);
  }

  vipsChanged(): void {
    this.#hooks.onVipsChanged?.();
  }

  /** The live TCP VIP on this host address and port, or the all-port VIP on the address. */
  resolveVip(dst: string, dstPort: number): SimVip | undefined {
    const prefix = `${dst}/${ipFamily(dst) === 4 ? 32 : 128}`;
    return this.#model.findVip({ prefix, protocol: 6, port: dstPort }) ?? this.#model.findVip({ prefix, protocol: 255, port: 0 });
  }

  /**
   * One TCP packet to a VIP address: undefined when no live VIP takes it (not routed to the lb
   * node, so nothing is counted), else the lb node's decision, counted.
   */
  packet(p: LbPacket): LbVerdict | undefined {
    const vip = this.resolveVip(p.dst, p.dstPort);
    if (vip === undefined) return undefined;
    const model = this.#model;
    const hash = lbFlowHash(p, vip.srcIpSticky);
    // The NIC's RSS spreads flows over the workers by 5-tuple (the main thread forwards only
    // when there are no workers); the 5-tuple hash stands in for RSS's Toeplitz hash.
    const thread = model.threads > 1 ? 1 + (lbFlowHash(p, false) % (model.threads - 1)) : 0;
    const table = this.#table(thread);
    const now = model.uptimeS() + timeBaseS;
    const slots = vip.table;
    const fresh = (): SimAs | undefined => (slots.length === 0 ? undefined : slots[hash & (slots.length - 1)]);
    const hit = table.get(hash, vip.index, now);
    let as: SimAs | undefined;
    let counter: CounterKind;
    if (hit.found !== undefined) {
      as = hit.found;
      counter = 'next';
    } else if (hit.available >= 0) {
      as = fresh();
      counter = as === undefined ? 'noServer' : 'first';
      // VPP stores the entry even without a server (value 0, which no lookup returns).
      table.put(hash, as, vip.index, hit.available, now);
    } else {
      as = fresh();
      counter = 'untracked';
    }
    model.stats.count(vip.index, thread, counter, 1);
    model.stats.countRoute(vipPrefix(vip), thread, 1, p.bytes);
    this.#hooks.onCounted?.();
    return { vip, as, counter, thread };
  }

  /** lb_flush_vip_as on every thread. */
  flush(vip: SimVip, as: SimAs | undefined): void {
    for (const t of this.#tables) t?.flush(vip.index, as);
  }

  /** Sticky entries referencing the AS over all threads (as_refcount). */
  flows(as: SimAs): number {
    return this.#tables.reduce((n, t) => n + (t?.refs(as) ?? 0), 0);
  }

  /** The thread's table at the configured size and timeout; a size change starts it afresh, as VPP does. */
  #table(thread: number): FlowTable<SimAs> {
    const conf = this.#model.conf;
    // sticky_buckets_per_core 0 passes VPP's is_pow2 (a 2^32-bucket table there): one bucket here.
    const buckets = Math.max(1, conf.stickyBucketsPerCore);
    let t = this.#tables[thread];
    if (t === undefined || t.buckets !== buckets) {
      t = new FlowTable<SimAs>(buckets, conf.flowTimeoutS);
      this.#tables[thread] = t;
    }
    t.timeoutS = conf.flowTimeoutS;
    return t;
  }
}
