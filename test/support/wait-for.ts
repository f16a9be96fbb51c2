// Test helpers that poll a condition until it holds or a deadline passes, for effects that land
// a moment later on the other end of a socket, a thread or a child process. The one place tests
// poll: waitFor answers whether it held (for t.ok), until throws naming what never happened.

import { setTimeout as sleep } from 'node:timers/promises';

export type Condition = () => boolean | Promise<boolean>;

/**
 * No wait gives up sooner than this. A wait ends as soon as its condition holds, so the bound
 * only matters when it never does; the deadlines tests write are what a quiet machine needs,
 * and CI runs three test files at a time on two cores, where a child process or a browser can
 * lag seconds behind. Tests never use a wait to show that something does not happen.
 */
export const minWaitMs = 15_000;

/** Polls cond every intervalMs until it holds (true) or timeoutMs (at least minWaitMs) has passed (false). */
export async function waitFor(cond: Condition, timeoutMs = 2000, intervalMs = 5): Promise<boolean> {
  const end = performance.now() + Math.max(timeoutMs, minWaitMs);
  while (!(await cond())) {
    if (performance.now() > end) return false;
    await sleep(intervalMs);
  }
  return true;
}

/**
 * Like waitFor, but throws `timed out after <timeoutMs> ms waiting for <what>`; `what` may be a
 * function, evaluated on timeout (e.g. to show the output seen so far).
 */
export async function until(cond: Condition, what: string | (() => string) = 'condition', timeoutMs = 3000, intervalMs = 5): Promise<void> {
  if (await waitFor(cond, timeoutMs, intervalMs)) return;
  throw new Error(`timed out after ${Math.max(timeoutMs, minWaitMs)} ms waiting for ${typeof what === 'string' ? what : what()}`);
}
