// A debouncer that fires on both edges (lb-state loop): the first trigger fires at once and
// opens a quiet window; triggers inside the window are folded into one trailing fire when it
// closes, which opens the next window. So a burst of backend transitions costs at most one
// GetVPPLBState per window, and the last change of a burst is always followed by a fresh read.

import type { Clock, TimerHandle } from '../shared/clock.js';

export class EdgeDebouncer {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #fire: () => void;
  #window: TimerHandle | undefined;
  #pending = false;

  constructor(clock: Clock, windowMs: number, fire: () => void) {
    this.#clock = clock;
    this.#windowMs = windowMs;
    this.#fire = fire;
  }

  trigger(): void {
    if (this.#window !== undefined) {
      this.#pending = true;
      return;
    }
    this.#window = this.#clock.setTimeout(() => this.#close(), this.#windowMs);
    this.#fire();
  }

  /** Drops a pending trailing fire and the window. */
  stop(): void {
    if (this.#window !== undefined) this.#clock.clearTimeout(this.#window);
    this.#window = undefined;
    this.#pending = false;
  }

  #close(): void {
    this.#window = undefined;
    if (!this.#pending) return;
    this.#pending = false;
    this.trigger();
  }
}
