// A hand-driven CheckerEventSource for reconciler and warmup tests, plus a builder of backend
// transition events.

import type { BackendTransitionEvent, CheckerEvent, CheckerEventSource } from '../../src/checker/events.js';
import type { BackendState } from '../../src/shared/health.js';

export class FakeCheckerEvents implements CheckerEventSource {
  readonly #fns = new Set<(ev: CheckerEvent) => void>();

  subscribe(fn: (ev: CheckerEvent) => void): () => void {
    const entry = (ev: CheckerEvent): void => fn(ev);
    this.#fns.add(entry);
    return () => this.#fns.delete(entry);
  }

  emit(ev: CheckerEvent): void {
    for (const fn of [...this.#fns]) fn(ev);
  }

  get count(): number {
    return this.#fns.size;
  }
}

/** One backend transition affecting `frontends` (sorted, as the checker names them). */
export function backendEvent(frontends: readonly string[], backend = 'a', from: BackendState = 'unknown', to: BackendState = 'up'): BackendTransitionEvent {
  return { kind: 'backend', backend, frontends, transition: { from, to, at: 0, code: 'L4OK', detail: '' } };
}
