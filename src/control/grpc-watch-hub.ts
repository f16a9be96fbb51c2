// The daemon side of WatchEvents: one EventSubscribers hub (bounded queue per stream, `event-drop`
// on overflow) fed with checker events and log records, which is also the logger's LogTap, so
// debug records are only built while some stream asked for them (behaviour.md §6.3, §9).
// A ControlPlane implementation answers watchEvents() with hub.subscribe().

import type { CheckerEvent } from '../checker/events.js';
import type { ControlPlaneEvent, WatchSubscription } from './control-plane.js';
import { EventSubscribers, type Subscription } from './event-subscribers.js';
import { levelRank, type LogLevel, type LogRecord, type LogTap, type Logger } from '../shared/log.js';

export interface WatchHubOptions {
  /** Per-stream queue; default 4096. */
  readonly queueLimit?: number;
}

export class WatchEventHub implements LogTap {
  readonly #subs: EventSubscribers<ControlPlaneEvent>;
  /** Open subscriptions that want log records, by level. */
  readonly #levels = new Map<object, LogLevel>();
  #logger: Logger | undefined;

  constructor(opts: WatchHubOptions = {}) {
    // `event-drop` goes through the logger, whose tap may be this hub: late-bound (setLogger).
    const log = (level: LogLevel) => (msg: string, attrs?: Parameters<Logger['warn']>[1]) => this.#logger?.[level](msg, attrs);
    const proxy: Logger = {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      enabled: (l) => this.#logger?.enabled(l) ?? false,
      child: () => proxy,
    };
    this.#subs = new EventSubscribers<ControlPlaneEvent>({
      logger: proxy,
      ...(opts.queueLimit === undefined ? {} : { queueLimit: opts.queueLimit }),
    });
  }

  /** The logger `event-drop` is written to (usually the one whose tap is this hub). */
  setLogger(logger: Logger): void {
    this.#logger = logger;
  }

  /** A checker event (every per-frontend copy; streams keep the first copy of each seq). */
  publish(ev: CheckerEvent): void {
    this.#subs.publish(ev);
  }

  /** LogTap: the lowest level any open stream asked for. */
  wantedLevel(): LogLevel | undefined {
    let best: LogLevel | undefined;
    for (const l of this.#levels.values()) if (best === undefined || levelRank(l) < levelRank(best)) best = l;
    return best;
  }

  /** LogTap: offers one record to the streams. */
  write(record: LogRecord): void {
    this.#subs.publish({ kind: 'log', record });
  }

  subscribe(opts: WatchSubscription): Subscription<ControlPlaneEvent> {
    const key = {};
    const sub = this.#subs.subscribe({
      peer: opts.peer,
      accept: opts.accept,
      onClosed: (reason) => {
        this.#levels.delete(key);
        opts.onClosed?.(reason);
      },
    });
    if (opts.logLevel !== undefined) this.#levels.set(key, opts.logLevel);
    return sub;
  }

  /** Open streams. */
  get size(): number {
    return this.#subs.size;
  }

  /** Ends every subscription (their streams end with UNAVAILABLE). */
  closeAll(): void {
    this.#subs.closeAll('shutdown');
  }
}
