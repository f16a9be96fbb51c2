// The panic threshold (Envoy's healthy_panic_threshold), per frontend, off by default. When too
// few backends of the serving pool are up, failing closed would push the whole VIP's traffic
// onto the few that are left (or black-hole it when none is); in panic every backend of the
// frontend gets its configured weight instead, health ignored. Pure: weights.ts applies it.

import type { Frontend } from '../shared/config.js';
import type { BackendState } from '../shared/health.js';
import type { StateOf, WeightOf } from './weights.js';

/** How many members of the serving pool count, and how many of them are up. */
export interface PoolShare {
  /** Index of the pool the share is taken over; -1 when no pool has a member up with weight > 0. */
  readonly pool: number;
  readonly up: number;
  readonly counted: number;
}

export interface PanicVerdict extends PoolShare {
  readonly panic: boolean;
}

/**
 * A member counts when it has a configured weight and a measured health: up or down. Paused and
 * disabled backends are an operator's choice, not a health failure (taking three of four out
 * for maintenance must not throw traffic at broken ones), and an unknown backend has not been
 * measured yet (at startup every backend is unknown: that is no reason to panic).
 */
export function countsForShare(state: BackendState, configured: number): boolean {
  return configured > 0 && (state === 'up' || state === 'down');
}

/**
 * The share of up members in the serving pool (the first pool with a member up at weight > 0,
 * as in §4.1). When no pool has one, the share is 0 up of every counted member of every pool.
 */
export function poolShare(fe: Frontend, stateOf: StateOf, weightOf: WeightOf): PoolShare {
  const tally = (pools: Frontend['pools'], pool: number): PoolShare => {
    let up = 0;
    let counted = 0;
    for (const p of pools) {
      for (const m of p.members) {
        const state = stateOf(m.backend) ?? 'unknown';
        if (!countsForShare(state, weightOf(fe.name, p.name, m.backend))) continue;
        counted++;
        if (state === 'up') up++;
      }
    }
    return { pool, up, counted };
  };
  for (let i = 0; i < fe.pools.length; i++) {
    const s = tally([fe.pools[i]!], i);
    if (s.up > 0) return s;
  }
  return tally(fe.pools, -1);
}

/** In panic when the threshold is on (> 0) and fewer than threshold % of the counted members are up. */
export function inPanic(share: Pick<PoolShare, 'up' | 'counted'>, thresholdPercent: number): boolean {
  return thresholdPercent > 0 && share.counted > 0 && share.up * 100 < thresholdPercent * share.counted;
}

/** The frontend's panic verdict for the current states and weights. */
export function panicVerdict(fe: Frontend, stateOf: StateOf, weightOf: WeightOf): PanicVerdict {
  const share = poolShare(fe, stateOf, weightOf);
  return { ...share, panic: inPanic(share, fe.panicThreshold) };
}

/** "1 of 4 up in pool primary, below the 50% panic threshold": the panic events' detail. */
export function panicDetail(fe: Frontend, v: PanicVerdict): string {
  const where = v.pool < 0 ? 'any pool' : `pool ${fe.pools[v.pool]!.name}`;
  const relation = v.panic ? 'below' : 'at or above';
  return `${v.up} of ${v.counted} up in ${where}, ${relation} the ${fe.panicThreshold}% panic threshold`;
}
