// The anomalies behind maglevt's error panel and the JSON reports' `anomalies` list: a bounded,
// ordered log. Each entry gets a sequence number so a reader can ask for what is new since its
// last look without the log tracking its readers.

import type { AnomalyKind } from './vip-stats.js';

export interface Anomaly {
  readonly seq: number;
  readonly atMs: number;
  /** The frontend name. */
  readonly vip: string;
  readonly kind: AnomalyKind;
  readonly detail: string;
}

export class AnomalyLog {
  readonly #entries: Anomaly[] = [];
  #next = 1;
  readonly capacity: number;

  constructor(capacity = 1000) {
    this.capacity = capacity;
  }

  add(atMs: number, vip: string, kind: AnomalyKind, detail: string): Anomaly {
    const a: Anomaly = { seq: this.#next++, atMs, vip, kind, detail };
    this.#entries.push(a);
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
    return a;
  }

  /** Anomalies ever added. */
  get total(): number {
    return this.#next - 1;
  }

  /** The newest `n`, oldest first. */
  recent(n: number): readonly Anomaly[] {
    return n <= 0 ? [] : this.#entries.slice(-n);
  }

  /** Retained entries with seq > `seq`, oldest first. */
  since(seq: number): readonly Anomaly[] {
    const i = this.#entries.findIndex((a) => a.seq > seq);
    return i < 0 ? [] : this.#entries.slice(i);
  }
}
