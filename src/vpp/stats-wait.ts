// Short polling waits of the stats side (in_progress, fd arrival). With an injected Clock they
// use its timers (tests, daemon wiring); without one they use a real, ref'd timer, because a
// caller is awaiting the result and the process must stay alive until it arrives.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../shared/clock.js';

export interface PollTimer {
  now(): number;
  wait(ms: number): Promise<void>;
}

export function pollTimer(clock: Clock | undefined): PollTimer {
  if (clock === undefined) return { now: () => performance.now(), wait: (ms) => sleep(ms) };
  return { now: () => clock.now(), wait: (ms) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms)) };
}
