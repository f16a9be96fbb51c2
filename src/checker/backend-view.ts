// The read-only view of one active backend that the gRPC API (GetBackend/BackendInfo), the metrics and the dashboard see. Plain data, times in unix ms (the API
// layer converts to ns). Built on demand from the backend's loop, never cached.

import type { BackendState, ProbeResult, TransitionRecord } from '../shared/health.js';
import type { BackendLoop } from './backend-loop.js';
import type { AgentView } from './agent-loop.js';

export interface BackendView {
  readonly name: string;
  readonly address: string;
  readonly state: BackendState;
  readonly enabled: boolean;
  /** Health-check name; undefined for a static backend (the API sends ''). */
  readonly healthcheck: string | undefined;
  /** The rise/fall counter, 0..rise+fall-1. */
  readonly health: number;
  /** Effective rise and fall (1 and 1 for a static backend). */
  readonly rise: number;
  readonly fall: number;
  /** Newest first. */
  readonly transitions: readonly TransitionRecord[];
  /** The latest recorded result; undefined until the first one. */
  readonly lastProbe: ProbeResult | undefined;
  /** Frontends referencing the backend, sorted. */
  readonly frontends: readonly string[];
  /** The agent check (its verdict: drain, maint …); undefined when the health check has none. */
  readonly agent: AgentView | undefined;
}

export function backendView(w: BackendLoop, frontends: readonly string[], agent?: AgentView): BackendView {
  const m = w.machine;
  return {
    name: w.name,
    address: w.backend.address,
    state: m.state,
    enabled: m.enabled,
    healthcheck: w.backend.healthcheck,
    health: m.counter,
    rise: m.rise,
    fall: m.fall,
    transitions: m.history(),
    lastProbe: w.lastProbe,
    frontends: [...frontends],
    agent,
  };
}
