// One probe in progress: the single hard deadline over the whole probe, the settle-once guard,
// and the outcome (start time, duration, the `discarded` flag of the stall guard and of local
// shortages). Every prober drives one ProbeAttempt and only says which code and detail it ends
// with, and which shortage (EMFILE …) caused it, if any.

import type { LocalShortage } from '../../shared/discard-reason.js';
import { isTimeoutCode, type ProbeCode } from '../../shared/health.js';
import type { DetailKind } from '../../shared/probe-detail.js';
import type { ProbeConnection, ProbeOutcome } from '../../shared/probe-outcome.js';
import type { LagSource } from './lag-monitor.js';

/** How a started probe is stopped early; its outcome is then never delivered. */
export type CancelProbe = () => void;

/** A probe definition compiled once per target, run many times. */
export interface PreparedProbe {
  run(done: (outcome: ProbeOutcome) => void): CancelProbe;
  /** Releases what it keeps between probes (a reuse-connection socket): the target is gone. */
  close?(): void;
}

export class ProbeAttempt {
  readonly #at = Date.now();
  readonly #t0 = performance.now();
  readonly timeoutMs: number;
  readonly #lag: LagSource;
  #done: ((outcome: ProbeOutcome) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Set by reuse-connection probers: which connection the probe used. */
  connection: ProbeConnection | undefined;

  /** Arms the deadline; `onDeadline` must end the probe (normally with a *TOUT code). */
  constructor(timeoutMs: number, lag: LagSource, done: (outcome: ProbeOutcome) => void, onDeadline: () => void) {
    this.timeoutMs = timeoutMs;
    this.#lag = lag;
    this.#done = done;
    this.#timer = setTimeout(onDeadline, timeoutMs);
  }

  get settled(): boolean {
    return this.#done === undefined;
  }

  /** Delivers the outcome once; later calls are ignored. With a shortage it is discarded. */
  finish(code: ProbeCode, detail: DetailKind, arg = 0, text?: string, shortage?: LocalShortage): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    clearTimeout(this.#timer);
    const durationMs = performance.now() - this.#t0;
    const base = { code, detail, arg, text, at: this.#at, durationMs, lagMs: NaN, ...(this.connection === undefined ? {} : { connection: this.connection }) };
    if (shortage !== undefined) done({ ...base, discarded: true, discardReason: shortage });
    else if (isTimeoutCode(code) && this.#lag.lagSince(this.#t0) * 2 >= this.timeoutMs) done({ ...base, discarded: true, discardReason: 'stall' });
    else done({ ...base, discarded: false });
  }

  /** Ends with a timeout: `detail` is a timeout kind, the argument the timeout. */
  timeout(code: ProbeCode, detail: DetailKind): void {
    this.finish(code, detail, this.timeoutMs);
  }

  /** Settles without delivering anything. */
  cancel(): void {
    this.#done = undefined;
    clearTimeout(this.#timer);
  }
}
