// The probe loop of one backend: wait (stagger +) the jittered next
// interval, probe through the ProbeExecutor, record, repeat. At most one probe in flight. The
// waits live in the checker's one ProbeSchedule (under the loop's slot), the probe is started
// under the same slot as its key, and its result is copied into numbers (LatestProbe): a
// probe allocates nothing here. Static backends record a synthetic pass at once and every 30 s.
// State lives in the BackendMachine; the checker decides when loops start and stop and turns
// transitions into events.

import type { Backend, HealthCheck } from '../shared/config.js';
import type { Clock } from '../shared/clock.js';
import { formatDurationMs } from '../shared/duration.js';
import { errorMessage } from '../shared/errors.js';
import { isPassCode, type ProbeResult, type TransitionRecord } from '../shared/health.js';
import type { Logger } from '../shared/log.js';
import { detailKind, formatProbeDetail } from '../shared/probe-detail.js';
import type { ProbeOutcome } from '../shared/probe-outcome.js';
import { BackendMachine, isProbingState } from '../core/backend-machine.js';
import { LatestProbe } from './latest-probe.js';
import type { ProbeExecutor, ProbeTarget } from './probe-executor.js';
import type { ProbeSchedule } from './probe-schedule.js';
import { intervalKind, intervalMs, jittered, type RandomSource } from '../core/probe-interval.js';

/** Static backends re-record their synthetic pass this often. */
export const staticRecheckMs = 30_000;
export const staticDetail = 'static backend';

/** Whether a result counted: recorded in the state machine, or discarded by the stall guard. */
export type ProbeRecording = 'recorded' | 'discarded';

export interface BackendLoopDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly executor: ProbeExecutor;
  readonly schedule: ProbeSchedule;
  readonly logger: Logger;
  /** False before the checker starts and after it stops: no loop runs then. */
  running(): boolean;
  onTransition(worker: BackendLoop, t: TransitionRecord): void;
  /** A probe's result came: it started `lateMs` after it was due (its executor's start time). */
  onStarted(lateMs: number): void;
  /** A probe went in flight (+1) or came back or was cancelled (-1). */
  onFlight(delta: 1 | -1): void;
  /** Executor results only (static passes are not probes). */
  onProbe(worker: BackendLoop, check: HealthCheck, outcome: ProbeOutcome, recording: ProbeRecording): void;
}

const staticPass: ProbeOutcome = { code: 'L7OK', detail: detailKind.text, arg: 0, text: staticDetail, at: 0, durationMs: 0, discarded: false, lagMs: NaN };

export class BackendLoop {
  readonly name: string;
  /** This loop's slot in the schedule, and its probes' key in the executor. */
  readonly slot: number;
  readonly machine: BackendMachine;
  readonly #deps: BackendLoopDeps;
  readonly #latest = new LatestProbe();
  #backend: Backend;
  #check: HealthCheck | undefined;
  #target: ProbeTarget | undefined;
  #inFlight = false;
  /** Bumped by stopLoop: a callback that sees it changed (a subscriber stopped the loop) schedules nothing. */
  #gen = 0;
  /** When the probe in flight was due (clock ms). */
  #dueAt = 0;

  constructor(deps: BackendLoopDeps, slot: number, backend: Backend, check: HealthCheck | undefined, historySize: number) {
    this.#deps = deps;
    this.slot = slot;
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
    return this.#latest.result();
  }
  get probeInFlight(): boolean {
    return this.#inFlight;
  }
  /** A wait or a probe is pending. */
  get looping(): boolean {
    return this.#inFlight || this.#deps.schedule.has(this.slot);
  }

  /** Replaces metadata without touching the loop (same address, same check definition). */
  update(backend: Backend, check: HealthCheck | undefined): void {
    this.#backend = backend;
    this.#check = check;
    this.#target = undefined;
  }

