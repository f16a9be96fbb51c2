// Test helper: the callback face of a ProbeExecutor for tests that probe directly (no
// checker): run(target, onResult) starts the probe under a key of the backend's that has no
// probe in flight (a backend probed again reuses its key, as the checker's loops do; probed
// concurrently, it gets more), turns the outcome into a ProbeResult record, and returns a cancel
// function; probe() is the promise form.

import type { ProbeExecutor, ProbeTarget } from '../../src/checker/probe-executor.js';
import type { ProbeResult } from '../../src/shared/health.js';
import { probeResultOf } from '../../src/shared/probe-outcome.js';

export class ProbeClient {
  readonly #executor: ProbeExecutor;
  readonly #waiting = new Map<number, (r: ProbeResult) => void>();
  readonly #keys = new Map<string, number[]>();
  #nextKey = 0;

  /** Takes over the executor's sink. */
  constructor(executor: ProbeExecutor) {
    this.#executor = executor;
    executor.setSink({
      onProbeResult: (key, outcome) => {
        const done = this.#waiting.get(key);
        this.#waiting.delete(key);
        done?.(probeResultOf(outcome));
      },
    });
  }

  run(target: ProbeTarget, onResult: (r: ProbeResult) => void): () => void {
    const keys = this.#keys.get(target.backend) ?? [];
    this.#keys.set(target.backend, keys);
    let key = keys.find((k) => !this.#waiting.has(k));
    if (key === undefined) {
      key = this.#nextKey++;
      keys.push(key);
    }
    this.#waiting.set(key, onResult);
    this.#executor.start(key, target);
    return () => {
      if (this.#waiting.get(key) !== onResult) return; // answered (the key may serve another probe now)
      this.#waiting.delete(key);
      this.#executor.cancel(key);
    };
  }

  probe(target: ProbeTarget): Promise<ProbeResult> {
    return new Promise((resolve) => this.run(target, resolve));
  }
}
