// The state machine of one backend: probe results via the
// rise/fall counter, operator actions, and the reload cases that touch state. Pure: no timers,
// no I/O; every method takes the time `at` and returns the transition it made, if any.
// Loops, logs and events are the caller's job (backend-loop.ts, checker.ts).

import { DaemonError } from '../shared/errors.js';
import type { BackendState, ProbeResult, TransitionRecord } from '../shared/health.js';
import { counterAfterCheckChange, counterMax, recordProbe, unknownStatus, type HealthState, type RiseFall } from './health-counter.js';
import { TransitionHistory } from './transition-history.js';

export interface BackendMachineOptions {
  /** For error messages. */
  readonly name: string;
  readonly rise: number;
  readonly fall: number;
  /** false → starts in `disabled` (YAML `enabled: false`). */
  readonly enabled: boolean;
  readonly historySize: number;
}

/** The states in which probes run and results count. */
export function isProbingState(s: BackendState): s is HealthState {
  return s === 'unknown' || s === 'up' || s === 'down';
}

export class BackendMachine {
  readonly #name: string;
  #rf: RiseFall;
  #state: BackendState;
  #counter: number;
  #enabled: boolean;
  readonly #history: TransitionHistory;

  constructor(opts: BackendMachineOptions) {
    this.#name = opts.name;
    this.#rf = { rise: opts.rise, fall: opts.fall };
    this.#enabled = opts.enabled;
    this.#history = new TransitionHistory(opts.historySize);
    if (opts.enabled) {
      const u = unknownStatus(this.#rf);
      this.#state = u.state;
      this.#counter = u.counter;
    } else {
      this.#state = 'disabled';
      this.#counter = 0;
    }
  }

  get state(): BackendState {
    return this.#state;
  }
  get counter(): number {
    return this.#counter;
  }
  get rise(): number {
    return this.#rf.rise;
  }
  get fall(): number {
    return this.#rf.fall;
  }
  get max(): number {
    return counterMax(this.#rf);
  }
  get enabled(): boolean {
    return this.#enabled;
  }
  /** Newest first. */
  history(): TransitionRecord[] {
    return this.#history.list();
  }
  latestTransition(): TransitionRecord | undefined {
    return this.#history.latest();
  }

  /**
   * Records a probe result: ignored unless the state is unknown, up or down. The detail is read
   * only when the state changes (the checker's result computes its text on demand).
   */
  record(result: Pick<ProbeResult, 'ok' | 'code' | 'detail'>, at: number): TransitionRecord | undefined {
    const state = this.#state;
    if (!isProbingState(state)) return undefined;
    const next = recordProbe({ state, counter: this.#counter }, result.ok, this.#rf);
    this.#counter = next.counter;
    return next.state === state ? undefined : this.#moveTo(next.state, at, result.code, result.detail);
  }

  /** unknown/up/down → paused; paused: no-op; disabled: FAILED_PRECONDITION. */
  pause(at: number): TransitionRecord | undefined {
    this.#refuseRemoved();
    if (this.#state === 'disabled') throw this.#disabledError('pause');
    if (this.#state === 'paused') return undefined;
    return this.#moveTo('paused', at, 'paused', 'paused by operator');
  }

  /** paused → unknown (counter rise-1); unknown/up/down: no-op; disabled: FAILED_PRECONDITION. */
  resume(at: number): TransitionRecord | undefined {
    this.#refuseRemoved();
    if (this.#state === 'disabled') throw this.#disabledError('resume');
    if (this.#state !== 'paused') return undefined;
    this.#counter = this.#rf.rise - 1;
    return this.#moveTo('unknown', at, 'resumed', 'resumed by operator');
  }

  /** Any state → disabled with enabled=false; from disabled only the flag is set. */
  disable(at: number, detail = 'disabled by operator'): TransitionRecord | undefined {
    this.#refuseRemoved();
    this.#enabled = false;
    if (this.#state === 'disabled') return undefined;
    return this.#moveTo('disabled', at, 'disabled', detail);
  }

  /** disabled → unknown (counter rise-1) with enabled=true; otherwise only the flag is set. */
  enable(at: number, detail = 'enabled by operator'): TransitionRecord | undefined {
    this.#refuseRemoved();
    this.#enabled = true;
    if (this.#state !== 'disabled') return undefined;
    this.#counter = this.#rf.rise - 1;
    return this.#moveTo('unknown', at, 'enabled', detail);
  }

  /** The backend left the config: terminal `removed`. */
  remove(at: number, detail = 'removed from config'): TransitionRecord | undefined {
    return this.#moveTo('removed', at, 'removed', detail);
  }

  /**
   * Address change: a probing backend restarts fresh at unknown (code `restarted`);
   * paused and disabled stay as they are.
   */
  restart(at: number, detail: string): TransitionRecord | undefined {
    this.#refuseRemoved();
    if (!isProbingState(this.#state)) return undefined;
    this.#counter = this.#rf.rise - 1;
    return this.#moveTo('unknown', at, 'restarted', detail);
  }

  /**
   * Changed health-check definition: new rise/fall, state kept, counter rise if up,
   * 0 if down, rise-1 if unknown; paused/disabled keep their counter, clamped to the new Max.
   */
  reconfigure(rf: RiseFall): void {
    this.#refuseRemoved();
    this.#rf = { rise: rf.rise, fall: rf.fall };
    const state = this.#state;
    this.#counter = isProbingState(state) ? counterAfterCheckChange(state, this.#rf) : Math.min(this.#counter, counterMax(this.#rf));
  }

  /** A new `transition-history`; trims at the next record. */
  setHistorySize(n: number): void {
    this.#history.setLimit(n);
  }

  #moveTo(to: BackendState, at: number, code: TransitionRecord['code'], detail: string): TransitionRecord | undefined {
    if (to === this.#state) return undefined;
    const t: TransitionRecord = { from: this.#state, to, at, code, detail };
    this.#state = to;
    this.#history.record(t);
    return t;
  }

  #disabledError(action: 'pause' | 'resume'): DaemonError {
    return new DaemonError('FAILED_PRECONDITION', `backend ${this.#name} is disabled; cannot ${action} it`);
  }

  #refuseRemoved(): void {
    if (this.#state === 'removed') throw new DaemonError('FAILED_PRECONDITION', `backend ${this.#name} was removed`);
  }
}
