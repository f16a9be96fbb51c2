// Failed /admin/ logins per client address (docs/security.md §4): each failure is logged, and
// after `freeFailures` failures within the window the address is locked out for a delay that
// doubles with every further failure (1 s, 2 s, 4 s … at most maxLockMs); a success forgets it.
// Answers during a lockout are 429 with Retry-After, without checking the password.

import type { Clock } from '../shared/clock.js';

export interface LoginBackoffOptions {
  readonly clock: Clock;
  /** Failures allowed before the lockouts start (default 5). */
  readonly freeFailures?: number;
  /** Failures older than this are forgotten (default 10 min). */
  readonly windowMs?: number;
  /** The longest lockout (default 5 min). */
  readonly maxLockMs?: number;
}

interface Record {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

/** At most this many addresses are remembered; the oldest entry goes first. */
const maxTracked = 10_000;

export class LoginBackoff {
  readonly #clock: Clock;
  readonly #free: number;
  readonly #windowMs: number;
  readonly #maxLockMs: number;
  readonly #byAddress = new Map<string, Record>();

  constructor(o: LoginBackoffOptions) {
    this.#clock = o.clock;
    this.#free = o.freeFailures ?? 5;
    this.#windowMs = o.windowMs ?? 600_000;
    this.#maxLockMs = o.maxLockMs ?? 300_000;
  }

  /** Milliseconds the address must still wait, or 0. */
  lockedFor(address: string): number {
    const r = this.#current(address);
    return r === undefined ? 0 : Math.max(0, r.lockedUntil - this.#clock.now());
  }

  /** Records a failure; returns the failures in the window and the lockout it starts (ms). */
  failed(address: string): { failures: number; lockMs: number } {
    const now = this.#clock.now();
    const r = this.#current(address) ?? { failures: 0, firstAt: now, lockedUntil: 0 };
    r.failures += 1;
    const over = r.failures - this.#free;
    const lockMs = over > 0 ? Math.min(this.#maxLockMs, 1000 * 2 ** Math.min(over - 1, 20)) : 0;
    r.lockedUntil = now + lockMs;
    this.#byAddress.delete(address);
    this.#byAddress.set(address, r);
    if (this.#byAddress.size > maxTracked) this.#byAddress.delete(this.#byAddress.keys().next().value!);
    return { failures: r.failures, lockMs };
  }

  succeeded(address: string): void {
    this.#byAddress.delete(address);
  }

  #current(address: string): Record | undefined {
    const r = this.#byAddress.get(address);
    if (r !== undefined && this.#clock.now() - r.firstAt > this.#windowMs && this.#clock.now() >= r.lockedUntil) {
      this.#byAddress.delete(address);
      return undefined;
    }
    return r;
  }
}
