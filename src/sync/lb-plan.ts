// The diff (behaviour.md §5.4): desired vs current lb state → an ordered list of lb operations.
// Pure. Owns every ordering rule: removals before creations in a full sync, numeric VIP and AS
// order, make-before-break grouping, the flush rules, and the recreate conditions. The sync
// engine (lb-sync.ts) only executes and logs what this returns.

import { confEqual, flowTableLength, inVipOrder, type DesiredVip } from '../core/desired-state.js';
import { compareIp } from '../shared/ip-address.js';
import type { Encap, LbConf, VipKey } from '../shared/lb-vip.js';
import type { CurrentVip } from './lb-state.js';

/** Frontend name → backend addresses whose AS must get is_flush in this sync. */
export type FlushHints = ReadonlyMap<string, ReadonlySet<string>>;

export type LbOp =
  | { readonly kind: 'conf'; readonly from: LbConf; readonly to: LbConf }
  /** Not a write: marks the delete/add pair that follows as a recreate, for the log. */
  | { readonly kind: 'vip-recreate'; readonly vip: VipKey; readonly frontend: string; readonly reason: string }
  | { readonly kind: 'vip-add'; readonly vip: VipKey; readonly encap: Encap; readonly srcIpSticky: boolean }
  | { readonly kind: 'vip-del'; readonly vip: VipKey; readonly encap: Encap; readonly srcIpSticky: boolean }
  | { readonly kind: 'as-add'; readonly vip: VipKey; readonly address: string; readonly weight: number; readonly flush: boolean }
  /** Always with flush. `weight` is the weight it had. */
  | { readonly kind: 'as-del'; readonly vip: VipKey; readonly address: string; readonly weight: number }
  | { readonly kind: 'as-weight'; readonly vip: VipKey; readonly address: string; readonly from: number; readonly to: number; readonly flush: boolean }
  /** lb_as_set_weight at the unchanged weight with is_flush: repeats while a backend stays down. */
  | { readonly kind: 'as-flush'; readonly vip: VipKey; readonly address: string; readonly weight: number };

export type LbOpKind = LbOp['kind'];

export const syncKinds = ['vip_added', 'vip_removed', 'as_added', 'as_removed', 'as_weight_updated', 'as_flushed', 'conf_updated'] as const;
export type SyncKind = (typeof syncKinds)[number];
export type SyncCounts = Record<SyncKind, number>;

/** The counter kind each operation adds to; undefined for markers that write nothing. */
export const opKinds: Readonly<Record<LbOpKind, SyncKind | undefined>> = {
  conf: 'conf_updated',
  'vip-recreate': undefined,
  'vip-add': 'vip_added',
  'vip-del': 'vip_removed',
  'as-add': 'as_added',
  'as-del': 'as_removed',
  'as-weight': 'as_weight_updated',
  'as-flush': 'as_flushed',
};

export function zeroCounts(): SyncCounts {
  return { vip_added: 0, vip_removed: 0, as_added: 0, as_removed: 0, as_weight_updated: 0, as_flushed: 0, conf_updated: 0 };
}

export function countOps(ops: readonly LbOp[]): SyncCounts {
  const c = zeroCounts();
  for (const op of ops) {
    const k = opKinds[op.kind];
    if (k !== undefined) c[k]++;
  }
  return c;
}

/** True for operations that call VPP. */
export function isWrite(op: LbOp): boolean {
  return opKinds[op.kind] !== undefined;
}

/** lb_conf when the wanted values differ from VPP's. */
export function planConf(current: LbConf, want: LbConf): LbOp[] {
  return confEqual(current, want) ? [] : [{ kind: 'conf', from: current, to: want }];
}

/** Why the VIP must be deleted and re-added (VPP cannot change these in place), or undefined. */
export function needsRecreate(c: CurrentVip, d: DesiredVip): string | undefined {
  if (c.srcIpSticky !== undefined && c.srcIpSticky !== d.srcIpSticky) return `src-ip-sticky ${c.srcIpSticky} -> ${d.srcIpSticky}`;
  if (c.encap !== d.encap) return `encap ${c.encap} -> ${d.encap}`;
  if (c.flowTableLength !== flowTableLength) return `flow-table-length ${c.flowTableLength} -> ${flowTableLength}`;
  return undefined;
}

/** deleteVIP: every AS with flush in numeric order, then the VIP. */
export function planDeleteVip(c: CurrentVip): LbOp[] {
  const ops: LbOp[] = [...c.ases.keys()]
    .sort(compareIp)
    .map((address) => ({ kind: 'as-del', vip: c.key, address, weight: c.ases.get(address)?.weight ?? 0 }));
  ops.push({ kind: 'vip-del', vip: c.key, encap: c.encap, srcIpSticky: c.srcIpSticky ?? false });
  return ops;
}

interface Ranked {
  readonly address: string;
  readonly op: LbOp;
}

const byAddress = (a: Ranked, b: Ranked): number => compareIp(a.address, b.address);

/**
 * reconcileVIP: create the VIP if absent, then make before break — (1) adds and weight
 * increases, (2) weight decreases and flush-only calls, (3) deletes — each in numeric IP order.
 */
