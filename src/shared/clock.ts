// Injected time. Everything that waits (scheduler, state machine callers, warmup,
// reconciler, VPP keepalive) takes a Clock so tests advance time instead of sleeping.

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the unix epoch (may be fractional). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: wall time and Node timers (unref'd: timers never keep the process alive). */
export function createRealClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => performance.timeOrigin + performance.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      t.unref();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = timers.get(handle.id);
      if (t !== undefined) {
        clearTimeout(t);
        timers.delete(handle.id);
      }
    },
  };
}

/** A clock that only moves when told to; for deterministic tests. */
export class ManualClock implements Clock {
  #now: number;
  #next = 1;
  readonly #timers = new Map<number, { at: number; seq: number; fn: () => void }>();

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), seq: id, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing due timers in time order (timers set while firing included). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let dueId: number | undefined;
      let due: { at: number; seq: number; fn: () => void } | undefined;
      for (const [id, t] of this.#timers) {
        if (t.at <= end && (due === undefined || t.at < due.at || (t.at === due.at && t.seq < due.seq))) {
          dueId = id;
          due = t;
        }
      }
      if (due === undefined || dueId === undefined) break;
      this.#timers.delete(dueId);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = end;
  }
}
