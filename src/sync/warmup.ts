// The startup warmup (behaviour.md §5.6): restart neutrality. After a restart every backend is
// `unknown`, and an immediate full sync would set every AS to weight 0. The warmup is the
// reconciler's SyncGate: no writes at all before startup-min-delay; then each frontend is
// released (and its VIP synced) once all its backends are known; at startup-max-delay a full
// sync catches the stragglers. Its clock is process-relative and survives VPP reconnects.
//
//   first connect ──► [0, min) no writes ──► [min, max) release per frontend ──► done
//                          (events dropped)       (poll 250 ms + events)     (all released, or
//                                                                              watchdog full sync)

import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Config, Frontend } from '../shared/config.js';
import { formatDurationMs } from '../shared/duration.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { BackendTransitionEvent } from '../checker/events.js';
import type { GateRunner, SyncGate } from './gate.js';
import type { StateOf } from '../core/weights.js';

export const warmupPollMs = 250;

export type WarmupPhase = 'waiting' | 'min-delay' | 'release' | 'done';

export interface WarmupOptions {
  readonly clock: Clock;
  readonly log: Logger;
  /** Clock time when maglevd started (the VPP client was created): the warmup clock's zero. */
  readonly startedAt: number;
  /** The live config; startup-min/max-delay are latched at the first connect. */
  readonly config: () => Config;
  readonly stateOf: StateOf;
  /** Called once when the warmup is done (maglev_vpp_warmup_complete = 1). */
  readonly onDone?: () => void;
  /**
   * Runs at the first connect, before the timeline starts: reads what VPP already serves, so
   * slow start does not restart the ramps of backends that were up before the restart. A
   * failure is logged and the warmup goes on.
   */
  readonly adopt?: () => Promise<void>;
}

const impact = {
  skipped: 'no warmup: full sync now; backends not yet probed get weight 0',
  start: 'no VPP writes before min-delay; then each frontend is synced once all its backends are known',
  minElapsed: 'releasing frontends whose backends are all known',
  complete: 'all frontends released; periodic sync enabled',
  marker: 'none: warmup already complete',
} as const;

const noRunner: GateRunner = { syncVip: () => Promise.resolve(), opened: () => {} };

export class Warmup implements SyncGate {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #startedAt: number;
  readonly #config: () => Config;
  readonly #stateOf: StateOf;
  readonly #onDone: (() => void) | undefined;
  readonly #adopt: (() => Promise<void>) | undefined;
  #adopting = false;

  #runner: GateRunner = noRunner;
  #phase: WarmupPhase = 'waiting';
  #connected = false;
  #latched: { readonly minMs: number; readonly maxMs: number } | undefined;
  readonly #released = new Set<string>();
  #minTimer: TimerHandle | undefined;
  #maxTimer: TimerHandle | undefined;
  #pollTimer: TimerHandle | undefined;

  constructor(opts: WarmupOptions) {
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.#startedAt = opts.startedAt;
    this.#config = opts.config;
    this.#stateOf = opts.stateOf;
    this.#onDone = opts.onDone;
    this.#adopt = opts.adopt;
  }

  get phase(): WarmupPhase {
    return this.#phase;
  }

  /** Latched delays, once the first connect has read them. */
  get delays(): { readonly minMs: number; readonly maxMs: number } | undefined {
    return this.#latched;
  }

