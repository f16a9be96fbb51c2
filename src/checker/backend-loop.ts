// The probe loop of one backend: wait (stagger +) the jittered next
// interval, probe through the ProbeExecutor, record, repeat. At most one probe in flight; a
// generation number makes late callbacks of a stopped loop harmless. Static backends record a
// synthetic pass at once and every 30 s. State lives in the BackendMachine; the checker decides
// when loops start and stop and turns transitions into events.

import type { Backend, HealthCheck } from '../shared/config.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { formatDurationMs } from '../shared/duration.js';
import { errorMessage } from '../shared/errors.js';
import type { ProbeResult, TransitionRecord } from '../shared/health.js';
import type { Logger } from '../shared/log.js';
import { BackendMachine, isProbingState } from '../core/backend-machine.js';
import type { ProbeExecutor } from './probe-executor.js';
import { intervalKind, intervalMs, jittered, type RandomSource } from '../core/probe-interval.js';

/** Static backends re-record their synthetic pass this often. */
export const staticRecheckMs = 30_000;
export const staticDetail = 'static backend';

export type ProbeOutcome = 'recorded' | 'discarded';

export interface BackendLoopDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly executor: ProbeExecutor;
  readonly logger: Logger;
  /** False before the checker starts and after it stops: no loop runs then. */
  running(): boolean;
  onTransition(worker: BackendLoop, t: TransitionRecord): void;
  /** Executor results only (static passes are not probes). */
  onProbe(worker: BackendLoop, check: HealthCheck, result: ProbeResult, outcome: ProbeOutcome): void;
}

/** The stall guard may attach the measured event-loop delay; logged as `lag` when present. */
type ProbeResultWithLag = ProbeResult & { readonly lagMs?: number };

export class BackendLoop {
  readonly name: string;
  readonly machine: BackendMachine;
  readonly #deps: BackendLoopDeps;
  #backend: Backend;
  #check: HealthCheck | undefined;
  #timer: TimerHandle | undefined;
  #cancelProbe: (() => void) | undefined;
  #gen = 0;
  #lastProbe: ProbeResult | undefined;

  constructor(deps: BackendLoopDeps, backend: Backend, check: HealthCheck | undefined, historySize: number) {
    this.#deps = deps;
    this.name = backend.name;
    this.#backend = backend;
    this.#check = check;
    const rf = check === undefined ? { rise: 1, fall: 1 } : { rise: check.rise, fall: check.fall };
    this.machine = new BackendMachine({ name: backend.name, ...rf, enabled: backend.enabled, historySize });
  }

  get backend(): Backend {
    return this.#backend;
  }
  /** undefined for a static backend. */
  get check(): HealthCheck | undefined {
    return this.#check;
  }
  /** The latest recorded result (static passes included); discarded probes do not count. */
  get lastProbe(): ProbeResult | undefined {
    return this.#lastProbe;
  }
  get probeInFlight(): boolean {
    return this.#cancelProbe !== undefined;
  }
  /** A wait or a probe is pending. */
  get looping(): boolean {
    return this.#timer !== undefined || this.#cancelProbe !== undefined;
  }

  /** Replaces metadata without touching the loop (same address, same check definition). */
  update(backend: Backend, check: HealthCheck | undefined): void {
    this.#backend = backend;
    this.#check = check;
  }

  /**
   * (Re)starts the loop: waits `staggerMs` plus the jittered next interval, then probes. Static
   * backends record at once instead. Does nothing unless the state is unknown, up or down.
   */
  startLoop(staggerMs = 0): void {
    this.stopLoop();
    if (!this.#deps.running() || !isProbingState(this.machine.state)) return;
    const gen = this.#gen;
    if (this.#check === undefined) {
      this.#recordStatic(gen);
      return;
    }
    this.#schedule(gen, staggerMs + jittered(this.#nextIntervalMs(this.#check), this.#deps.random));
  }

  /** Cancels the pending wait and aborts the in-flight probe, if any. */
  stopLoop(): void {
    this.#gen++;
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const cancel = this.#cancelProbe;
    this.#cancelProbe = undefined;
    cancel?.();
  }

  #nextIntervalMs(check: HealthCheck): number {
    const m = this.machine;
    return intervalMs(check, intervalKind(m.state, m.counter, m.max));
  }

  #schedule(gen: number, ms: number): void {
    this.#timer = this.#deps.clock.setTimeout(() => {
      if (gen !== this.#gen) return;
      this.#timer = undefined;
      if (this.#check === undefined) this.#recordStatic(gen);
      else this.#probe(gen, this.#check);
    }, ms);
  }

  #recordStatic(gen: number): void {
    const now = this.#deps.clock.now();
    const result: ProbeResult = { ok: true, layer: 'L7', code: 'L7OK', detail: staticDetail, at: now, durationMs: 0 };
    this.#lastProbe = result;
    const t = this.machine.record(result, now);
    if (t !== undefined) this.#deps.onTransition(this, t);
    if (gen === this.#gen) this.#schedule(gen, staticRecheckMs);
  }

  #probe(gen: number, check: HealthCheck): void {
    const log = this.#deps.logger;
    if (log.enabled('debug')) log.debug('probe-start', { backend: this.name, type: check.type });
    let settled = false;
    try {
      const cancel = this.#deps.executor.run({ backend: this.name, address: this.#backend.address, check }, (r) => {
        settled = true;
        this.#onResult(gen, check, r);
      });
      if (!settled && gen === this.#gen) this.#cancelProbe = cancel;
    } catch (err) {
      // The executor contract says failures are results; keep the loop alive if it breaks it.
      log.error('probe-error', { backend: this.name, type: check.type, err: errorMessage(err) });
      if (gen === this.#gen) this.#schedule(gen, jittered(this.#nextIntervalMs(check), this.#deps.random));
    }
  }

  #onResult(gen: number, check: HealthCheck, r: ProbeResultWithLag): void {
    if (gen !== this.#gen) return; // the loop was stopped; the result must change nothing
    this.#cancelProbe = undefined;
    const log = this.#deps.logger;
    if (r.discarded === true) {
      if (log.enabled('debug')) {
        log.debug('probe-discarded', {
          backend: this.name,
          type: check.type,
          code: r.code,
          lag: r.lagMs === undefined ? undefined : formatDurationMs(r.lagMs),
        });
      }
      this.#deps.onProbe(this, check, r, 'discarded');
    } else {
      if (log.enabled('debug')) {
        log.debug('probe-done', {
          backend: this.name,
          type: check.type,
          ok: r.ok,
          code: r.code,
          detail: r.detail,
          elapsed: formatDurationMs(r.durationMs),
        });
      }
      this.#lastProbe = r;
      this.#deps.onProbe(this, check, r, 'recorded');
      const t = this.machine.record(r, this.#deps.clock.now());
      if (t !== undefined) this.#deps.onTransition(this, t);
    }
    if (gen === this.#gen) this.#schedule(gen, jittered(this.#nextIntervalMs(check), this.#deps.random));
  }
}
