// Fan-out of events to external subscribers (WatchEvents streams) with a
// bounded queue each. The producer never blocks and never runs consumer code: publish() only
// queues. A subscriber whose queue is full is cut off ('too-slow'), counted, and reported to
// onCutOff (maglevd logs `event-drop`); the stream then ends with RESOURCE_EXHAUSTED and the
// client resubscribes.
//
//   producer ──publish()──▶ EventSubscribers ──queue──▶ Subscription ──next()/for await──▶ stream
//
// A consumer pulls at its own pace, e.g. `for await (const ev of sub) { if (!call.write(m))
// await once(call, 'drain') }`: while it waits for 'drain' its queue grows, up to the limit.

export const defaultQueueLimit = 4096;

/** 'too-slow': queue overflow; 'closed': the consumer closed it; 'shutdown': closeAll(). */
export type CloseReason = 'too-slow' | 'closed' | 'shutdown';

export interface SubscribeOptions<E> {
  /** Names the subscriber when it is cut off (e.g. the gRPC peer address). */
  readonly peer: string;
  /** Queued before any live event: the initial snapshot. Counts against the limit. */
  readonly initial?: readonly E[];
  /** Only accepted events are queued (e.g. the subscriber's kinds and log level). */
  readonly accept?: (ev: E) => boolean;
  /** Called once, asynchronously, when the subscription ends for any reason. */
  readonly onClosed?: (reason: CloseReason) => void;
}

/** One subscriber's queue. Pull with next() or `for await`; leaving the loop closes it. */
export interface Subscription<E> extends AsyncIterable<E> {
  readonly peer: string;
  /** Events waiting to be pulled. */
  readonly queued: number;
  /** Why it ended; undefined while open. */
  readonly closedReason: CloseReason | undefined;
  /** The next event; `done` once the subscription is closed (pending events are dropped). */
  next(): Promise<IteratorResult<E, undefined>>;
  /** The consumer is done (client cancelled). Idempotent. */
  close(): void;
}

type Waiter<E> = (r: IteratorResult<E, undefined>) => void;

/** The implementation; offer() and end() are for EventSubscribers only. */
class SubscriberQueue<E> implements Subscription<E> {
  readonly peer: string;
  readonly #accept: ((ev: E) => boolean) | undefined;
  readonly #onClosed: ((reason: CloseReason) => void) | undefined;
  readonly #detach: (s: SubscriberQueue<E>) => void;
  #queue: E[];
  #waiters: Array<Waiter<E>> = [];
  #closed: CloseReason | undefined;

  constructor(opts: SubscribeOptions<E>, detach: (s: SubscriberQueue<E>) => void) {
    this.peer = opts.peer;
    this.#accept = opts.accept;
    this.#onClosed = opts.onClosed;
    this.#detach = detach;
    this.#queue = [...(opts.initial ?? [])];
  }

  get queued(): number {
    return this.#queue.length;
  }

  get closedReason(): CloseReason | undefined {
    return this.#closed;
  }

  next(): Promise<IteratorResult<E, undefined>> {
    if (this.#closed !== undefined) return Promise.resolve({ done: true, value: undefined });
    if (this.#queue.length > 0) return Promise.resolve({ done: false, value: this.#queue.shift() as E });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): void {
    this.end('closed');
  }

  [Symbol.asyncIterator](): AsyncIterator<E, undefined> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  /** Queues one event; false when the queue is full (the caller cuts it off). */
  offer(ev: E, limit: number): boolean {
    if (this.#closed !== undefined) return true;
    if (this.#accept !== undefined && !this.#accept(ev)) return true;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter({ done: false, value: ev });
      return true;
    }
    if (this.#queue.length >= limit) return false;
    this.#queue.push(ev);
    return true;
  }

  /** Ends it once: drops the queue, releases waiters, detaches, then calls onClosed. */
  end(reason: CloseReason): void {
    if (this.#closed !== undefined) return;
    this.#closed = reason;
    this.#queue = [];
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w({ done: true, value: undefined });
    this.#detach(this);
    const cb = this.#onClosed;
    if (cb !== undefined) queueMicrotask(() => cb(reason));
  }
}

export interface EventSubscribersOptions {
  readonly queueLimit?: number;
  /** Called synchronously, inside publish(), for each subscriber cut off as too slow. */
  readonly onCutOff?: (peer: string, queued: number) => void;
}

export class EventSubscribers<E> {
  readonly #onCutOff: ((peer: string, queued: number) => void) | undefined;
  readonly #limit: number;
  readonly #subs = new Set<SubscriberQueue<E>>();
  readonly #pending: E[] = [];
  #publishing = false;
  #cutOff = 0;

  constructor(opts: EventSubscribersOptions = {}) {
    this.#onCutOff = opts.onCutOff;
    this.#limit = opts.queueLimit ?? defaultQueueLimit;
  }

  /** Adds a subscriber; it receives `initial` first, then every later accepted event. */
  subscribe(opts: SubscribeOptions<E>): Subscription<E> {
    const sub = new SubscriberQueue<E>(opts, (s) => this.#subs.delete(s));
    this.#subs.add(sub);
    return sub;
  }

  /**
   * Offers one event to every subscriber. Never blocks. Re-entrant calls (a cut-off reported as a
   * log record that comes back through the log tap) are queued, so every subscriber sees one order.
   */
  publish(ev: E): void {
    this.#pending.push(ev);
    if (this.#publishing) return;
    this.#publishing = true;
    try {
      for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) {
        for (const sub of [...this.#subs]) {
          if (sub.offer(next, this.#limit)) continue;
          const queued = sub.queued;
          this.#cutOff++;
          sub.end('too-slow');
          this.#onCutOff?.(sub.peer, queued);
        }
      }
    } finally {
      this.#publishing = false;
    }
  }

  /** Ends every subscription (shutdown). */
  closeAll(reason: CloseReason = 'shutdown'): void {
    for (const sub of [...this.#subs]) sub.end(reason);
  }

  get size(): number {
    return this.#subs.size;
  }

  /** Subscribers cut off for being too slow, since construction. */
  get cutOffCount(): number {
    return this.#cutOff;
  }
}
