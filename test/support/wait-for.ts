// Test helpers that poll a condition until it holds or a deadline passes, for effects that land
// a moment later on the other end of a socket, a thread or a child process. The one place tests
// poll: waitFor answers whether it held (for t.ok), until throws naming what never happened.

import { setTimeout as sleep } from 'node:timers/promises';

export type Condition = () => boolean | Promise<boolean>;

/** Polls cond every intervalMs until it holds (true) or timeoutMs has passed (false). */
export async function waitFor(cond: Condition, timeoutMs = 2000, intervalMs = 5): Promise<boolean> {
  const end = performance.now() + timeoutMs;
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
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
}