export function planReconcileVip(d: DesiredVip, c: CurrentVip | undefined, flushHints: ReadonlySet<string> = new Set()): LbOp[] {
  const ops: LbOp[] = [];
  if (c === undefined) ops.push({ kind: 'vip-add', vip: d.key, encap: d.encap, srcIpSticky: d.srcIpSticky });
  const current = c?.ases ?? new Map<string, { readonly weight: number }>();
  const make: Ranked[] = [];
  const drain: Ranked[] = [];
  const remove: Ranked[] = [];
  for (const [address, want] of d.ases) {
    const flush = want.flush || flushHints.has(address);
    const have = current.get(address);
    if (have === undefined) {
      make.push({ address, op: { kind: 'as-add', vip: d.key, address, weight: want.weight, flush } });
    } else if (want.weight > have.weight) {
      make.push({ address, op: { kind: 'as-weight', vip: d.key, address, from: have.weight, to: want.weight, flush } });
    } else if (want.weight < have.weight) {
      drain.push({ address, op: { kind: 'as-weight', vip: d.key, address, from: have.weight, to: want.weight, flush } });
    } else if (flush) {
      drain.push({ address, op: { kind: 'as-flush', vip: d.key, address, weight: want.weight } });
    }
  }
  for (const [address, have] of current) {
    if (!d.ases.has(address)) remove.push({ address, op: { kind: 'as-del', vip: d.key, address, weight: have.weight } });
  }
  for (const group of [make, drain, remove]) ops.push(...group.sort(byAddress).map((r) => r.op));
  return ops;
}

/** SyncLBStateVIP: recreate when needed, then reconcile. Never touches other VIPs. */
export function planVip(d: DesiredVip, c: CurrentVip | undefined, flushHints?: ReadonlySet<string>): LbOp[] {
  const reason = c === undefined ? undefined : needsRecreate(c, d);
  if (c === undefined || reason === undefined) return planReconcileVip(d, c, flushHints);
  return [{ kind: 'vip-recreate', vip: c.key, frontend: d.frontend, reason }, ...planDeleteVip(c), ...planReconcileVip(d, undefined, flushHints)];
}

/**
 * SyncLBStateAll (after lb_conf): phase 1 deletes stale VIPs and VIPs to recreate, so they
 * cannot block new ones (-73/-81); phase 2 creates and reconciles every desired VIP. Both in
 * numeric VIP order.
 */
export function planAll(desired: ReadonlyMap<string, DesiredVip>, current: ReadonlyMap<string, CurrentVip>, hints: FlushHints = new Map()): LbOp[] {
  const ops: LbOp[] = [];
  const deleted = new Set<string>();
  for (const c of inVipOrder(current)) {
    const d = desired.get(c.id);
    const reason = d === undefined ? undefined : needsRecreate(c, d);
    if (d !== undefined && reason === undefined) continue;
    if (d !== undefined && reason !== undefined) ops.push({ kind: 'vip-recreate', vip: c.key, frontend: d.frontend, reason });
    ops.push(...planDeleteVip(c));
    deleted.add(c.id);
  }
  for (const d of inVipOrder(desired)) {
    const c = deleted.has(d.id) ? undefined : current.get(d.id);
    ops.push(...planReconcileVip(d, c, hints.get(d.frontend)));
  }
  return ops;
}

/** The make-before-break phase of an AS call (planReconcileVip's groups); undefined for VIP and conf calls. */
export function asPhase(op: LbOp): 'make' | 'drain' | 'remove' | undefined {
  switch (op.kind) {
    case 'as-add':
      return 'make';
    case 'as-weight':
      return op.to > op.from ? 'make' : 'drain';
    case 'as-flush':
      return 'drain';
    case 'as-del':
      return 'remove';
    default:
      return undefined;
  }
}

/**
 * Cuts an ordered plan into batches the sync engine may pipeline: runs of AS calls on one VIP in
 * one phase (they do not depend on each other), at most `max` long; every other operation is a
 * batch of its own. VPP executes one socket's messages in the order sent, so the dataplane sees
 * exactly the plan's order; a batch is awaited before the next one starts, so a failure still
 * stops the sync before the next phase (no break before the make has landed).
 */
export function pipelineBatches(ops: readonly LbOp[], max: number): LbOp[][] {
  const out: LbOp[][] = [];
  let run: LbOp[] = [];
  let runKey = '';
  for (const op of ops) {
    const phase = asPhase(op);
    const key = phase === undefined || !('vip' in op) ? '' : `${phase} ${op.vip.prefix} ${op.vip.protocol} ${op.vip.port}`;
    if (key === '' || key !== runKey || run.length >= max) {
      if (run.length > 0) out.push(run);
      run = [];
    }
    run.push(op);
    runKey = key;
    if (key === '') {
      out.push(run);
      run = [];
    }
  }
  if (run.length > 0) out.push(run);
  return out;
}

/**
 * pipelineBatches for a full sync, which walks every VIP: a VIP whose changes form a single
 * batch of AS calls (typically the flush-only calls repeated while a backend is down) has no
 * make-before-break step inside it, so consecutive such VIPs share one pipelined batch (up to
 * `max` calls) instead of a round trip each. The order of the calls is still the plan's; VIP
 * and conf calls, and VIPs with more than one batch, keep their own batches.
 */
export function fullSyncBatches(ops: readonly LbOp[], max: number): LbOp[][] {
  const batches = pipelineBatches(ops, max);
  const vipOf = (op: LbOp | undefined): string | undefined => (op === undefined || !('vip' in op) ? undefined : `${op.vip.prefix} ${op.vip.protocol} ${op.vip.port}`);
  const batchesPerVip = new Map<string, number>();
  for (const b of batches) {
    const id = vipOf(b[0]);
    if (id !== undefined) batchesPerVip.set(id, (batchesPerVip.get(id) ?? 0) + 1);
  }
  const out: LbOp[][] = [];
  let merged: LbOp[] | undefined;
  for (const b of batches) {
    const id = vipOf(b[0]);
    const alone = id !== undefined && asPhase(b[0]!) !== undefined && batchesPerVip.get(id) === 1;
    if (alone && merged !== undefined && merged.length + b.length <= max) {
      merged.push(...b);
      continue;
    }
    merged = alone ? [...b] : undefined;
    out.push(merged ?? b);
  }
  return out;
}
