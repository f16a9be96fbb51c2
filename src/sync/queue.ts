// The reconciler's pending sync requests (single flight): a pending `all` flag
// plus frontend → flush-hint addresses, each with the promises waiting for the run that covers
// them. Requests for one frontend merge; a full sync takes every VIP request with it but those of
// checker events alone. No timers, no I/O: the reconciler decides when to take the next job.

import { canonicalIp } from '../shared/ip-address.js';
import type { BackendTransitionEvent } from '../checker/events.js';

export interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** Why a VIP sync was asked for; decides how its failure is logged. */
export type VipOrigin = 'event' | 'release' | 'request';

export interface AllJob {
  readonly scope: 'all';
  readonly waiters: readonly Waiter[];
  /** Flush hints of the VIP requests this run covers. */
  readonly hints: ReadonlyMap<string, ReadonlySet<string>>;
  /** Checker events behind the VIP requests it covers, by frontend, oldest first. */
  readonly events: ReadonlyMap<string, readonly BackendTransitionEvent[]>;
}

export interface VipJob {
  readonly scope: 'vip';
  readonly frontend: string;
  readonly hints: ReadonlySet<string>;
  readonly waiters: readonly Waiter[];
  readonly origins: ReadonlySet<VipOrigin>;
  /** The latest checker event behind the request, if any. */
  readonly event: BackendTransitionEvent | undefined;
  /** Every checker event behind the request, oldest first. */
  readonly events: readonly BackendTransitionEvent[];
}

export type SyncJob = AllJob | VipJob;

/** Which jobs may run now (the gate's answer). */
export interface Runnable {
  readonly all: boolean;
  vip(frontend: string): boolean;
}

interface PendingVip {
  readonly hints: Set<string>;
  readonly waiters: Waiter[];
  readonly origins: Set<VipOrigin>;
  event: BackendTransitionEvent | undefined;
  readonly events: BackendTransitionEvent[];
}

/** True for a request only checker events asked for (no waiter, no hint, no release). */
export function onlyEvents(origins: ReadonlySet<VipOrigin>): boolean {
  return origins.size === 1 && origins.has('event');
}

function canonicalHints(addresses: Iterable<string>): string[] {
  const out: string[] = [];
  for (const a of addresses) {
    try {
      out.push(canonicalIp(a));
    } catch {
      // Not an address: it matches no AS, so it cannot force a flush.
    }
  }
  return out;
}

export class SyncQueue {
  #all: Waiter[] | undefined;
  readonly #vips = new Map<string, PendingVip>();

  addAll(waiter?: Waiter): void {
    this.#all ??= [];
    if (waiter !== undefined) this.#all.push(waiter);
  }

  addVip(frontend: string, opts: { hints?: Iterable<string>; origin: VipOrigin; event?: BackendTransitionEvent; waiter?: Waiter }): void {
    let p = this.#vips.get(frontend);
    if (p === undefined) this.#vips.set(frontend, (p = { hints: new Set(), waiters: [], origins: new Set(), event: undefined, events: [] }));
    for (const a of canonicalHints(opts.hints ?? [])) p.hints.add(a);
    p.origins.add(opts.origin);
    if (opts.event !== undefined) {
      p.event = opts.event;
      p.events.push(opts.event);
    }
    if (opts.waiter !== undefined) p.waiters.push(opts.waiter);
  }

  /** True when some queued job may run now. */
  hasRunnable(can: Runnable): boolean {
    return this.#next(can) !== undefined;
  }

  /**
   * Removes and returns the next runnable job: the full sync first, else the oldest allowed VIP.
   * A full sync takes every VIP request with it except those only checker events asked for: those
   * stay queued, so they run while the full sync lends its slot (during its read and between its
   * write batches) instead of waiting for its read.
   */
  take(can: Runnable): SyncJob | undefined {
    const next = this.#next(can);
    if (next === undefined) return undefined;
    if (next === true) {
      const waiters = this.#all ?? [];
      const hints = new Map<string, Set<string>>();
      const events = new Map<string, BackendTransitionEvent[]>();
      for (const [frontend, p] of this.#vips) {
        if (onlyEvents(p.origins)) continue;
        waiters.push(...p.waiters);
        if (p.hints.size > 0) hints.set(frontend, p.hints);
        if (p.events.length > 0) events.set(frontend, p.events);
        this.#vips.delete(frontend);
      }
      this.#all = undefined;
      return { scope: 'all', waiters, hints, events };
    }
    return this.#takeVip(next);
  }

  /**
   * Removes and returns every VIP request that may run now and that only checker events asked
   * for, oldest first (never the full sync): a burst of transitions can go out in one run.
   */
  takeEventVips(can: Runnable): VipJob[] {
    const out: VipJob[] = [];
    for (const [frontend, p] of [...this.#vips]) if (onlyEvents(p.origins) && can.vip(frontend)) out.push(this.#takeVip(frontend));
    return out;
  }

  #takeVip(frontend: string): VipJob {
    const p = this.#vips.get(frontend)!;
    this.#vips.delete(frontend);
    return { scope: 'vip', frontend, ...p };
  }

  /** Empties the queue; returns every waiter so the caller can reject them. */
  clear(): Waiter[] {
    const waiters = [...(this.#all ?? [])];
    for (const p of this.#vips.values()) waiters.push(...p.waiters);
    this.#all = undefined;
    this.#vips.clear();
    return waiters;
  }

  #next(can: Runnable): true | string | undefined {
    if (this.#all !== undefined && can.all) return true;
    for (const frontend of this.#vips.keys()) if (can.vip(frontend)) return frontend;
    return undefined;
  }
}
