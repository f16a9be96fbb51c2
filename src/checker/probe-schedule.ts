// When each backend's next probe is due: one min-heap of due times over small integer slots,
// served by a single Clock timer armed for the earliest one, instead of a timer per backend.
// Ties fire in the order they were set. With a quantum, the timer fires at most once per
// quantum, on clock times that are multiples of it, and takes everything due by then, so
// thousands of probes a second leave in a few batches (each probe then waits up to one
// quantum: its lateness, which onDue reports); and while `busy()` (probes in flight), it fires
// every quantum even when nothing is due, so onTick (which collects results) runs at that pace:
// one wakeup per quantum does it all, at times a probe worker can predict.

import type { Clock, TimerHandle } from '../shared/clock.js';

export interface ProbeScheduleOptions {
  readonly clock: Clock;
  /** A slot came due, `lateMs` after its time; it is no longer scheduled then. */
  readonly onDue: (slot: number, lateMs: number) => void;
  /** 0 (default): every slot fires at its exact time. */
  readonly quantumMs?: number;
  /** Runs first at every firing. */
  readonly onTick?: () => void;
  /** With a quantum: keep firing every quantum while this says so. */
  readonly busy?: () => boolean;
}

export class ProbeSchedule {
  readonly #clock: Clock;
  readonly #onDue: (slot: number, lateMs: number) => void;
  readonly #quantumMs: number;
  readonly #onTick: (() => void) | undefined;
  readonly #busy: (() => boolean) | undefined;
  /** The heap of slots, ordered by (due, seq). */
  #heap = new Int32Array(256);
  #size = 0;
  /** Per slot: its index in the heap (-1: not scheduled), due time and tie-breaking sequence. */
  #pos = new Int32Array(256).fill(-1);
  #due = new Float64Array(256);
  #seq = new Float64Array(256);
  #nextSeq = 0;
  #timer: TimerHandle | undefined;
  #armedFor = Number.POSITIVE_INFINITY;
  #lastFire = Number.NEGATIVE_INFINITY;
  #firing = false;

  constructor(opts: ProbeScheduleOptions) {
    this.#clock = opts.clock;
    this.#onDue = opts.onDue;
    this.#quantumMs = opts.quantumMs ?? 0;
    this.#onTick = opts.onTick;
    this.#busy = this.#quantumMs > 0 ? opts.busy : undefined;
  }

  /** Slots scheduled. */
  get size(): number {
    return this.#size;
  }

  has(slot: number): boolean {
    return slot < this.#pos.length && (this.#pos[slot] ?? -1) >= 0;
  }

  /** Schedules (or moves) a slot to come due at clock time `at`. */
  set(slot: number, at: number): void {
    this.#ensure(slot);
    this.#due[slot] = at;
    this.#seq[slot] = this.#nextSeq++;
    const i = this.#pos[slot] ?? -1;
    if (i < 0) {
      this.#place(this.#size++, slot);
      this.#up(this.#size - 1);
    } else {
      this.#up(i);
      this.#down(this.#pos[slot] ?? i);
    }
    this.#arm();
  }

  /** Unschedules a slot (no-op when it is not scheduled). */
  clear(slot: number): void {
    const i = slot < this.#pos.length ? (this.#pos[slot] ?? -1) : -1;
    if (i < 0) return;
    this.#pos[slot] = -1;
    const last = this.#heap[--this.#size] ?? 0;
    if (i < this.#size) {
      this.#place(i, last);
      this.#up(i);
      this.#down(this.#pos[last] ?? i);
    }
    if (this.#size === 0) {
      this.#disarm();
      this.#arm();
    }
  }

  #before(a: number, b: number): boolean {
    const da = this.#due[a] ?? 0;
    const db = this.#due[b] ?? 0;
    return da < db || (da === db && (this.#seq[a] ?? 0) < (this.#seq[b] ?? 0));
  }

  #place(i: number, slot: number): void {
    this.#heap[i] = slot;
    this.#pos[slot] = i;
  }

  #up(i: number): void {
    const slot = this.#heap[i] ?? 0;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.#heap[parent] ?? 0;
      if (!this.#before(slot, p)) break;
      this.#place(i, p);
      i = parent;
    }
    this.#place(i, slot);
  }

  #down(i: number): void {
    const slot = this.#heap[i] ?? 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.#size) break;
      if (c + 1 < this.#size && this.#before(this.#heap[c + 1] ?? 0, this.#heap[c] ?? 0)) c++;
      const child = this.#heap[c] ?? 0;
      if (!this.#before(child, slot)) break;
      this.#place(i, child);
      i = c;
    }
    this.#place(i, slot);
  }

  #ensure(slot: number): void {
    if (slot < this.#pos.length) return;
    let n = this.#pos.length * 2;
    while (n <= slot) n *= 2;
    const pos = new Int32Array(n).fill(-1);
    pos.set(this.#pos);
    this.#pos = pos;
    const heap = new Int32Array(n);
    heap.set(this.#heap);
    this.#heap = heap;
    const due = new Float64Array(n);
    due.set(this.#due);
    this.#due = due;
    const seq = new Float64Array(n);
    seq.set(this.#seq);
    this.#seq = seq;
  }

  /**
   * Arms the timer for the earliest due time; with a quantum, on the first multiple of it at or
   * after that time and at least a quantum after the last firing (the next multiple while busy).
   */
  #arm(): void {
    if (this.#firing) return;
    const busy = this.#busy?.() === true;
    if (this.#size === 0 && !busy) return;
    const q = this.#quantumMs;
    const next = this.#lastFire + q;
    const want = busy || this.#size === 0 ? next : Math.max(this.#due[this.#heap[0] ?? 0] ?? 0, next);
    const at = q > 0 ? Math.ceil(want / q) * q : want;
    if (this.#timer !== undefined && this.#armedFor <= at) return;
    this.#disarm();
    this.#armedFor = at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), at - this.#clock.now());
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    this.#lastFire = now;
    this.#firing = true;
    try {
      this.#onTick?.();
      while (this.#size > 0) {
        const slot = this.#heap[0] ?? 0;
        const due = this.#due[slot] ?? 0;
        if (due > now) break;
        this.clear(slot);
        this.#onDue(slot, now - due);
      }
    } finally {
      this.#firing = false;
      this.#arm();
    }
  }
}
