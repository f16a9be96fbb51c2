// The slow-start ramps of the backends that recently came up (core/slow-start.ts for the
// arithmetic). One timer per ramping backend fires at each level boundary; the checker turns
// each step into a `ramp` event, which the reconciler syncs like a transition (one VIP sync per
// frontend), so every weight change still takes the one path to VPP.
//
// Restart neutrality: after a restart every backend comes up again from `unknown`. Backends
// that VPP already served at startup are adopted (VPP's weight is already the full weight), so
// their first up transition starts no ramp, and a ramp that already started is ended.

import type { Clock, TimerHandle } from '../shared/clock.js';
import type { SlowStart } from '../shared/config.js';
import type { TransitionRecord } from '../shared/health.js';
import { nextLevelAtMs, rampLevel, type RampLevel } from '../core/slow-start.js';

interface Ramp {
  readonly startedAt: number;
  slowStart: SlowStart;
  level: number;
  timer: TimerHandle | undefined;
}

/** What onTransition did: a ramp started, or it was skipped because VPP already served the backend. */
export type RampStart = 'started' | 'adopted' | undefined;

export class SlowStartRamps {
  readonly #clock: Clock;
  readonly #onStep: (backend: string, r: RampLevel) => void;
  readonly #ramps = new Map<string, Ramp>();
  readonly #adopted = new Set<string>();

  /** `onStep`: a ramp moved to a new level (level = steps: it is done). */
  constructor(clock: Clock, onStep: (backend: string, r: RampLevel) => void) {
    this.#clock = clock;
    this.#onStep = onStep;
  }

  /** Bound: pass it as a RampOf. */
  readonly rampOf = (backend: string): RampLevel | undefined => {
    const r = this.#ramps.get(backend);
    return r === undefined ? undefined : { level: r.level, steps: r.slowStart.steps };
  };

  /** A backend transition, before its event goes out (so the sync it causes sees the ramp). */
  onTransition(backend: string, t: TransitionRecord, slowStart: SlowStart | undefined): RampStart {
    const adopted = this.#adopted.delete(backend);
    this.#end(backend);
    if (t.to !== 'up' || slowStart === undefined) return undefined;
    if (adopted) return 'adopted';
    const ramp: Ramp = { startedAt: t.at, slowStart, level: rampLevel(this.#clock.now() - t.at, slowStart), timer: undefined };
    if (ramp.level >= slowStart.steps) return undefined; // came up a whole window ago
    this.#ramps.set(backend, ramp);
    this.#schedule(backend, ramp);
    return 'started';
  }

  /**
   * Backends VPP already served at startup (not yet past their first transition). A running ramp
   * ends at once (returned, so the caller can sync it); the others start none when they come up.
   */
  adopt(backends: Iterable<string>): string[] {
    const ended: string[] = [];
    for (const b of backends) {
      if (this.#end(b)) ended.push(b);
      else this.#adopted.add(b);
    }
    return ended;
  }

  /** The startup warmup is over: VPP's startup state no longer says anything. */
  endAdoption(): void {
    this.#adopted.clear();
  }

  /**
   * A reload: ramps keep their start and follow their backend's new settings; those whose
   * backend has no slow start any more (or is gone) end. Returns the backends whose level moved.
   */
  reconfigure(slowStartOf: (backend: string) => SlowStart | undefined): string[] {
    const moved: string[] = [];
    for (const [backend, ramp] of [...this.#ramps]) {
      const s = slowStartOf(backend);
      const level = s === undefined ? undefined : rampLevel(this.#clock.now() - ramp.startedAt, s);
      if (s === undefined || level! >= s.steps) {
        this.#end(backend);
        moved.push(backend);
        continue;
      }
      if (level !== ramp.level || s.steps !== ramp.slowStart.steps) moved.push(backend);
      ramp.slowStart = s;
      ramp.level = level!;
      if (ramp.timer !== undefined) this.#clock.clearTimeout(ramp.timer);
      this.#schedule(backend, ramp);
    }
    return moved;
  }

  /** Clears every timer (shutdown). */
  stop(): void {
    for (const b of [...this.#ramps.keys()]) this.#end(b);
  }

  #schedule(backend: string, ramp: Ramp): void {
    const at = nextLevelAtMs(ramp.level, ramp.slowStart)!;
    ramp.timer = this.#clock.setTimeout(() => this.#step(backend, ramp), Math.max(0, ramp.startedAt + at - this.#clock.now()));
  }

  #step(backend: string, ramp: Ramp): void {
    ramp.timer = undefined;
    // The timer fires at a boundary or later (a stalled loop): catch up to the level of now.
    ramp.level = Math.max(ramp.level + 1, rampLevel(this.#clock.now() - ramp.startedAt, ramp.slowStart));
    const steps = ramp.slowStart.steps;
    if (ramp.level >= steps) this.#ramps.delete(backend);
    else this.#schedule(backend, ramp);
    this.#onStep(backend, { level: Math.min(ramp.level, steps), steps });
  }

  /** Ends a ramp; true when there was one. */
  #end(backend: string): boolean {
    const r = this.#ramps.get(backend);
    if (r === undefined) return false;
    if (r.timer !== undefined) this.#clock.clearTimeout(r.timer);
    this.#ramps.delete(backend);
    return true;
  }
}
