// Pure pool failover, effective weight + flush, and frontend state.
// Fed by backend states and configured weights; used by the reconciler's desired state,
// the gRPC API, the metrics and the dashboard. No I/O, no clock.

import type { Frontend } from '../shared/config.js';
import type { BackendState, FrontendState } from '../shared/health.js';
import { panicVerdict, type PanicVerdict } from './panic.js';
import { rampWeight, type RampOf } from './slow-start.js';
import { agentAdjustedState, agentAdjustedWeight, type AgentOf, type AgentVerdict } from './agent.js';

export interface EffectiveWeight {
  readonly weight: number;
  readonly flush: boolean;
}

/** Looks up a backend's current state (undefined when the backend is not known/active). */
export type StateOf = (backend: string) => BackendState | undefined;
/** The configured weight of a pool member: YAML or runtime override. */
export type WeightOf = (frontend: string, pool: string, backend: string) => number;

/** Index of the first pool with a backend that is up with configured weight > 0; 0 when none qualifies. */
export function activePoolIndex(fe: Frontend, stateOf: StateOf, weightOf: WeightOf): number {
  for (let i = 0; i < fe.pools.length; i++) {
    const pool = fe.pools[i]!;
    for (const m of pool.members) {
      if (stateOf(m.backend) === 'up' && weightOf(fe.name, pool.name, m.backend) > 0) return i;
    }
  }
  return 0;
}

/**
 * The effective-weight truth table: what VPP should hold for one pool member. In panic (panic.ts) health is
 * ignored: up and down members of every pool get their configured weight; unknown ones (not yet
 * measured), paused and disabled ones (the operator took them out) stay at 0.
 */
export function effectiveWeight(
  state: BackendState,
  poolIndex: number,
  activePool: number,
  configuredWeight: number,
  flushOnDown: boolean,
  panic = false,
): EffectiveWeight {
  switch (state) {
    case 'up':
      return { weight: panic || poolIndex === activePool ? configuredWeight : 0, flush: false };
    case 'down':
      return panic ? { weight: configuredWeight, flush: false } : { weight: 0, flush: flushOnDown };
    case 'disabled':
      return { weight: 0, flush: true };
    case 'unknown':
    case 'paused':
      return { weight: 0, flush: false };
    case 'removed':
      // Removed backends leave the desired set; the full sync deletes their AS with flush.
      return { weight: 0, flush: true };
    /* c8 ignore next 4: unreachable; the never check fails to compile if a case is missing */
    default: {
      const exhaustive: never = state;
      return exhaustive;
    }
  }
}

export interface MemberWeight {
  readonly pool: string;
  readonly poolIndex: number;
  readonly backend: string;
  /** The health state (the agent's verdict is beside it, not folded in). */
  readonly state: BackendState;
  readonly configured: number;
  /** The agent check's verdict; undefined without an agent check. */
  readonly agent: AgentVerdict | undefined;
  readonly effective: EffectiveWeight;
}

export interface FrontendWeights {
  readonly active: number;
  readonly panic: PanicVerdict;
  readonly members: MemberWeight[];
}

/**
 * Effective weights of every member of every pool, in pool then YAML order. `rampOf`: backends
 * in slow start, whose weight is a step of their configured weight (slow-start.ts). `agentOf`:
 * backends with an agent check, whose verdict bends their state and weight (agent.ts) before
 * the failover, the panic verdict and the truth table see them.
 */
export function frontendWeights(fe: Frontend, stateOf: StateOf, weightOf: WeightOf, rampOf?: RampOf, agentOf?: AgentOf): FrontendWeights {
  const adjustedState: StateOf =
    agentOf === undefined
      ? stateOf
      : (b) => {
          const s = stateOf(b);
          return s === undefined ? undefined : agentAdjustedState(s, agentOf(b));
        };
  const adjustedWeight: WeightOf = agentOf === undefined ? weightOf : (f, p, b) => agentAdjustedWeight(weightOf(f, p, b), agentOf(b));
  const active = activePoolIndex(fe, adjustedState, adjustedWeight);
  const panic = panicVerdict(fe, adjustedState, adjustedWeight);
  const members: MemberWeight[] = [];
  fe.pools.forEach((pool, poolIndex) => {
    for (const m of pool.members) {
      const state = stateOf(m.backend) ?? 'unknown';
      const weight = rampWeight(adjustedWeight(fe.name, pool.name, m.backend), rampOf?.(m.backend));
      members.push({
        pool: pool.name,
        poolIndex,
        backend: m.backend,
        state,
        configured: weightOf(fe.name, pool.name, m.backend),
        agent: agentOf?.(m.backend),
        effective: effectiveWeight(adjustedState(m.backend) ?? 'unknown', poolIndex, active, weight, fe.flushOnDown, panic.panic),
      });
    }
  });
  return { active, panic, members };
}

/** The frontend state: up if any member has a non-zero effective weight; unknown if every member is unknown; else down. */
export function frontendState(members: readonly Pick<MemberWeight, 'state' | 'effective'>[]): FrontendState {
  if (members.some((m) => m.effective.weight > 0)) return 'up';
  if (members.length > 0 && members.every((m) => m.state === 'unknown')) return 'unknown';
  return 'down';
}
