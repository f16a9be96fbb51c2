// The daemon side of WatchEvents: one EventSubscribers hub (bounded queue per stream) fed with
// checker events and log records, which is also the logger's LogTap, so debug records are only
// built while some stream asked for them. It logs nothing itself: a
// stream cut off for being too slow is reported to onDrop, which maglevd turns into `event-drop`
// through the very logger that taps this hub, so the record also reaches the other streams.
// A ControlPlane implementation answers watchEvents() with hub.subscribe().

import type { CheckerEvent } from '../checker/events.js';
import type { ControlPlaneEvent, WatchSubscription } from './control-plane.js';
import { EventSubscribers, type Subscription } from './event-subscribers.js';
import { levelRank, type LogLevel, type LogRecord, type LogTap } from '../shared/log.js';

export interface WatchHubOptions {
  /** Per-stream queue; default 4096. */
  readonly queueLimit?: number;
  /** A stream was cut off as too slow with `queued` events pending; called inside publish(). */
  readonly onDrop?: (peer: string, queued: number) => void;
}

export class WatchEventHub implements LogTap {
  readonly #subs: EventSubscribers<ControlPlaneEvent>;
  /** Open subscriptions that want log records, by level. */
  readonly #levels = new Map<object, LogLevel>();

  constructor(opts: WatchHubOptions = {}) {
    this.#subs = new EventSubscribers<ControlPlaneEvent>({ queueLimit: opts.queueLimit, onCutOff: opts.onDrop });
  }

  /** A checker event (one per transition). */
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
