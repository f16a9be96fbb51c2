// Read-only views of live checker state for the gRPC API, the metrics and the dashboard
// (GetBackend/BackendInfo and GetFrontend/FrontendInfo of behaviour.md §6.4). Plain data,
// times in unix ms; the API layer converts to ns. Built on demand, never cached.

import type { Frontend, FrontendProtocol, IpFamily } from '../shared/config.js';
import type { BackendState, FrontendState, ProbeResult, TransitionRecord } from '../shared/health.js';
import type { BackendLoop } from './backend-loop.js';
import { frontendWeights, type StateOf, type WeightOf } from '../core/weights.js';

export interface BackendSnapshot {
  readonly name: string;
  readonly address: string;
  readonly state: BackendState;
  readonly enabled: boolean;
  /** Health-check name; '' for a static backend. */
  readonly healthcheck: string;
  /** The rise/fall counter, 0..rise+fall-1. */
  readonly health: number;
  readonly rise: number;
  readonly fall: number;
  /** Newest first. */
  readonly transitions: readonly TransitionRecord[];
  /** The latest recorded result; undefined until the first one. */
  readonly lastProbe: ProbeResult | undefined;
  /** Referencing frontends, sorted. */
  readonly frontends: readonly string[];
}

export interface PoolMemberSnapshot {
  readonly backend: string;
  /** Configured weight: YAML or runtime override. */
  readonly weight: number;
  readonly effectiveWeight: number;
  readonly flush: boolean;
  readonly state: BackendState;
  /** Unix ms of the backend's latest transition; undefined if none. */
  readonly lastTransitionAt: number | undefined;
}

export interface PoolSnapshot {
  readonly name: string;
  /** This pool is serving: it is the active pool and the frontend is up. */
  readonly active: boolean;
  readonly members: readonly PoolMemberSnapshot[];
}

export interface FrontendSnapshot {
  readonly name: string;
  readonly address: string;
  readonly family: IpFamily;
  readonly protocol: FrontendProtocol;
  readonly port: number;
  readonly description: string;
  readonly srcIpSticky: boolean;
  readonly flushOnDown: boolean;
  readonly state: FrontendState;
  readonly pools: readonly PoolSnapshot[];
}

export function backendSnapshot(w: BackendLoop, frontends: readonly string[]): BackendSnapshot {
  const m = w.machine;
  return {
    name: w.name,
    address: w.backend.address,
    state: m.state,
    enabled: m.enabled,
    healthcheck: w.backend.healthcheck ?? '',
    health: m.counter,
    rise: m.rise,
    fall: m.fall,
    transitions: m.history(),
    lastProbe: w.lastProbe,
    frontends: [...frontends],
  };
}

export function frontendSnapshot(
  fe: Frontend,
  state: FrontendState,
  stateOf: StateOf,
  weightOf: WeightOf,
  lastTransitionAt: (backend: string) => number | undefined,
): FrontendSnapshot {
  const { active, members } = frontendWeights(fe, stateOf, weightOf);
  const pools = fe.pools.map((pool, i) => ({
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
        lastTransitionAt: lastTransitionAt(m.backend),
      })),
  }));
  return {
    name: fe.name,
    address: fe.address,
    family: fe.family,
    protocol: fe.protocol,
    port: fe.port,
    description: fe.description,
    srcIpSticky: fe.srcIpSticky,
    flushOnDown: fe.flushOnDown,
    state,
    pools,
  };
}