  /** Frontends released so far, in release order. */
  released(): string[] {
    return [...this.#released];
  }

  attach(runner: GateRunner): void {
    this.#runner = runner;
  }

  isOpen(): boolean {
    return this.#phase === 'done';
  }

  allowsVip(frontend: string): boolean {
    return this.#phase === 'done' || (this.#phase === 'release' && this.#released.has(frontend));
  }

  admitEvent(frontend: string, ev: BackendTransitionEvent): boolean {
    if (this.#phase === 'done') return true;
    const attrs = { frontend, backend: ev.backend, from: ev.transition.from, to: ev.transition.to, elapsed: this.#elapsed() };
    if (this.#phase !== 'release') {
      this.#log.debug('vpp-reconciler-suppressed-min-delay', { ...attrs, reason: 'startup-min-delay not elapsed' });
      return false;
    }
    if (this.#released.has(frontend)) return true;
    const fe = this.#config().frontends.get(frontend);
    const unknown = fe === undefined ? [] : this.#unknownBackends(fe);
    if (fe === undefined || unknown.length > 0) {
      const reason = fe === undefined ? 'frontend not in config' : `backends not yet known: ${unknown.join(', ')}`;
      this.#log.debug('vpp-reconciler-suppressed-warmup', { ...attrs, reason });
      return false;
    }
    this.#release(frontend, 'reconciler-event', ev.backend);
    if (this.#allReleased()) this.#complete();
    return true;
  }

  onConnect(): void {
    this.#connected = true;
    if (this.#phase === 'waiting') this.#adoptThenBegin();
    else if (this.#phase === 'release') {
      this.#confStep(); // a VPP that restarted meanwhile has no lb_conf either
      this.#poll();
    }
    // min-delay: its timer runs on; done: nothing to gate.
  }

  onDisconnect(): void {
    this.#connected = false;
    if (this.#pollTimer !== undefined) this.#clock.clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  /** Clears every timer (shutdown). */
  stop(): void {
    for (const t of [this.#minTimer, this.#maxTimer, this.#pollTimer]) if (t !== undefined) this.#clock.clearTimeout(t);
    this.#minTimer = this.#maxTimer = this.#pollTimer = undefined;
  }

  #elapsedMs(): number {
    return this.#clock.now() - this.#startedAt;
  }

  #elapsed(): string {
    return formatDurationMs(this.#elapsedMs());
  }

  /** The adopt step, then #begin; a disconnect meanwhile leaves the warmup waiting for the next connect. */
  #adoptThenBegin(): void {
    const adopt = this.#adopt;
    if (adopt === undefined) return this.#begin();
    if (this.#adopting) return;
    this.#adopting = true;
    adopt()
      .catch((err: unknown) => {
        this.#log.warn('vpp-lb-warmup-adopt-error', { err: errorMessage(err), impact: 'backends up before the restart ramp again (slow start)' });
      })
      .finally(() => {
        this.#adopting = false;
        if (this.#phase === 'waiting' && this.#connected) this.#begin();
      });
  }

  /** The first connect: latch the delays and start the timeline. */
  #begin(): void {
    const lb = this.#config().vpp.lb;
    const delays = (this.#latched = { minMs: lb.startupMinDelayMs, maxMs: lb.startupMaxDelayMs });
    if (delays.maxMs === 0) {
      this.#log.info('vpp-lb-warmup-skipped', { impact: impact.skipped });
      this.#finish(true);
      return;
    }
    this.#log.info('vpp-lb-warmup-start', {
      'min-delay': formatDurationMs(delays.minMs),
      'max-delay': formatDurationMs(delays.maxMs),
      impact: impact.start,
    });
    const elapsed = this.#elapsedMs();
    if (elapsed >= delays.maxMs) {
      this.#maxElapsed(); // VPP came late: straight to the watchdog
      return;
    }
    // The min timer is armed first, so with min == max the release poll runs before the watchdog.
    if (elapsed < delays.minMs) {
      this.#phase = 'min-delay';
      this.#minTimer = this.#clock.setTimeout(() => this.#minElapsed(), delays.minMs - elapsed);
    }
    this.#maxTimer = this.#clock.setTimeout(() => this.#maxElapsed(), delays.maxMs - elapsed);
    if (elapsed >= delays.minMs) this.#minElapsed();
  }

  #minElapsed(): void {
    this.#minTimer = undefined;
    this.#phase = 'release';
    this.#log.info('vpp-lb-warmup-min-delay-elapsed', { elapsed: this.#elapsed(), impact: impact.minElapsed });
    // The conf step: a fresh VPP has no lb_conf (encap sources) until the first full sync, which
    // may be a sync-interval away; the VIPs released from now on need it at once.
    this.#confStep();
    this.#poll();
  }

  #confStep(): void {
    if (!this.#connected) return; // the reconnect sends it
    this.#runner.syncConf?.().catch((err: unknown) => this.#log.warn('vpp-lb-warmup-conf-error', { err: errorMessage(err) }));
  }

  /** Releases every frontend (by name) whose backends are all known; completes when none is left. */
  #poll(): void {
    this.#pollTimer = undefined;
    if (this.#phase !== 'release' || !this.#connected) return;
    const frontends = [...this.#config().frontends.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const fe of frontends) {
      if (!this.#released.has(fe.name) && this.#unknownBackends(fe).length === 0) this.#release(fe.name, 'poll', undefined);
    }
    if (this.#allReleased()) this.#complete();
    else this.#pollTimer = this.#clock.setTimeout(() => this.#poll(), warmupPollMs);
  }

  #release(frontend: string, trigger: 'poll' | 'reconciler-event', backend: string | undefined): void {
    this.#released.add(frontend);
    this.#log.info('vpp-lb-warmup-release', { frontend, trigger, backend, elapsed: this.#elapsed() });
    // An event release is synced by the reconciler itself, as the event's run.
    if (trigger === 'poll') {
      this.#runner.syncVip(frontend).catch((err: unknown) => {
        this.#log.warn('vpp-lb-warmup-release-error', { frontend, err: errorMessage(err) });
      });
    }
  }

  #complete(): void {
    this.#log.info('vpp-lb-warmup-complete', { elapsed: this.#elapsed(), impact: impact.complete });
    this.#finish(false);
  }

  #maxElapsed(): void {
    this.#maxTimer = undefined;
    if (this.#phase === 'done') {
      this.#log.info('vpp-lb-warmup-max-delay-elapsed', { elapsed: this.#elapsed(), impact: impact.marker });
      return;
    }
    const unreleased = [...this.#config().frontends.keys()].filter((f) => !this.#released.has(f)).sort();
    this.#log.info('vpp-lb-warmup-max-delay-elapsed', {
      elapsed: this.#elapsed(),
      impact: `full sync now; unknown backends of unreleased frontends (${unreleased.join(', ')}) get weight 0`,
    });
    this.#finish(true);
  }

  /** Done: the gate opens for good; fullSync for the skip and watchdog paths. */
  #finish(fullSync: boolean): void {
    this.#phase = 'done';
    for (const t of [this.#minTimer, this.#pollTimer]) if (t !== undefined) this.#clock.clearTimeout(t);
    this.#minTimer = this.#pollTimer = undefined;
    this.#onDone?.();
    this.#runner.opened(fullSync);
  }

  #unknownBackends(fe: Frontend): string[] {
    const out: string[] = [];
    for (const pool of fe.pools) {
      for (const m of pool.members) {
        const s = this.#stateOf(m.backend);
        if ((s === undefined || s === 'unknown') && !out.includes(m.backend)) out.push(m.backend);
      }
    }
    return out;
  }

  #allReleased(): boolean {
    for (const name of this.#config().frontends.keys()) if (!this.#released.has(name)) return false;
    return true;
  }
}
