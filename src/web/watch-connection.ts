// The long-lived WatchEvents stream to one maglevd (§10.1): at log_level=debug with every event
// kind, reopened after it ends — 1 s after the first failure, doubling to 30 s — and the backoff
// reset once a stream delivers data. `onConnected` fires on the first message of each stream,
// so the owner can refetch whatever happened while it was down.

import { status as grpcStatus, type ClientReadableStream } from '@grpc/grpc-js';
import type { Event } from '../api/maglev-messages.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { MaglevdApi } from './maglevd-api.js';

/** The wait before reconnect number `attempt` (0-based): min, 2×min, 4×min, … capped at max. Pure. */
export function reconnectDelay(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
}

export interface WatchConnectionOptions {
  readonly api: Pick<MaglevdApi, 'watchEvents'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly onConnected: () => void;
  readonly onEvent: (ev: Event) => void;
  /** The maglevd refused the stream (RESOURCE_EXHAUSTED: its WatchEvents cap); with its message. */
  readonly onRefused?: (details: string) => void;
}

export class WatchConnection {
  readonly #o: WatchConnectionOptions;
  #stream: ClientReadableStream<Event> | undefined;
  #retry: TimerHandle | undefined;
  #attempt = 0;
  #stopped = false;

  constructor(opts: WatchConnectionOptions) {
    this.#o = opts;
  }

  start(): void {
    this.#open();
  }

  /** Ends the stream for good. */
  stop(): void {
    this.#stopped = true;
    if (this.#retry !== undefined) this.#o.clock.clearTimeout(this.#retry);
    this.#retry = undefined;
    const s = this.#stream;
    this.#stream = undefined;
    s?.cancel();
  }

  /** Cuts a pending backoff wait short (the maglevd answers again). */
  retryNow(): void {
    if (this.#retry === undefined || this.#stopped) return;
    this.#o.clock.clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#open();
  }

  #open(): void {
    if (this.#stopped) return;
    const stream = this.#o.api.watchEvents({ log: true, log_level: 'debug', backend: true, frontend: true });
    this.#stream = stream;
    let connected = false;
    stream.on('data', (ev: Event) => {
      if (!connected) {
        connected = true;
        this.#attempt = 0;
        this.#o.logger.debug('watch-connected');
        this.#o.onConnected();
      }
      this.#o.onEvent(ev);
    });
    stream.on('error', () => {}); // the status event below carries the outcome
    stream.on('status', (s: { code: grpcStatus; details: string }) => {
      if (this.#stream !== stream || this.#stopped) return;
      this.#stream = undefined;
      const delay = reconnectDelay(this.#attempt++, this.#o.reconnectMinMs, this.#o.reconnectMaxMs);
      if (s.code === grpcStatus.RESOURCE_EXHAUSTED && !connected) {
        // Not an outage: the maglevd serves, but has no stream left for us. Say so, loudly.
        this.#o.logger.warn('watch-refused', { code: s.code, err: s.details, retry_ms: delay });
        this.#o.onRefused?.(s.details);
      } else {
        this.#o.logger.debug('watch-ended', { code: s.code, err: s.details, retry_ms: delay });
      }
      this.#retry = this.#o.clock.setTimeout(() => {
        this.#retry = undefined;
        this.#open();
      }, delay);
    });
  }
}
