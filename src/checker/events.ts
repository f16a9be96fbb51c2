// What the checker tells the rest of the daemon. The reconciler, the API (WatchEvents) and the
// metrics subscribe through the narrow CheckerEventSource seam, so the checker never imports them.

import type { BackendState, FrontendState, TransitionRecord } from '../shared/health.js';
import type { AgentVerdict } from '../core/agent.js';

/**
 * One backend transition, emitted once. `frontends` are the frontends that reference the backend
 * (sorted; empty when none): the reconciler syncs the VIP of each, WatchEvents and the metrics
 * count the transition once.
 */
export interface BackendTransitionEvent {
  readonly kind: 'backend';
  readonly backend: string;
  readonly frontends: readonly string[];
  readonly transition: TransitionRecord;
  /**
   * performance.now() when the checker decided the transition (monotonic ms): where the
   * detection → dataplane latency starts. Wall-clock time stays in `transition.at`.
   */
  readonly monoAt?: number;
}

export interface FrontendTransitionEvent {
  readonly kind: 'frontend';
  readonly frontend: string;
  readonly from: FrontendState;
  readonly to: FrontendState;
  /** Unix ms. */
  readonly at: number;
}

/**
 * A frontend entered (`panic: true`) or left panic (core/panic.ts). No dataplane work of its own:
 * the backend transition or weight change that caused it has already asked for the VIP sync.
 */
export interface FrontendPanicEvent {
  readonly kind: 'panic';
  readonly frontend: string;
  readonly panic: boolean;
  /** The frontend state after the change (panic programs weights, so it is usually up). */
  readonly state: FrontendState;
  /** "1 of 4 up in pool primary, below the 50% panic threshold". */
  readonly detail: string;
  /** Unix ms. */
  readonly at: number;
}

/**
 * A slow-start step (core/slow-start.ts): the backend's effective weight moved to the next level
 * without a state transition. The reconciler syncs the VIP of each frontend, as for a transition.
 */
export interface BackendRampEvent {
  readonly kind: 'ramp';
  readonly backend: string;
  readonly frontends: readonly string[];
  /** 1..steps; steps: the ramp is done (configured weight). */
  readonly level: number;
  readonly steps: number;
  /** Unix ms. */
  readonly at: number;
}

/**
 * The agent check (core/agent.ts) changed a backend's agent verdict (drain, maint, down, up or its
 * weight share) without a health transition. The reconciler syncs the VIP of each frontend, as
 * for a transition.
 */
export interface BackendAgentEvent {
  readonly kind: 'agent';
  readonly backend: string;
  readonly frontends: readonly string[];
  /** The backend's health state (unchanged by this event). */
  readonly state: BackendState;
  readonly from: AgentVerdict;
  readonly to: AgentVerdict;
  /** The agent's answer line that caused it. */
  readonly answer: string;
  /** Unix ms. */
  readonly at: number;
}

export type CheckerEvent = BackendTransitionEvent | FrontendTransitionEvent | FrontendPanicEvent | BackendRampEvent | BackendAgentEvent;

export interface CheckerEventSource {
  /** Lossless, synchronous delivery in emission order. Returns the unsubscribe function. */
  subscribe(fn: (ev: CheckerEvent) => void): () => void;
}

/** Read access to live backend state, as the reconciler and the API need it. */
export interface BackendStateView {
  stateOf(backend: string): BackendState | undefined;
}

export type { BackendState };
