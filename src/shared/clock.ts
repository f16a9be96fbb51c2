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
