// The seam between the checker (main thread: schedule and state) and whatever executes probes
// (the Piscina worker dispatcher in production, fakes in tests). Declared here, by its consumer.
// Handle-based, so a probe costs no closure and no result object: the checker names each probe
// by a key it owns (its backend slot), and results come back, as numbers, to one sink.

import type { HealthCheck } from '../shared/config.js';
import type { ProbeOutcome } from '../shared/probe-outcome.js';

export interface ProbeTarget {
  readonly backend: string;
  /** Canonical IP literal. */
  readonly address: string;
  readonly check: HealthCheck;
  /** Probe the check's agent (check.agent) instead of the check itself. */
  readonly agent?: boolean;
}

/** Where an executor delivers results. */
export interface ProbeSink {
  /**
   * One finished probe, started under `key`. `outcome` may be an object the executor reuses:
   * it is valid during the call only.
   */
  onProbeResult(key: number, outcome: ProbeOutcome): void;
}

export interface ProbeExecutor {
  /** Sets where results go (the checker does, once, before its first probe). */
  setSink(sink: ProbeSink): void;
  /**
   * Starts one probe of `target` under `key`, a small non-negative integer the caller owns. Its
   * result reaches the sink exactly once (failures are results, never exceptions) unless
   * cancel(key) comes first; after cancel it never does. Starting a key with a probe in flight
   * cancels that probe. Probes of different keys run concurrently. Pass the same target object
   * while nothing in it changed: the executor then skips comparing it with the last one.
   */
  start(key: number, target: ProbeTarget): void;
  /** Cancels the probe in flight under `key`, if any. */
  cancel(key: number): void;
  /** The key's backend is gone: cancel its probe and forget its target (the key may come back for another). */
  release?(key: number): void;
  /**
   * Delivers the results that are ready now, for an executor that collects them in between
   * (the checker calls it at every tick of its schedule while probes are in flight; without
   * calls, the executor must still deliver, if later).
   */
  poll?(): void;
  /** Stops workers; pending probes are dropped. */
  close(): Promise<void>;
}
