// The reconciler: the only path from checker events, timers and operator
// requests to VPP writes. Single flight: one sync runs at a time, and requests that arrive
// meanwhile coalesce in a SyncQueue. A run of event-driven VIP syncs takes every other one that
// may run (a burst of transitions: their first calls leave in one write, when the engine can
// sync several VIPs at once); requests and warmup releases run one VIP each. A run reads config and
// backend states when it starts. Failed runs are retried as full syncs with backoff; a full sync
// also runs every sync-interval and on every reconnect once the gate (the startup warmup) is
// open. Nothing waits on a timer between a checker event and its run: a probe-driven transition
// starts its run at once when none is running, anything else kicks on a microtask.
// Keeps no dataplane state itself (the engine's belief of what is programmed is dropped on every
// connect and disconnect). Measures each transition's detection → first AS write latency.

import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import { DaemonError, errorMessage, isDaemonError, notFound } from '../shared/errors.js';
import { probeCodeLayer } from '../shared/health.js';
import type { Logger } from '../shared/log.js';
import type { BackendTransitionEvent, CheckerEvent, CheckerEventSource } from '../checker/events.js';
import type { DesiredInputs } from '../core/desired-state.js';
import { createOpenGate, type SyncGate } from './gate.js';
import { onlyEvents, SyncQueue, type AllJob, type Runnable, type SyncJob, type VipJob, type VipOrigin } from './queue.js';

/**
 * The sync engine as the reconciler uses it (LbSync implements it). `written` callbacks are told
 * once the first AS call of a frontend's VIP is on the API socket.
 */
export interface SyncEngine {
  syncAll(
    cfg: Config,
    inputs: DesiredInputs,
    hints?: ReadonlyMap<string, ReadonlySet<string>>,
    written?: (frontend: string) => void,
    /** Lets event-driven VIP syncs run while the full sync waits for its read, and between its write batches. */
    window?: { opened(): void; closing(): Promise<void>; lend?(): Promise<void> },
  ): Promise<unknown>;
  syncVip(cfg: Config, inputs: DesiredInputs, frontend: string, flushHints?: ReadonlySet<string>, written?: () => void): Promise<unknown>;
  /** Several VIP syncs in one run; resolves with each failed frontend's error. Optional: without it VIP runs take one frontend each. */
  syncVips?(
    cfg: Config,
    inputs: DesiredInputs,
    requests: ReadonlyArray<{ readonly frontend: string; readonly flushHints?: ReadonlySet<string> }>,
    written?: (frontend: string) => void,
    /** Told once the run's last writes are all on the socket: the next run may start. */
    issued?: () => void,
  ): Promise<{ readonly failures: ReadonlyMap<string, unknown> }>;
  /** VPP connected or went away: forget anything believed about its state. */
  reset?(): void;
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
  /** Per backend transition: seconds from the checker's decision to its first AS call on the socket. */
  readonly onTransitionWritten?: (seconds: number) => void;
  /** Monotonic ms (default performance.now), the clock of BackendTransitionEvent.monoAt. */
  readonly monotonicNow?: () => number;
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
  readonly #onTransitionWritten: ((seconds: number) => void) | undefined;
  readonly #monotonicNow: () => number;
  /** Arrival time of events the checker did not stamp. */
  readonly #receivedAt = new WeakMap<BackendTransitionEvent, number>();
  /** Transitions whose latency was observed (one event may cover several frontends). */
  readonly #observed = new WeakSet<BackendTransitionEvent>();

  #unsubscribe: (() => void) | undefined;
  #stopped = false;
  #connected = false;
  /** A run is planning or sending: the next one waits (single flight). */
  #running = false;
  /** Runs that have sent everything and wait for VPP's replies (their waiters settle then). */
  #settling = 0;
  /** A full sync waits for its read: the slot is lent to event-driven VIP syncs meanwhile. */
  #fullSyncReading = false;
  /** A full sync whose read is in, waiting for the slot back (it goes before any other job). */
  readonly #slotWaiters: Array<() => void> = [];
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
    this.#onTransitionWritten = opts.onTransitionWritten;
    this.#monotonicNow = opts.monotonicNow ?? (() => performance.now());
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
    if (!this.#running && this.#settling === 0) this.#notifyIdle();
  }

