// The read-only view of one frontend that the gRPC API (GetFrontend/FrontendInfo), the metrics
// and the dashboard see: the config plus the failover weights over live lookups. Plain
// data, times in unix ms (the API layer converts to ns). Built on demand, never cached.

import type { Frontend, FrontendProtocol } from '../shared/config.js';
import type { BackendState, FrontendState } from '../shared/health.js';
import { frontendWeights, type StateOf, type WeightOf } from './weights.js';
import type { RampOf } from './slow-start.js';
import type { AgentOf, AgentState } from './agent.js';

export interface PoolMemberView {
  readonly backend: string;
  /** Configured weight: YAML or runtime override, 0..100. */
  readonly weight: number;
  readonly effectiveWeight: number;
  /** Whether VPP should flush the member's sessions. */
  readonly flush: boolean;
  readonly state: BackendState;
  /** The agent check's state (drain, maint …); undefined without an agent check. */
  readonly agentState: AgentState | undefined;
  /** Unix ms of the backend's latest transition; undefined if it has none. */
  readonly lastTransitionAt: number | undefined;
}

export interface PoolView {
  readonly name: string;
  /** This pool is serving: it is the active pool and the frontend is up. */
  readonly active: boolean;
  /** In YAML order. */
  readonly members: readonly PoolMemberView[];
}

export interface FrontendView {
  readonly name: string;
  /** VIP address without prefix length. */
  readonly address: string;
  readonly protocol: FrontendProtocol;
  readonly port: number;
  readonly description: string;
  readonly srcIpSticky: boolean;
  readonly flushOnDown: boolean;
  readonly state: FrontendState;
  /** Percent; 0 = off. */
  readonly panicThreshold: number;
  /** Every backend is programmed at its configured weight, health ignored (panic.ts). */
  readonly panic: boolean;
  /** In priority order. */
  readonly pools: readonly PoolView[];
}

/**
 * The view of `fe` in frontend state `state`. The state is an input, not recomputed here: the
 * checker passes the state it tracks for its frontend transitions (frontend-states.ts), so the
 * view and the transition events agree.
 */
export function frontendView(
  fe: Frontend,
  state: FrontendState,
  stateOf: StateOf,
  weightOf: WeightOf,
  lastTransitionAt: (backend: string) => number | undefined,
  rampOf?: RampOf,
  agentOf?: AgentOf,
): FrontendView {
  const { active, panic, members } = frontendWeights(fe, stateOf, weightOf, rampOf, agentOf);
  return {
    name: fe.name,
    address: fe.address,
    protocol: fe.protocol,
    port: fe.port,
    description: fe.description,
    srcIpSticky: fe.srcIpSticky,
    flushOnDown: fe.flushOnDown,
    state,
    panicThreshold: fe.panicThreshold,
    panic: panic.panic,
    pools: fe.pools.map((pool, i) => ({
      name: pool.name,
      active: i === active && state === 'up',
      members: members
        .filter((m) => m.poolIndex === i)
        .map((m) => ({
          backend: m.backend,
          weight: m.configured,
          effectiveWeight: m.effective.weight,
          flush: m.effective.flush,
          state: m.state,
          agentState: m.agent?.state,
          lastTransitionAt: lastTransitionAt(m.backend),
        })),
    })),
  };
}
