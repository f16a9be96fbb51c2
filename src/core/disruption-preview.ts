// The disruption preview: for each VIP a change can touch, the exact new-flow table before and
// after (desired state → effective weights with pool failover → Maglev table of the VIP's
// length), the share of buckets that change owner, the per-AS bucket counts and the per-member
// weights on both sides. A bucket "moves" when its owner differs, an AS or none on either side,
// so a new VIP moves every bucket it fills and a removed one every bucket it had. Pure.

import type { Config } from '../shared/config.js';
import { notFound } from '../shared/errors.js';
import { compareIp } from '../shared/ip-address.js';
import type { VipKey } from '../shared/lb-vip.js';
import { compareVipKeys, desiredVip, type DesiredVip } from './desired-state.js';
import { projectChange, type ProposedChange, type TableWorld } from './proposed-change.js';
import { bucketsOf, movedBuckets, vipTable, type VipTable } from './vip-table.js';
import { frontendWeights, type MemberWeight } from './weights.js';

export type VipChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface AsPreview {
  readonly address: string;
  /** The backends with this address, in either config, sorted. */
  readonly backends: readonly string[];
  /** Effective weight in VPP (0 when absent). */
  readonly weightBefore: number;
  readonly weightAfter: number;
  readonly bucketsBefore: number;
  readonly bucketsAfter: number;
}

/** One side of a pool member; undefined when the member is not in that side's config. */
export interface MemberSide {
  readonly state: MemberWeight['state'];
  readonly configured: number;
  readonly effective: number;
}

export interface MemberPreview {
  readonly pool: string;
  readonly backend: string;
  readonly before: MemberSide | undefined;
  readonly after: MemberSide | undefined;
}

export interface VipPreview {
  readonly frontend: string;
  readonly key: VipKey;
  readonly id: string;
  readonly change: VipChange;
  readonly flowTableLength: number;
  readonly movedBuckets: number;
  /** Every AS with buckets or weight on either side, numeric IP order. */
  readonly ases: readonly AsPreview[];
  /** Pool members in pool then YAML order; members only the new config has come last. */
  readonly members: readonly MemberPreview[];
}

export interface DisruptionPreview {
  /** Numeric VIP order. */
  readonly vips: readonly VipPreview[];
  readonly assumptions: readonly string[];
}

interface Side {
  readonly vip: DesiredVip;
  readonly table: VipTable;
  readonly members: readonly MemberWeight[];
}

function sideOf(world: TableWorld, frontend: string): Side | undefined {
  const fe = world.config.frontends.get(frontend);
  if (fe === undefined) return undefined;
  const vip = desiredVip(world.config, fe, world);
  const table = vipTable(
    vip.flowTableLength,
    [...vip.ases].map(([address, as]) => ({ address, weight: as.weight })),
  );
  return { vip, table, members: frontendWeights(fe, world.stateOf, world.weightOf, undefined, world.agentOf).members };
}

/** An empty table of the other side's size, for a VIP that exists on one side only. */
function emptyLike(s: Side): VipTable {
  return vipTable(s.table.size, []);
}

function backendNames(configs: readonly Config[], address: string): string[] {
  const names = new Set<string>();
  for (const c of configs) for (const b of c.backends.values()) if (b.address === address) names.add(b.name);
  return [...names].sort();
}

function asRows(before: Side | undefined, after: Side | undefined, configs: readonly Config[]): AsPreview[] {
  const weight = (s: Side | undefined, a: string): number => s?.vip.ases.get(a)?.weight ?? 0;
  const buckets = (s: Side | undefined, a: string): number => (s === undefined ? 0 : bucketsOf(s.table, a));
  const addresses = new Set([...(before?.vip.ases.keys() ?? []), ...(after?.vip.ases.keys() ?? [])]);
  return [...addresses].sort(compareIp).map((address) => ({
    address,
    backends: backendNames(configs, address),
    weightBefore: weight(before, address),
    weightAfter: weight(after, address),
    bucketsBefore: buckets(before, address),
    bucketsAfter: buckets(after, address),
  }));
}

function memberRows(before: Side | undefined, after: Side | undefined): MemberPreview[] {
  const side = (m: MemberWeight): MemberSide => ({ state: m.state, configured: m.configured, effective: m.effective.weight });
  const key = (m: MemberWeight): string => `${m.pool}\0${m.backend}`;
  const afterBy = new Map((after?.members ?? []).map((m) => [key(m), m]));
  const rows: MemberPreview[] = (before?.members ?? []).map((m) => {
    const a = afterBy.get(key(m));
    afterBy.delete(key(m));
    return { pool: m.pool, backend: m.backend, before: side(m), after: a === undefined ? undefined : side(a) };
  });
  for (const a of afterBy.values()) rows.push({ pool: a.pool, backend: a.backend, before: undefined, after: side(a) });
  return rows;
}

function sameAses(a: Side, b: Side): boolean {
  const wa = [...a.vip.ases].map(([addr, as]) => `${addr}=${as.weight}`).sort();
  const wb = [...b.vip.ases].map(([addr, as]) => `${addr}=${as.weight}`).sort();
  return wa.join() === wb.join();
}

/** One VIP on both sides; sides with different keys are compared as a removal and an addition. */
function previewVip(frontend: string, before: Side | undefined, after: Side | undefined, configs: readonly Config[]): VipPreview {
  const ref = (after ?? before)!;
  const moved = movedBuckets(before?.table ?? emptyLike(ref), after?.table ?? emptyLike(ref));
  const change: VipChange =
    before === undefined ? 'added' : after === undefined ? 'removed' : moved > 0 || !sameAses(before, after) ? 'changed' : 'unchanged';
  return {
    frontend,
    key: ref.vip.key,
    id: ref.vip.id,
    change,
    flowTableLength: ref.table.size,
    movedBuckets: moved,
    ases: asRows(before, after, configs),
    members: memberRows(before, after),
  };
}

/** Every VIP of `frontends` from `before` to `after`, optionally only one frontend's. */
export function compareWorlds(before: TableWorld, after: TableWorld, frontends: readonly string[], only?: string): VipPreview[] {
  const configs = [before.config, after.config];
  const out: VipPreview[] = [];
  for (const name of frontends) {
    if (only !== undefined && name !== only) continue;
    const b = sideOf(before, name);
    const a = sideOf(after, name);
    if (b !== undefined && a !== undefined && b.vip.id !== a.vip.id) {
      out.push(previewVip(name, b, undefined, configs), previewVip(name, undefined, a, configs));
    } else if (b !== undefined || a !== undefined) {
      out.push(previewVip(name, b, a, configs));
    }
  }
  return out.sort((x, y) => compareVipKeys(x.key, y.key));
}

/** The preview of `change` on the live world, optionally for one frontend's VIP only (NOT_FOUND if neither side has it). */
export function previewChange(world: TableWorld, change: ProposedChange, only?: string): DisruptionPreview {
  const p = projectChange(world, change);
  if (only !== undefined && !world.config.frontends.has(only) && !p.after.config.frontends.has(only)) {
    throw notFound('frontend', only);
  }
  return { vips: compareWorlds(world, p.after, p.frontends, only), assumptions: p.assumptions };
}
