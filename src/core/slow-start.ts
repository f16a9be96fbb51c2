// Slow start (HAProxy `slowstart`): after a backend comes up, its effective weight ramps from a
// low value to the configured weight over a window, in a bounded number of steps. Each step is
// one lb_as_set_weight per VIP that uses the backend, and Maglev remaps flows on every weight
// change, so the step count trades smoothness for churn. Pure: the checker's ramp timer keeps
// the level, weights.ts applies it.

import type { SlowStart } from '../shared/config.js';

/** Where a ramp is: level 0 at the up transition, `steps` when done. */
export interface RampLevel {
  readonly level: number;
  readonly steps: number;
}

/** Looks up a backend's ramp; undefined when it is not ramping. */
export type RampOf = (backend: string) => RampLevel | undefined;

/** The level `elapsedMs` after the up transition: 0..steps, one more every window/steps. */
export function rampLevel(elapsedMs: number, s: SlowStart): number {
  if (elapsedMs <= 0) return 0;
  return Math.min(s.steps, Math.floor((elapsedMs * s.steps) / s.windowMs));
}

/** Milliseconds after the up transition when the level after `level` starts; undefined when done. */
export function nextLevelAtMs(level: number, s: SlowStart): number | undefined {
  return level >= s.steps ? undefined : Math.ceil(((level + 1) * s.windowMs) / s.steps);
}

/**
 * The weight at a level: (level + 1) / (steps + 1) of the configured weight, rounded up so a
 * ramping backend always has at least weight 1 (it is up: it must get some new flows).
 */
export function rampWeight(configured: number, r: RampLevel | undefined): number {
  if (r === undefined || r.level >= r.steps || configured === 0) return configured;
  return Math.max(1, Math.ceil((configured * (r.level + 1)) / (r.steps + 1)));
}