  /** VPP connected or disconnected (wire to the VPP link's connect/disconnect). */
  setConnected(connected: boolean): void {
    if (connected === this.#connected || this.#stopped) return;
    this.#connected = connected;
    this.#engine.reset?.();
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
    if (!this.#config().frontends.has(frontend)) return Promise.reject(notFound('frontend', frontend));
    return this.#enqueueVip(frontend, 'request');
  }

  /** Resolves when no run is in flight and nothing runnable is queued (tests, shutdown). */
  idle(): Promise<void> {
    const busy = this.#running || this.#settling > 0 || this.#kickQueued || (!this.#stopped && this.#connected && this.#queue.hasRunnable(this.#runnable));
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
    if (ev.kind === 'ramp' || ev.kind === 'agent') return this.#onRampStep(ev.frontends);
    if (ev.kind !== 'backend') return;
    // Discarded while disconnected: the full sync on reconnect (or the warmup) covers it.
    if (!this.#connected || this.#stopped) return;
    const { backend, transition } = ev;
    if (ev.monoAt === undefined && this.#onTransitionWritten !== undefined) this.#receivedAt.set(ev, this.#monotonicNow());
    let queued = false;
    for (const frontend of ev.frontends) {
      if (!this.#gate.isOpen() && !this.#gate.admitEvent(frontend, ev)) continue;
      this.#log.debug('vpp-reconciler-event', { frontend, backend, from: transition.from, to: transition.to });
      this.#queue.addVip(frontend, { origin: 'event', event: ev });
      queued = true;
    }
    if (!queued) return;
    // A probe result completed this transition: with nothing running, its VIP sync starts here,
    // inside the event's delivery, so its first write does not wait for the rest of the checker's
    // task (the other results of the batch). Transitions that arrive meanwhile coalesce for the
    // next run. Operator actions and reload removals keep the microtask: the checker may be in
    // the middle of a change when it emits them.
    if (!this.#running && transition.code in probeCodeLayer) this.#kick();
    else this.#queueKick();
  }

  /**
   * A slow-start step or a new agent verdict (a weight change without a transition): a VIP sync
   * per frontend; while the gate holds one, its release covers it.
   */
  #onRampStep(frontends: readonly string[]): void {
    if (!this.#connected || this.#stopped) return;
    for (const frontend of frontends) this.#queue.addVip(frontend, { origin: 'request' });
    this.#queueKick();
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
    const live = !this.#stopped && this.#connected;
    let job: SyncJob | undefined;
    let more: VipJob[] = [];
    if (live && this.#fullSyncReading) {
      // While a full sync waits for its read, only event-driven VIP syncs may run.
      [job, ...more] = this.#queue.takeEventVips(this.#runnable);
    } else if (live) {
      job = this.#queue.take(this.#runnable);
    }
    if (job === undefined) {
      if (this.#settling === 0) this.#notifyIdle();
      return;
    }
    this.#running = true;
    let released = false;
    // The next run may start once this one has sent its last writes (event runs, see #runVips)
    // or once it has finished (everything else). A full sync waiting to plan goes first.
    const release = (): void => {
      if (released) return;
      released = true;
      this.#passSlot();
    };
    let run: Promise<void>;
    if (job.scope === 'all') run = this.#runAll(job);
    else if (this.#engine.syncVips === undefined || !onlyEvents(job.origins)) run = this.#runVip(job);
    else run = this.#runVips([job, ...more, ...this.#queue.takeEventVips(this.#runnable)], release);
    this.#settling++;
    void run.finally(() => {
      this.#settling--;
      if (released) this.#queueKick(); // nothing may be left to run: lets idle() waiters know
      else release();
    });
  }

  /** Frees the single-flight slot: to a full sync waiting to plan, else to the next job. */
  #passSlot(): void {
    const waiter = this.#slotWaiters.shift();
    if (waiter !== undefined) {
      waiter();
      return;
    }
    this.#running = false;
    this.#queueKick();
  }

  async #runAll(job: AllJob): Promise<void> {
    // While its read is on its way the slot is lent to event-driven VIP syncs (their writes are
    // answered after the read, and the engine keeps them in its belief); the full sync takes
    // the slot back before it plans. Between its write batches it lends the slot again, at once,
    // to the event-driven VIP syncs already waiting: a transition waits for one batch, not for
    // the whole fleet's.
    const closing = (): Promise<void> => {
      this.#fullSyncReading = false;
      if (!this.#running) {
        this.#running = true;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    };
    const window = {
      opened: (): void => {
        this.#fullSyncReading = true;
        this.#running = false;
        this.#queueKick();
      },
      closing,
      lend: (): Promise<void> => {
        this.#fullSyncReading = true;
        this.#running = false;
        this.#kick(); // starts the waiting event runs now: their first writes leave before this returns
        return closing();
      },
    };
    try {
      await this.#engine.syncAll(this.#config(), this.#inputs, job.hints, (frontend) => this.#written(job.events.get(frontend)), window);
      // A good full sync repairs whatever an earlier failure left behind.
      this.#failures = 0;
      if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      for (const w of job.waiters) w.resolve();
    } catch (err) {
      for (const w of job.waiters) w.reject(err);
      this.#logFailure(job, err);
      this.#scheduleRetry();
    }
  }

  async #runVip(job: VipJob): Promise<void> {
    try {
      await this.#engine.syncVip(this.#config(), this.#inputs, job.frontend, job.hints, () => this.#written(job.events));
      for (const w of job.waiters) w.resolve();
    } catch (err) {
      this.#vipFailed(job, err);
      if (!isDaemonError(err, 'NOT_FOUND')) this.#scheduleRetry();
    }
  }

  /**
   * Event-driven VIP syncs in one run (engines with syncVips). `issued` frees the single-flight
   * slot as soon as the engine has sent every last write; the replies settle each job's waiters,
   * errors and retry later.
   */
  async #runVips(jobs: readonly VipJob[], issued: () => void): Promise<void> {
    const events = new Map(jobs.map((j) => [j.frontend, j.events]));
    let failures: ReadonlyMap<string, unknown>;
    try {
      const requests = jobs.map((j) => ({ frontend: j.frontend, flushHints: j.hints }));
      ({ failures } = await this.#engine.syncVips!(this.#config(), this.#inputs, requests, (frontend) => this.#written(events.get(frontend)), issued));
    } catch (err) {
      failures = new Map(jobs.map((j) => [j.frontend, err]));
    }
    let retry = false;
    for (const job of jobs) {
      if (!failures.has(job.frontend)) {
        for (const w of job.waiters) w.resolve();
        continue;
      }
      const err = failures.get(job.frontend);
      this.#vipFailed(job, err);
      retry ||= !isDaemonError(err, 'NOT_FOUND');
    }
    if (retry) this.#scheduleRetry();
  }

  /** Observes detection → write latency for the transitions behind a frontend's run, once each. */
  #written(events: readonly BackendTransitionEvent[] | undefined): void {
    if (this.#onTransitionWritten === undefined || events === undefined) return;
    const now = this.#monotonicNow();
    for (const ev of events) {
      if (this.#observed.has(ev)) continue;
      this.#observed.add(ev);
      const at = ev.monoAt ?? this.#receivedAt.get(ev);
      if (at !== undefined) this.#onTransitionWritten(Math.max(0, now - at) / 1000);
    }
  }

  #vipFailed(job: VipJob, err: unknown): void {
    for (const w of job.waiters) w.reject(err);
    // A frontend gone from the config: the full sync that follows a reload handles its VIP.
    if (!isDaemonError(err, 'NOT_FOUND')) this.#logFailure(job, err);
  }

  #logFailure(job: AllJob | VipJob, err: unknown): void {
    const msg = errorMessage(err);
    if (job.scope === 'all') {
      this.#log.warn('vpp-lb-sync-error', { scope: 'all', err: msg });
    } else if (job.event !== undefined) {
      const { backend, transition } = job.event;
      this.#log.warn('vpp-reconciler-error', { frontend: job.frontend, backend, from: transition.from, to: transition.to, err: msg });
    } else if (job.origins.has('request')) {
      this.#log.warn('vpp-lb-sync-error', { scope: 'vip', frontend: job.frontend, err: msg });
    } // else a release-only run: the warmup logs vpp-lb-warmup-release-error
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || !this.#connected || this.#stopped) return;
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
