// Measures how long this thread's event loop was stalled, so the stall guard
// can discard a *TOUT result that the prober's own stall may have caused. A short interval timer
// records every late tick as a stall (end, length); a probe asks for the stall overlap since it
// started, including a stall still in progress.

/** What probers ask: the longest event-loop stall overlapping [startMono, now], in ms. */
export interface LagSource {
  lagSince(startMono: number): number;
}

/** For tests and callers that never discard. */
export const noLag: LagSource = { lagSince: () => 0 };

export class LagMonitor implements LagSource {
  readonly #intervalMs: number;
  readonly #minStallMs: number;
  readonly #ends: Float64Array;
  readonly #lengths: Float64Array;
  #next = 0;
  #lastTick = performance.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs = 10, minStallMs = 5, capacity = 256) {
    this.#intervalMs = intervalMs;
    this.#minStallMs = minStallMs;
    this.#ends = new Float64Array(capacity);
    this.#lengths = new Float64Array(capacity);
  }

  /** Starts ticking (unref'd: it never keeps the thread alive). */
  start(): this {
    if (this.#timer !== undefined) return this;
    this.#lastTick = performance.now();
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  lagSince(startMono: number): number {
    const now = performance.now();
    let worst = this.#timer === undefined ? 0 : overlap(now, now - this.#lastTick - this.#intervalMs, startMono);
    for (let i = 0; i < this.#ends.length; i++) {
      const end = this.#ends[i] ?? 0;
      if (end > startMono) worst = Math.max(worst, overlap(end, this.#lengths[i] ?? 0, startMono));
    }
    return worst;
  }

  #tick(): void {
    const now = performance.now();
    const stall = now - this.#lastTick - this.#intervalMs;
    this.#lastTick = now;
    if (stall >= this.#minStallMs) {
      this.#ends[this.#next] = now;
      this.#lengths[this.#next] = stall;
      this.#next = (this.#next + 1) % this.#ends.length;
    }
  }
}

/** The part of a stall (ending at `end`, lasting `length`) after `start`. */
function overlap(end: number, length: number, start: number): number {
  return length <= 0 ? 0 : Math.max(0, Math.min(length, end - start));
}
