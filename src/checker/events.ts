// What the checker tells the rest of the daemon. The reconciler, the API (WatchEvents) and the
// metrics subscribe through the narrow CheckerEventSource seam, so the checker never imports them.

import type { BackendState, FrontendState, TransitionRecord } from '../shared/health.js';

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

export type CheckerEvent = BackendTransitionEvent | FrontendTransitionEvent;

export interface CheckerEventSource {
  /** Lossless, synchronous delivery in emission order. Returns the unsubscribe function. */
  subscribe(fn: (ev: CheckerEvent) => void): () => void;
}

/** Read access to live backend state, as the reconciler and the API need it. */
export interface BackendStateView {
  stateOf(backend: string): BackendState | undefined;
}

export type { BackendState };
