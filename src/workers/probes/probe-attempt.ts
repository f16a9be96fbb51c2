// One probe in progress: the single hard deadline over the whole probe, the settle-once guard,
// and the result record (start time, duration, the `discarded` flag of the stall guard and of
// local shortages). Every prober drives one ProbeAttempt and only says which code and detail it
// ends with, and which shortage (EMFILE …) caused it, if any.

import type { LocalShortage } from '../../shared/discard-reason.js';
import { formatDurationMs } from '../../shared/duration.js';
import { probeCodeLayer, type ProbeCode, type ProbeResult } from '../../shared/health.js';
import type { LagSource } from './lag-monitor.js';

/** How a started probe is stopped early; its result is then never delivered. */
export type CancelProbe = () => void;

/** A probe definition compiled once per target, run many times. */
export interface PreparedProbe {
  run(done: (result: ProbeResult) => void): CancelProbe;
}

const timeoutCodes = new Set<ProbeCode>(['L4TOUT', 'L6TOUT', 'L7TOUT']);

export class ProbeAttempt {
  readonly #at = Date.now();
  readonly #t0 = performance.now();
  readonly #timeoutMs: number;
  readonly #lag: LagSource;
  #done: ((result: ProbeResult) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** Arms the deadline; `onDeadline` must end the probe (normally with a *TOUT code). */
  constructor(timeoutMs: number, lag: LagSource, done: (result: ProbeResult) => void, onDeadline: () => void) {
    this.#timeoutMs = timeoutMs;
    this.#lag = lag;
    this.#done = done;
    this.#timer = setTimeout(onDeadline, timeoutMs);
  }

  get settled(): boolean {
    return this.#done === undefined;
  }

  /** `timeout after 1s during <phase>`. */
  timeoutDetail(phase: string): string {
    return `timeout after ${formatDurationMs(this.#timeoutMs)} during ${phase}`;
  }

  /** Delivers the result once; later calls are ignored. With a shortage it is discarded. */
  finish(code: ProbeCode, detail: string, shortage?: LocalShortage): void {
    const done = this.#done;
    if (done === undefined) return;
    this.#done = undefined;
    clearTimeout(this.#timer);
    const layer = probeCodeLayer[code];
    const durationMs = performance.now() - this.#t0;
    const ok = code === 'L4OK' || code === 'L6OK' || code === 'L7OK';
    if (shortage !== undefined) {
      done({ ok, layer, code, detail, at: this.#at, durationMs, discarded: true, discardReason: shortage });
    } else if (timeoutCodes.has(code) && this.#lag.lagSince(this.#t0) * 2 >= this.#timeoutMs) {
      done({ ok, layer, code, detail, at: this.#at, durationMs, discarded: true, discardReason: 'stall' });
    } else {
      done({ ok, layer, code, detail, at: this.#at, durationMs });
    }
  }

  /** Settles without delivering anything. */
  cancel(): void {
    this.#done = undefined;
    clearTimeout(this.#timer);
  }
}
