// The reconciler (behaviour.md §5.5): the only path from checker events, timers and operator
// requests to VPP writes. Single flight: one sync runs at a time, and requests that arrive
// meanwhile coalesce in a SyncQueue. A run reads config and backend states when it starts.
// Failed runs are retried as full syncs with backoff; a full sync also runs every sync-interval
// and on every reconnect once the gate (the startup warmup) is open. Keeps no dataplane state:
// idempotency comes from the diff.

import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import { DaemonError, errorMessage, isDaemonError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { CheckerEvent, CheckerEventSource } from '../checker/events.js';
import type { DesiredInputs } from '../core/desired-state.js';
import { createOpenGate, type SyncGate } from './gate.js';
import { SyncQueue, type Runnable, type SyncJob, type VipOrigin } from './queue.js';

/** The sync engine as the reconciler uses it (LbSync implements it). */
export interface SyncEngine {
  syncAll(cfg: Config, inputs: DesiredInputs, hints?: ReadonlyMap<string, ReadonlySet<string>>): Promise<unknown>;
  syncVip(cfg: Config, inputs: DesiredInputs, frontend: string, flushHints?: ReadonlySet<string>): Promise<unknown>;
  syncConf?(cfg: Config): Promise<unknown>;
}

export interface ReconcilerOptions {
  readonly engine: SyncEngine;
  readonly events: CheckerEventSource;
  /** The live config, read when a run starts. */
  readonly config: () => Config;
  readonly inputs: DesiredInputs;
  readonly clock: Clock;
  readonly log: Logger;
  /** Default: always open (no warmup). */
  readonly gate?: SyncGate;
}

/** First retry delay after a failed run. */
export const retryBaseMs = 5000;

/** Retry delay after `failures` consecutive failures: 5 s doubling, capped at sync-interval. */
export function retryDelayMs(failures: number, syncIntervalMs: number): number {
  return Math.min(retryBaseMs * 2 ** Math.max(0, failures - 1), syncIntervalMs);
}

const notConnected = (): DaemonError => new DaemonError('VPP_NOT_CONNECTED', 'VPP not connected');
const warmupInProgress = (): DaemonError => new DaemonError('WARMUP_IN_PROGRESS', 'startup warmup in progress');
const stopped = (): DaemonError => new DaemonError('SHUTTING_DOWN', 'reconciler stopped');

export class Reconciler {
  readonly #engine: SyncEngine;
  readonly #events: CheckerEventSource;
  readonly #config: () => Config;
  readonly #inputs: DesiredInputs;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #gate: SyncGate;
  readonly #queue = new SyncQueue();
  readonly #runnable: Runnable;

  #unsubscribe: (() => void) | undefined;
  #stopped = false;
  #connected = false;
  #running = false;
  #kickQueued = false;
  #idleWaiters: Array<() => void> = [];
  #failures = 0;
  #retryTimer: TimerHandle | undefined;
  #retryOnOpen = false;
  #periodicTimer: TimerHandle | undefined;

  constructor(opts: ReconcilerOptions) {
    this.#engine = opts.engine;
    this.#events = opts.events;
    this.#config = opts.config;
    this.#inputs = opts.inputs;
    this.#clock = opts.clock;
    this.#log = opts.log;
    const gate = (this.#gate = opts.gate ?? createOpenGate());
    this.#runnable = {
      get all() {
        return gate.isOpen();
      },
      vip: (frontend) => gate.allowsVip(frontend),
    };
    gate.attach({
      syncVip: (frontend) => this.#guard() ?? this.#enqueueVip(frontend, 'release'),
      opened: (fullSync) => this.#opened(fullSync),
      syncConf: async () => {
        await (this.#guard() ?? this.#engine.syncConf?.(this.#config()));
      },
    });
  }

  /** Subscribes to the checker's events. */
  start(): void {
    if (this.#unsubscribe !== undefined || this.#stopped) return;
    this.#unsubscribe = this.#events.subscribe((ev) => this.#onEvent(ev));
    this.#log.info('vpp-reconciler-start');
  }

  /** Unsubscribes, stops timers, rejects queued requests (SHUTTING_DOWN). A run in flight finishes. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#clearTimers();
    for (const w of this.#queue.clear()) w.reject(stopped());
    this.#log.info('vpp-reconciler-stop');
    if (!this.#running) this.#notifyIdle();
  }

  /** VPP connected or disconnected (wire to the VPP link's connect/disconnect). */
  setConnected(connected: boolean): void {
    if (connected === this.#connected || this.#stopped) return;
    this.#connected = connected;
    if (connected) {
      if (this.#gate.isOpen()) {
        this.#enqueueAllInBackground(); // a restarted VPP has no VIPs: resync at once
        this.#startPeriodic();
      } else {
        this.#gate.onConnect();
      }
      return;
    }
    this.#clearTimers();
    this.#failures = 0;
    this.#retryOnOpen = false;
    for (const w of this.#queue.clear()) w.reject(notConnected());
    if (!this.#gate.isOpen()) this.#gate.onDisconnect();
  }

  get connected(): boolean {
    return this.#connected;
  }

  /**
   * A full sync (reload). Resolves when the run covering it finishes; rejects with its error, or at
   * once with VPP_NOT_CONNECTED, or WARMUP_IN_PROGRESS while the gate is closed (the warmup then
   * uses the new config by itself).
   */
  requestAll(): Promise<void> {
    const refused = this.#guard();
    if (refused !== undefined) return refused;
    if (!this.#gate.isOpen()) return Promise.reject(warmupInProgress());
    return this.#enqueueAll();
  }

  /**
   * A VIP sync (SetFrontendPoolBackendWeight; flushHints are backend addresses whose AS gets
   * is_flush in that sync). While the gate holds the frontend the request waits and runs at its
   * release, or with the warmup's full sync. Rejects at once with VPP_NOT_CONNECTED while
   * disconnected. Callers that do not wait must still catch.
   */
  requestVip(frontend: string, flushHints: Iterable<string> = []): Promise<void> {
    return this.#guard() ?? this.#enqueueVip(frontend, 'request', flushHints);
  }

  /**
   * The SyncVPPLBState RPC: a VIP sync when frontend is set, else a full sync. Rejects with
   * VPP_NOT_CONNECTED, WARMUP_IN_PROGRESS during the whole warmup, NOT_FOUND for a frontend not in
   * the config, or the run's own error.
   */
  requestSync(frontend?: string): Promise<void> {
    const refused = this.#guard();
    if (refused !== undefined) return refused;
    if (!this.#gate.isOpen()) return Promise.reject(warmupInProgress());
    if (frontend === undefined) return this.#enqueueAll();
    if (!this.#config().frontends.has(frontend)) return Promise.reject(new DaemonError('NOT_FOUND', `frontend ${frontend} not found`));
    return this.#enqueueVip(frontend, 'request');
  }

  /** Resolves when no run is in flight and nothing runnable is queued (tests, shutdown). */
  idle(): Promise<void> {
    const busy = this.#running || this.#kickQueued || (!this.#stopped && this.#connected && this.#queue.hasRunnable(this.#runnable));
    if (!busy) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #guard(): Promise<void> | undefined {
    if (this.#stopped) return Promise.reject(stopped());
    if (!this.#connected) return Promise.reject(notConnected());
    return undefined;
  }

  /** A backend transition: one VIP sync per frontend it affects, in name order. */
  #onEvent(ev: CheckerEvent): void {
    if (ev.kind !== 'backend') return;
    // Discarded while disconnected: the full sync on reconnect (or the warmup) covers it.
    if (!this.#connected || this.#stopped) return;
    const { backend, transition } = ev;
    for (const frontend of ev.frontends) {
      if (!this.#gate.isOpen() && !this.#gate.admitEvent(frontend, ev)) continue;
      this.#log.debug('vpp-reconciler-event', { frontend, backend, from: transition.from, to: transition.to });
      this.#queue.addVip(frontend, { origin: 'event', event: ev });
      this.#queueKick();
    }
  }

  #enqueueAll(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.addAll({ resolve, reject });
      this.#queueKick();
    });
  }

  /** For full syncs nobody waits on: the run logs its own failure. */
  #enqueueAllInBackground(): void {
    this.#queue.addAll();
    this.#queueKick();
  }

  #enqueueVip(frontend: string, origin: VipOrigin, hints: Iterable<string> = []): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.addVip(frontend, { hints, origin, waiter: { resolve, reject } });
      this.#queueKick();
    });
  }

  #opened(fullSync: boolean): void {
    if (this.#stopped || !this.#connected) return; // the reconnect runs the full sync
    this.#startPeriodic();
    if (fullSync || this.#retryOnOpen) {
      this.#retryOnOpen = false;
      this.#enqueueAllInBackground();
    }
    this.#queueKick(); // parked VIP requests are runnable now
  }

  // Deferred to a microtask: a burst of synchronous events coalesces, and no run starts inside
  // the checker's event delivery.
  #queueKick(): void {
    if (this.#kickQueued) return;
    this.#kickQueued = true;
    queueMicrotask(() => {
      this.#kickQueued = false;
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#running) return;
    const job = this.#stopped || !this.#connected ? undefined : this.#queue.take(this.#runnable);
    if (job === undefined) {
      this.#notifyIdle();
      return;
    }
    this.#running = true;
    void this.#run(job).finally(() => {
      this.#running = false;
      this.#kick();
    });
  }

  async #run(job: SyncJob): Promise<void> {
    try {
      const cfg = this.#config();
      if (job.scope === 'all') {
        await this.#engine.syncAll(cfg, this.#inputs, job.hints);
        // A good full sync repairs whatever an earlier failure left behind.
        this.#failures = 0;
        if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
      } else {
        await this.#engine.syncVip(cfg, this.#inputs, job.frontend, job.hints);
      }
      for (const w of job.waiters) w.resolve();
    } catch (err) {
      for (const w of job.waiters) w.reject(err);
      this.#failed(job, err);
    }
  }

  #failed(job: SyncJob, err: unknown): void {
    // A frontend gone from the config: the full sync that follows a reload handles its VIP.
    if (job.scope === 'vip' && isDaemonError(err, 'NOT_FOUND')) return;
    const msg = errorMessage(err);
    if (job.scope === 'all') {
      this.#log.warn('vpp-lb-sync-error', { scope: 'all', err: msg });
    } else if (job.event !== undefined) {
      const { backend, transition } = job.event;
      this.#log.warn('vpp-reconciler-error', { frontend: job.frontend, backend, from: transition.from, to: transition.to, err: msg });
    } else if (job.origins.has('request')) {
      this.#log.warn('vpp-lb-sync-error', { scope: 'vip', frontend: job.frontend, err: msg });
    } // else a release-only run: the warmup logs vpp-lb-warmup-release-error
    if (this.#connected && !this.#stopped) this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined) return;
    this.#failures++;
    const delay = retryDelayMs(this.#failures, this.#config().vpp.lb.syncIntervalMs);
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#stopped || !this.#connected) return;
      if (this.#gate.isOpen()) this.#enqueueAllInBackground();
      else this.#retryOnOpen = true; // no full sync inside the warmup: run it when the gate opens
    }, delay);
  }

  #startPeriodic(): void {
    if (this.#periodicTimer !== undefined) return;
    this.#periodicTimer = this.#clock.setTimeout(() => {
      this.#periodicTimer = undefined;
      if (this.#stopped || !this.#connected) return;
      this.#enqueueAllInBackground();
      this.#startPeriodic(); // re-reads sync-interval: a reload's new value applies from the next tick
    }, this.#config().vpp.lb.syncIntervalMs);
  }

  #clearTimers(): void {
    if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
    if (this.#periodicTimer !== undefined) this.#clock.clearTimeout(this.#periodicTimer);
    this.#retryTimer = undefined;
    this.#periodicTimer = undefined;
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
