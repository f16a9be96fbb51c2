// What maglevd believes the lb plugin holds, VIP by VIP: the last full read, updated with every
// write that VPP accepted. A VIP sync plans against it instead of dumping every VIP and AS of
// the dataplane, so its cost does not grow with the fleet. It is only a belief: a VIP whose write
// failed is forgotten, a (re)connect forgets everything, and a forgotten VIP sends the next sync
// back to a full read. Every full sync reads VPP anyway and reports where the belief had drifted
// (driftBetween) before replacing it.

import { flowTableLength, vipKeyString } from '../core/desired-state.js';
import type { VipKey } from '../shared/lb-vip.js';
import type { LbOp } from './lb-plan.js';
import type { CurrentAs, CurrentVip } from './lb-state.js';

/** A believed VIP: a CurrentVip whose ASes follow the writes. */
type ModelVip = Omit<CurrentVip, 'ases'> & { readonly ases: Map<string, CurrentAs> };

const inUse: Omit<CurrentAs, 'weight'> = { flags: 1, numBuckets: 0 };

/**
 * How `read` (what VPP holds) differs from `believed`, as readable lines. Only what a sync acts
 * on counts (VIP presence, encap, src-ip-sticky when both sides know it, table length, in-use
 * ASes and their weights); bucket counts and pool indexes do not. VIPs `skip` names are left out.
 */
export function driftBetween(believed: ReadonlyMap<string, CurrentVip>, read: ReadonlyMap<string, CurrentVip>, skip: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (const [id, b] of believed) {
    if (skip.has(id)) continue;
    const r = read.get(id);
    if (r === undefined) {
      out.push(`${id}: VIP missing`);
      continue;
    }
    if (r.encap !== b.encap) out.push(`${id}: encap ${r.encap}, believed ${b.encap}`);
    if (r.srcIpSticky !== undefined && b.srcIpSticky !== undefined && r.srcIpSticky !== b.srcIpSticky) {
      out.push(`${id}: src-ip-sticky ${r.srcIpSticky}, believed ${b.srcIpSticky}`);
    }
    if (r.flowTableLength !== b.flowTableLength) out.push(`${id}: flow-table-length ${r.flowTableLength}, believed ${b.flowTableLength}`);
    for (const [address, as] of b.ases) {
      const got = r.ases.get(address);
      if (got === undefined) out.push(`${id} ${address}: AS missing`);
      else if (got.weight !== as.weight) out.push(`${id} ${address}: weight ${got.weight}, believed ${as.weight}`);
    }
    for (const address of r.ases.keys()) if (!b.ases.has(address)) out.push(`${id} ${address}: unexpected AS`);
  }
  for (const id of read.keys()) if (!believed.has(id) && !skip.has(id)) out.push(`${id}: unexpected VIP`);
  return out;
}

export class ProgrammedState {
  readonly #vips = new Map<string, ModelVip>();
  /** True once a full read was loaded since the last reset: a VIP absent from #vips is absent from VPP. */
  #loaded = false;
  /** VIPs whose last write failed: their state in VPP is not known. */
  readonly #forgotten = new Set<string>();
  /** Bumped by every change recorded or forgotten; per VIP, the value at its last one. */
  #generation = 0;
  readonly #touched = new Map<string, number>();

  /** Forgets everything (a new connection, a restarted VPP). */
  reset(): void {
    this.#vips.clear();
    this.#forgotten.clear();
    this.#touched.clear();
    this.#loaded = false;
  }

  /** A point to load a read against: VIPs changed after it keep the belief (see load). */
  mark(): number {
    return this.#generation;
  }

  /** Every VIP believed present (meaningful once loaded). */
  believed(): ReadonlyMap<string, CurrentVip> {
    return this.#vips;
  }

  /** True when a VIP sync for this VIP can plan without reading VPP. */
  knows(id: string): boolean {
    return this.#loaded && !this.#forgotten.has(id);
  }

  /** The VIP as programmed; undefined when it is not in VPP. Meaningful only where knows(id). */
  get(id: string): CurrentVip | undefined {
    return this.#vips.get(id);
  }

  /**
   * Replaces the belief with a full read of every live VIP and returns the drift: how the read
   * differs from what was believed (nothing before the first load, forgotten VIPs skipped).
   * With `since` (a mark() taken when the read was requested), VIPs written or forgotten after
   * it are left as they are: the read, answered in order, predates those writes.
   */
  load(read: ReadonlyMap<string, CurrentVip>, since?: number): string[] {
    const later = new Set<string>();
    if (since !== undefined) for (const [id, g] of this.#touched) if (g > since) later.add(id);
    const skip = new Set([...this.#forgotten, ...later]);
    const drift = this.#loaded ? driftBetween(this.#vips, read, skip) : [];
    for (const id of [...this.#vips.keys()]) if (!later.has(id)) this.#vips.delete(id);
    for (const [id, v] of read) {
      if (later.has(id)) continue;
      const ases = new Map<string, CurrentAs>();
      // Removed ASes (flags bit 0 clear) are gone as far as a sync is concerned.
      for (const [address, as] of v.ases) if ((as.flags & 1) === 1) ases.set(address, as);
      this.#vips.set(id, { key: v.key, id, encap: v.encap, srcIpSticky: v.srcIpSticky, flowTableLength: v.flowTableLength, index: v.index, ases });
    }
    for (const id of [...this.#forgotten]) if (!later.has(id)) this.#forgotten.delete(id);
    this.#loaded = true;
    return drift;
  }

  /** A write to this VIP failed or was cut off: its state in VPP is no longer known. */
  forget(vip: VipKey): void {
    if (!this.#loaded) return;
    const id = vipKeyString(vip);
    this.#forgotten.add(id);
    this.#touched.set(id, ++this.#generation);
  }

  /** Applies one operation VPP accepted (an AS add that fell back to a weight change included). */
  record(op: LbOp): void {
    if (!this.#loaded || op.kind === 'conf' || op.kind === 'vip-recreate' || op.kind === 'as-flush') return;
    const id = vipKeyString(op.vip);
    if (this.#forgotten.has(id)) return;
    this.#touched.set(id, ++this.#generation);
    switch (op.kind) {
      case 'vip-add':
        this.#vips.set(id, { key: op.vip, id, encap: op.encap, srcIpSticky: op.srcIpSticky, flowTableLength, index: undefined, ases: new Map() });
        return;
      case 'vip-del':
        // VPP marks its remaining ASes removed; a re-added VIP starts empty.
        this.#vips.delete(id);
        return;
      case 'as-add':
        this.#vips.get(id)?.ases.set(op.address, { ...inUse, weight: op.weight });
        return;
      case 'as-weight':
        this.#vips.get(id)?.ases.set(op.address, { ...inUse, weight: op.to });
        return;
      case 'as-del':
        this.#vips.get(id)?.ases.delete(op.address);
        return;
      /* c8 ignore next 4 */
      default: {
        const exhaustive: never = op;
        return exhaustive;
      }
    }
  }
}
