// The checker's in-process event delivery (CheckerEventSource): synchronous, lossless and in
// emission order for every subscriber. An event emitted by a subscriber while another event is
// being delivered is queued behind it, so all subscribers see one order. A throwing subscriber
// is reported and does not stop delivery to the others.

import type { CheckerEvent, CheckerEventSource } from './events.js';

export type EventListener = (ev: CheckerEvent) => void;

export class CheckerEventBus implements CheckerEventSource {
  readonly #listeners = new Set<EventListener>();
  readonly #queue: CheckerEvent[] = [];
  readonly #onError: (err: unknown) => void;
  #delivering = false;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  subscribe(fn: EventListener): () => void {
    // Wrap so that subscribing one function twice gives two independent subscriptions.
    const entry: EventListener = (ev) => fn(ev);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(ev: CheckerEvent): void {
    this.#queue.push(ev);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        for (const fn of [...this.#listeners]) {
          if (!this.#listeners.has(fn)) continue; // unsubscribed by an earlier listener
          try {
            fn(next);
          } catch (err) {
            this.#onError(err);
          }
        }
      }
    } finally {
      this.#delivering = false;
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
