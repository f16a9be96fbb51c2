// The seam between the checker (main thread: schedule and state) and whatever executes probes
// (the Piscina worker dispatcher in production, fakes in tests). Declared here, by its consumer.

import type { HealthCheck } from '../shared/config.js';
import type { ProbeResult } from '../shared/health.js';

export interface ProbeTarget {
  readonly backend: string;
  /** Canonical IP literal. */
  readonly address: string;
  readonly check: HealthCheck;
}

export interface ProbeExecutor {
  /**
   * Starts one probe. `onResult` is called exactly once with the result (failures are results,
   * never exceptions) unless the returned cancel function is called first; after cancel it is
   * never called. Probes of different targets run concurrently; the checker never overlaps
   * probes of one backend.
   */
  run(target: ProbeTarget, onResult: (result: ProbeResult) => void): () => void;
  /** Stops workers; pending probes are cancelled. */
  close(): Promise<void>;
}
