// The bounded per-backend transition history: newest first, at most
// `limit` records. A new limit (from a reload) is applied at the next record, not at once.

import type { TransitionRecord } from '../shared/health.js';

export class TransitionHistory {
  #limit: number;
  #records: TransitionRecord[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Adds the newest record and trims to the current limit. */
  record(t: TransitionRecord): void {
    this.#records.unshift(t);
    if (this.#records.length > this.#limit) this.#records.length = this.#limit;
  }

  /** Sets the limit; trimming happens at the next record. */
  setLimit(limit: number): void {
    this.#limit = Math.max(1, limit);
  }

  get limit(): number {
    return this.#limit;
  }

  /** A copy, newest first. */
  list(): TransitionRecord[] {
    return [...this.#records];
  }

  latest(): TransitionRecord | undefined {
    return this.#records[0];
  }
}
