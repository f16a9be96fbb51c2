// The prober's own trouble, as the checker sees it: every discarded probe result (a local
// shortage such as EMFILE, a lost shard, a stall) is counted by reason. A WARN line per reason
// at most every `warnIntervalMs` (with the count since the previous line) keeps a flood of
// discards from flooding the log, and the counts of the last `windowMs` feed /healthz, which
// reports the prober as degraded while they are non-zero.

import type { Clock } from '../shared/clock.js';
import type { DiscardReason } from '../shared/discard-reason.js';
import type { Logger } from '../shared/log.js';

/** At most one `probe-discarded-local` line per reason this often. */
export const discardWarnIntervalMs = 10_000;
/** /healthz reports the prober degraded while a discard happened within this window. */
export const discardWindowMs = 60_000;

/** The window is kept as this many buckets, so old discards age out in steps of window/buckets. */
const buckets = 6;

interface ReasonTally {
  /** Discards per bucket, indexed by bucket number modulo `buckets`. */
  readonly counts: number[];
  /** The bucket number each slot of `counts` belongs to. */
  readonly slots: number[];
  lastWarnAt: number;
  sinceWarn: number;
}

export interface DiscardSample {
  readonly backend: string;
  readonly code: string;
  readonly detail: string;
}

export class ProberDiscards {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #tallies = new Map<DiscardReason, ReasonTally>();

  constructor(clock: Clock, logger: Logger) {
    this.#clock = clock;
    this.#log = logger;
  }

  /** One discarded result. */
  note(reason: DiscardReason, sample: DiscardSample): void {
    const now = this.#clock.now();
    let t = this.#tallies.get(reason);
    if (t === undefined) {
      t = { counts: new Array<number>(buckets).fill(0), slots: new Array<number>(buckets).fill(-1), lastWarnAt: -Infinity, sinceWarn: 0 };
      this.#tallies.set(reason, t);
    }
    const bucket = Math.floor(now / (discardWindowMs / buckets));
    const i = bucket % buckets;
    if (t.slots[i] !== bucket) {
      t.slots[i] = bucket;
      t.counts[i] = 0;
    }
    t.counts[i] = (t.counts[i] ?? 0) + 1;
    t.sinceWarn += 1;
    if (now - t.lastWarnAt < discardWarnIntervalMs) return;
    this.#log.warn('probe-discarded-local', { reason, discarded: t.sinceWarn, backend: sample.backend, code: sample.code, detail: sample.detail });
    t.lastWarnAt = now;
    t.sinceWarn = 0;
  }

  /** Discards per reason within the last window (reasons with none are left out). */
  recent(): Partial<Record<DiscardReason, number>> {
    const oldest = Math.floor(this.#clock.now() / (discardWindowMs / buckets)) - buckets + 1;
    const out: Partial<Record<DiscardReason, number>> = {};
    for (const [reason, t] of this.#tallies) {
      const n = t.counts.reduce((sum, c, i) => ((t.slots[i] ?? -1) >= oldest ? sum + c : sum), 0);
      if (n > 0) out[reason] = n;
    }
    return out;
  }
}
