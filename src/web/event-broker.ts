// The in-process broker between the maglevd scopes and the browsers' SSE streams (§10.1): every
// published event gets the next `<epoch>-<seq>` id and stays in a replay ring for 30 s or 2000
// events, whichever is shorter. A reconnecting browser names its last id: inside the ring it gets
// the events it missed; after a longer gap, or with an id of another epoch, it gets `resync`.

import type { Clock } from '../shared/clock.js';
import { formatEventId, parseEventId } from './event-id.js';

/** Every event type on the SSE streams; `log` goes to /admin only. */
export const sseEventTypes = ['backend', 'frontend', 'probe', 'vpp-api', 'vpp', 'lbstate', 'maglevd', 'update', 'resync', 'log', 'consistency'] as const;
export type SseEventType = (typeof sseEventTypes)[number];

export interface BrokerEvent {
  readonly seq: number;
  /** `<epoch>-<seq>`. */
  readonly id: string;
  /** Unix ms when published (ring expiry). */
  readonly at: number;
  readonly type: SseEventType;
  /** The JSON payload, serialised once for every subscriber. */
  readonly data: string;
}

export type ReplayPlan =
  /** No Last-Event-ID: a new page that loads the state itself. */
  | { readonly kind: 'fresh' }
  /** Everything after the given id is still in the ring (possibly nothing). */
  | { readonly kind: 'replay'; readonly events: readonly BrokerEvent[] }
  /** Events were lost (or the id is unknown): the page must refetch the state. */
  | { readonly kind: 'resync' };

/**
 * Decides what a (re)connecting stream gets. Pure. `ring` is oldest first and already pruned;
 * `lastSeq` is the seq of the newest event ever published (0 if none).
 */
export function planReplay(ring: readonly BrokerEvent[], epoch: number, lastSeq: number, lastEventId: string | undefined): ReplayPlan {
  if (lastEventId === undefined || lastEventId === '') return { kind: 'fresh' };
  const id = parseEventId(lastEventId);
  if (id === undefined || id.epoch !== epoch || id.seq > lastSeq) return { kind: 'resync' };
  if (id.seq === lastSeq) return { kind: 'replay', events: [] };
  const oldest = ring[0];
  // The events id.seq+1 .. lastSeq must all still be held.
  if (oldest === undefined || oldest.seq > id.seq + 1) return { kind: 'resync' };
  return { kind: 'replay', events: ring.filter((e) => e.seq > id.seq) };
}

export interface BrokerSubscriber {
  /** Admin streams also get `log` events. */
  readonly admin: boolean;
  send(ev: BrokerEvent): void;
}

export interface BrokerOptions {
  readonly clock: Clock;
  /** Default: clock.now() at construction, in whole ms. */
  readonly epoch?: number;
  readonly maxAgeMs?: number;
  readonly maxEvents?: number;
}

/** Whether a stream of this kind receives this event type. */
export function wantsEvent(admin: boolean, type: SseEventType): boolean {
  return admin || type !== 'log';
}

export class EventBroker {
  readonly epoch: number;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #maxEvents: number;
  readonly #ring: BrokerEvent[] = [];
  readonly #subscribers = new Set<BrokerSubscriber>();
  #seq = 0;

  constructor(opts: BrokerOptions) {
    this.#clock = opts.clock;
    this.epoch = opts.epoch ?? Math.trunc(opts.clock.now());
    this.#maxAgeMs = opts.maxAgeMs ?? 30_000;
    this.#maxEvents = opts.maxEvents ?? 2000;
  }

  /** The id of the newest event (`<epoch>-0` before the first). */
  get lastId(): string {
    return formatEventId({ epoch: this.epoch, seq: this.#seq });
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Events currently held, oldest first. */
  ring(): readonly BrokerEvent[] {
    this.#prune();
    return [...this.#ring];
  }

  publish(type: SseEventType, payload: unknown): BrokerEvent {
    const seq = ++this.#seq;
    const ev: BrokerEvent = { seq, id: formatEventId({ epoch: this.epoch, seq }), at: this.#clock.now(), type, data: JSON.stringify(payload) };
    this.#ring.push(ev);
    this.#prune();
    for (const s of this.#subscribers) if (wantsEvent(s.admin, type)) s.send(ev);
    return ev;
  }

  /**
   * Registers a stream and returns what it must be sent first: replayed events (already filtered
   * for the stream's kind), `resync`, or nothing. Registration and the plan happen in one tick,
   * so no event falls between them.
   */
  subscribe(sub: BrokerSubscriber, lastEventId: string | undefined): { readonly plan: ReplayPlan; unsubscribe(): void } {
    this.#prune();
    const plan = planReplay(this.#ring, this.epoch, this.#seq, lastEventId);
    this.#subscribers.add(sub);
    const filtered: ReplayPlan = plan.kind === 'replay' ? { kind: 'replay', events: plan.events.filter((e) => wantsEvent(sub.admin, e.type)) } : plan;
    return { plan: filtered, unsubscribe: () => this.#subscribers.delete(sub) };
  }

  #prune(): void {
    const oldest = this.#clock.now() - this.#maxAgeMs;
    let drop = Math.max(0, this.#ring.length - this.#maxEvents);
    while (drop < this.#ring.length && this.#ring[drop]!.at < oldest) drop++;
    if (drop > 0) this.#ring.splice(0, drop);
  }
}