  /**
   * (Re)starts the loop: waits `staggerMs` plus the jittered next interval, then probes. Static
   * backends record at once instead. Does nothing unless the state is unknown, up or down.
   */
  startLoop(staggerMs = 0): void {
    this.stopLoop();
    if (!this.#deps.running() || !isProbingState(this.machine.state)) return;
    if (this.#check === undefined) {
      this.#recordStatic();
      return;
    }
    this.#wait(staggerMs + jittered(this.#nextIntervalMs(this.#check), this.#deps.random));
  }

  /** Cancels the pending wait and aborts the in-flight probe, if any. */
  stopLoop(): void {
    this.#gen++;
    this.#deps.schedule.clear(this.slot);
    if (this.#inFlight) {
      this.#inFlight = false;
      this.#deps.onFlight(-1);
      this.#deps.executor.cancel(this.slot);
    }
  }

  /** The schedule says this loop's wait is over. */
  due(lateMs: number): void {
    if (this.#check === undefined) this.#recordStatic();
    else this.#probe(this.#check, this.#deps.clock.now() - lateMs);
  }

  /** The executor's result for this loop's probe; ignored unless a probe is in flight. */
  onResult(o: ProbeOutcome): void {
    const check = this.#check;
    if (!this.#inFlight || check === undefined) return;
    this.#inFlight = false;
    this.#deps.onFlight(-1);
    this.#deps.onStarted(Math.max(0, o.at - this.#dueAt));
    const gen = this.#gen;
    const log = this.#deps.logger;
    if (o.discarded) {
      if (log.enabled('debug')) {
        log.debug('probe-discarded', {
          backend: this.name,
          type: check.type,
          code: o.code,
          lag: Number.isNaN(o.lagMs) ? undefined : formatDurationMs(o.lagMs),
        });
      }
      this.#deps.onProbe(this, check, o, 'discarded');
    } else {
      if (log.enabled('debug')) {
        log.debug('probe-done', {
          backend: this.name,
          type: check.type,
          ok: isPassCode(o.code),
          code: o.code,
          detail: formatProbeDetail(o.detail, o.arg, o.text),
          elapsed: formatDurationMs(o.durationMs),
          ...(o.connection === undefined ? {} : { connection: o.connection }),
        });
      }
      this.#latest.record(o);
      this.#deps.onProbe(this, check, o, 'recorded');
      const t = this.machine.record(this.#latest, this.#deps.clock.now());
      if (t !== undefined) this.#deps.onTransition(this, t);
    }
    if (gen === this.#gen) this.#wait(jittered(this.#nextIntervalMs(check), this.#deps.random));
  }

  #nextIntervalMs(check: HealthCheck): number {
    const m = this.machine;
    return intervalMs(check, intervalKind(m.state, m.counter, m.max));
  }

  #wait(ms: number): void {
    this.#deps.schedule.set(this.slot, this.#deps.clock.now() + ms);
  }

  #recordStatic(): void {
    const gen = this.#gen;
    const now = this.#deps.clock.now();
    this.#latest.record({ ...staticPass, at: now });
    const t = this.machine.record(this.#latest, now);
    if (t !== undefined) this.#deps.onTransition(this, t);
    if (gen === this.#gen) this.#wait(staticRecheckMs);
  }

  #probe(check: HealthCheck, dueAt: number): void {
    const log = this.#deps.logger;
    if (log.enabled('debug')) log.debug('probe-start', { backend: this.name, type: check.type });
    this.#dueAt = dueAt;
    this.#target ??= { backend: this.name, address: this.#backend.address, check };
    this.#inFlight = true;
    this.#deps.onFlight(1);
    try {
      this.#deps.executor.start(this.slot, this.#target);
    } catch (err) {
      // The executor contract says failures are results; keep the loop alive if it breaks it.
      if (this.#inFlight) {
        this.#inFlight = false;
        this.#deps.onFlight(-1);
      }
      log.error('probe-error', { backend: this.name, type: check.type, err: errorMessage(err) });
      this.#wait(jittered(this.#nextIntervalMs(check), this.#deps.random));
    }
  }
}
