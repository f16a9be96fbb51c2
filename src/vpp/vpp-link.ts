// The VPP connection lifecycle: connect (sockclnt_create + compatibility
// check, show_version, control_ping for the pid, optional stats segment through an injected
// factory), keep alive with a control_ping every 10 s (5 s timeout), and on any failure drop the
// API and stats halves together, log vpp-disconnect and reconnect every 5 s. Consumers (sync,
// warmup, scraper, metrics) hook in through onConnected/onDisconnected. Time is an injected Clock.

import { createRealClock, type Clock, type TimerHandle } from '../shared/clock.js';
import { errorMessage, isDaemonError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { ApiConnection, VppIncompatibleError, type ApiMetricsHook } from './api-connection.js';
import { LbClient } from './lb-client.js';

/** The stats half as the link sees it; the stats client provides the real thing. */
export interface StatsSession {
  close(): void | Promise<void>;
}

/** What connectStats() yields: the session and /sys/boottime (unix seconds, 0 if absent). */
export interface StatsConnection<S extends StatsSession> {
  readonly session: S;
  readonly bootTimeS: number;
}

export interface VppInfo {
  readonly version: string;
  readonly buildDate: string;
  readonly buildDirectory: string;
  /** control_ping_reply.vpe_pid. */
  readonly pid: number;
  /** /sys/boottime in unix seconds; 0 without the stats segment. */
  readonly bootTimeS: number;
  /** When this connection was established (clock ms). */
  readonly connectTimeMs: number;
}

/** One established connection: both halves and what was learnt at connect. */
export interface VppLinkSession<S extends StatsSession> {
  readonly api: ApiConnection;
  readonly lb: LbClient;
  readonly stats: S | undefined;
  readonly info: VppInfo;
}

export interface VppLinkOptions<S extends StatsSession> {
  /** api.sock path; '' disables VPP integration entirely. */
  readonly apiAddr: string;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly metrics?: ApiMetricsHook;
  /** Obtains the stats segment; omitted when --vpp-stats-addr is empty. */
  readonly connectStats?: () => Promise<StatsConnection<S>>;
  readonly clientName?: string;
  readonly requestTimeoutMs?: number;
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveTimeoutMs?: number;
  readonly reconnectDelayMs?: number;
}

type LinkState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

export class VppLink<S extends StatsSession = StatsSession> {
  readonly #opts: VppLinkOptions<S>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #connected = new Set<(s: VppLinkSession<S>) => void>();
  readonly #disconnected = new Set<(reason: string) => void>();
  #state: LinkState = 'idle';
  #session: VppLinkSession<S> | undefined;
  #timer: TimerHandle | undefined;
  /** Failed attempts since the last success: the first is logged at WARN, the rest at DEBUG. */
  #failures = 0;
  #lastIncompatible = '';

  constructor(opts: VppLinkOptions<S>) {
    this.#opts = opts;
    this.#clock = opts.clock ?? createRealClock();
    this.#log = opts.logger;
  }

  get enabled(): boolean {
    return this.#opts.apiAddr !== '';
  }

  get connected(): boolean {
    return this.#session !== undefined;
  }

  /** The current connection, or undefined while disconnected. */
  get session(): VppLinkSession<S> | undefined {
    return this.#session;
  }

  /** Called after each successful connect (listeners must not throw). Returns an unsubscribe. */
  onConnected(fn: (s: VppLinkSession<S>) => void): () => void {
    this.#connected.add(fn);
    return () => this.#connected.delete(fn);
  }

  /** Called after each disconnect with its reason. Returns an unsubscribe. */
  onDisconnected(fn: (reason: string) => void): () => void {
    this.#disconnected.add(fn);
    return () => this.#disconnected.delete(fn);
  }

  /** Starts connecting (no-op when disabled or already started). */
  start(): void {
    if (!this.enabled || this.#state !== 'idle') return;
    void this.#attempt();
  }

  /** Drops both halves now and reconnects after the delay (e.g. the stats segment failed). */
  disconnect(reason: string): void {
    this.#drop(reason);
  }

  /** Closes the connection (sockclnt_delete) and stops reconnecting. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#clearTimer();
    const s = this.#session;
    if (s === undefined) return;
    this.#session = undefined;
    await s.api.close();
    await this.#closeStats(s.stats);
    this.#log.info('vpp-disconnect', { reason: 'shutdown' });
    for (const fn of [...this.#disconnected]) fn('shutdown');
  }

  async #attempt(): Promise<void> {
    this.#state = 'connecting';
    let api: ApiConnection | undefined;
    let stats: StatsConnection<S> | undefined;
    let session: VppLinkSession<S>;
    try {
      api = await ApiConnection.connect({
        path: this.#opts.apiAddr,
        clientName: this.#opts.clientName,
        clock: this.#clock,
        timeoutMs: this.#opts.requestTimeoutMs,
        logger: this.#log,
        metrics: this.#opts.metrics,
      });
      const lb = new LbClient(api);
      const version = await lb.showVersion();
      const pid = await lb.controlPing();
      stats = await this.#opts.connectStats?.();
      if (api.closed) throw new Error('connection closed during connect');
      const info: VppInfo = {
        version: version.version,
        buildDate: version.buildDate,
        buildDirectory: version.buildDirectory,
        pid,
        bootTimeS: stats?.bootTimeS ?? 0,
        connectTimeMs: this.#clock.now(),
      };
      session = { api, lb, stats: stats?.session, info };
    } catch (e) {
      api?.destroy('connect failed');
      await this.#closeStats(stats?.session);
      if (this.#stopped()) return;
      this.#logConnectFailure(e);
      this.#state = 'waiting';
      this.#schedule(() => void this.#attempt(), this.#opts.reconnectDelayMs ?? 5000);
      return;
    }
    if (this.#stopped()) {
      await api.close();
      await this.#closeStats(session.stats);
      return;
    }
    this.#failures = 0;
    this.#lastIncompatible = '';
    this.#session = session;
    this.#state = 'connected';
    api.onClose((reason) => {
      if (this.#session === session) this.#drop(reason);
    });
    const { info } = session;
    this.#log.info('vpp-connect', { version: info.version, pid: info.pid, boottime: info.bootTimeS > 0 ? new Date(info.bootTimeS * 1000).toISOString() : '' });
    this.#scheduleKeepalive(session);
    for (const fn of [...this.#connected]) fn(session);
  }

  /** A method, not an inline test: stop() may run while #attempt awaits. */
  #stopped(): boolean {
    return this.#state === 'stopped';
  }

  #logConnectFailure(e: unknown): void {
    this.#failures++;
    if (e instanceof VppIncompatibleError) {
      const missing = e.missing.join(', ');
      // ERROR when the refusal is new or changed; repeats of the same refusal go to DEBUG.
      if (missing !== this.#lastIncompatible) this.#log.error('vpp-incompatible', { missing });
      else this.#log.debug('vpp-incompatible', { missing });
      this.#lastIncompatible = missing;
      return;
    }
    const err = isDaemonError(e) ? e.message : errorMessage(e);
    if (this.#failures === 1) this.#log.warn('vpp-connect-error', { err });
    else this.#log.debug('vpp-connect-error', { err });
  }

  #scheduleKeepalive(session: VppLinkSession<S>): void {
    this.#schedule(() => {
      void session.lb
        .controlPing({ timeoutMs: this.#opts.keepaliveTimeoutMs ?? 5000 })
        .then(
          () => {
            if (this.#session === session) this.#scheduleKeepalive(session);
          },
          (e: unknown) => {
            if (this.#session === session) this.#drop(`keepalive: ${errorMessage(e)}`);
          },
        );
    }, this.#opts.keepaliveIntervalMs ?? 10_000);
  }

  #drop(reason: string): void {
    const s = this.#session;
    if (s === undefined || this.#state !== 'connected') return;
    this.#session = undefined;
    this.#state = 'waiting';
    this.#clearTimer();
    s.api.destroy(reason);
    void this.#closeStats(s.stats);
    this.#log.info('vpp-disconnect', { reason });
    for (const fn of [...this.#disconnected]) fn(reason);
    this.#schedule(() => void this.#attempt(), this.#opts.reconnectDelayMs ?? 5000);
  }

  async #closeStats(stats: S | undefined): Promise<void> {
    try {
      await stats?.close();
    } catch (e) {
      this.#log.debug('vpp-lb-stats-error', { err: `closing the stats segment: ${errorMessage(e)}` });
    }
  }

  #schedule(fn: () => void, ms: number): void {
    this.#clearTimer();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      fn();
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
