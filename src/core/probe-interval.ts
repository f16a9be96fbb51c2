// When a backend is probed next: HAProxy's inter/fastinter/downinter
// choice, ±10 % jitter from an injected random source, and the start stagger.
// Pure: randomness is a parameter, so tests pin the extremes.

import type { HealthCheck } from '../shared/config.js';
import type { BackendState } from '../shared/health.js';

export type IntervalKind = 'interval' | 'fast' | 'down';

/** Returns a number in [0, 1), like Math.random. */
export type RandomSource = () => number;

export const jitterFraction = 0.1;

/** `interval` when fully up, `down` when fully down, `fast` otherwise. */
export function intervalKind(state: BackendState, counter: number, max: number): IntervalKind {
  if (state === 'up' && counter === max) return 'interval';
  if (state === 'down' && counter === 0) return 'down';
  return 'fast';
}

export type IntervalSettings = Pick<HealthCheck, 'intervalMs' | 'fastIntervalMs' | 'downIntervalMs'>;

export function intervalMs(check: IntervalSettings, kind: IntervalKind): number {
  switch (kind) {
    case 'interval':
      return check.intervalMs;
    case 'fast':
      return check.fastIntervalMs;
    case 'down':
      return check.downIntervalMs;
    /* c8 ignore next 4: unreachable; the never check fails to compile if a case is missing */
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

/** `ms` times a uniform factor in [0.9, 1.1]; random() = 0.5 gives exactly `ms`. */
export function jittered(ms: number, random: RandomSource): number {
  const r = Math.min(1, Math.max(0, random()));
  return ms * (1 + jitterFraction * (2 * r - 1));
}

/** The first wait of a loop started together with others: interval × pos / total. */
export function staggerMs(interval: number, pos: number, total: number): number {
  if (total <= 1) return 0;
  return (interval * pos) / total;
}
