// The production ProbeExecutor: a Piscina pool of worker threads, each running one long-lived
// probe shard inside the health-check namespace. Each key's target is assigned to the
// least-loaded shard once and its ProbeSpec registered there (under the key as target id);
// probes then travel as id pairs and results come back as binary records, read into one reused
// record, so a probe costs this thread a few typed-array writes and reads. The native prober's
// results wait in each shard's shared result ring until poll(): the checker polls at every tick
// of its schedule, and a fallback timer polls when nobody else did for a while, so results
// wake this thread no more often than the schedule does. A shard whose task
// dies (crash, or killed because a probe stayed unanswered far past its deadline) is replaced
// and its in-flight probes re-issued, so no backend sticks; a probe whose shard dies twice is
// discarded (`shard-lost`): the prober's trouble says nothing about the backend.
//
//   checker ──start()──▶ ProbeDispatcher ──ShardLink──▶ worker 0 (netns) ─▶ probers
//                              │            └─ShardLink──▶ worker 1 (netns) ─▶ probers
//                              ◀──── result rings (polled), batches (JS probers) ──┘

import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { errorMessage } from '../shared/errors.js';
import type { DiscardReason } from '../shared/discard-reason.js';
import { createSilentLogger, type Logger } from '../shared/log.js';
import { siblingModuleUrl } from '../shared/module-url.js';
import { ResultBatchReader, ResultRingReader, type ResultRecord } from '../shared/probe-batch.js';
import { detailKind } from '../shared/probe-detail.js';
import type { ProbeSpec, ReadyMessage, ResultsMessage } from '../shared/probe-messages.js';
import { specDetailText, type ProbeOutcome } from '../shared/probe-outcome.js';
import { agentSpecFor, probeSpecFor, sameProbeSpec } from './probe-spec.js';
import type { ProbeExecutor, ProbeSink, ProbeTarget } from './probe-executor.js';
import { ShardLink } from './probe-shard-link.js';
import { warmThreadpool } from './threadpool-warmup.js';

export interface ProbeDispatcherOptions {
  /**
   * Worker threads (one shard each); default 1: the native prober serves 10 000 probes a second
   * in a fraction of one core, and every shard costs a cross-thread wakeup per schedule tick.
   */
  readonly threads?: number;
  /** healthchecker.netns; '' (default) → the current namespace. */
  readonly netns?: string;
  readonly logger?: Logger;
  /** A probe unanswered this long past its own timeout marks its shard as hung; default 10 s. */
  readonly hangGraceMs?: number;
  /** Period of the hang check; default 1 s. */
  readonly sweepMs?: number;
  /** While probes are in flight, the result rings are read at least this often without poll(); default 25 ms. */
  readonly pollMs?: number;
  /**
   * The shards read their request rings on wall-clock multiples of this (a few ms after); give
   * it the checker's schedule quantum. Default 20 ms.
   */
  readonly tickMs?: number;
}

export interface ShardStatus {
  readonly shard: number;
  readonly targets: number;
  readonly inflight: number;
  readonly restarts: number;
  /** The namespace error the shard reported, if any. */
  readonly netnsError: string | undefined;
}

/** What a key probes and where. */
interface Target {
  /** The last ProbeTarget seen: the same object again means the same spec. */
  target: ProbeTarget;
  spec: ProbeSpec;
  readonly slot: Slot;
  /** The shard incarnation the spec is registered with. */
  registeredOn: ShardLink | undefined;
}

/** One shard position: survives its shard's incarnations (ShardLinks). */
class Slot {
  readonly index: number;
  readonly ready: Promise<void>;
  readonly markReady: () => void;
  link!: ShardLink;
  ring!: ResultRingReader;
  startedAt = performance.now();
  targets = 0;
  inflight = 0;
  restarts = 0;
  netnsError: string | undefined;

  constructor(index: number) {
    this.index = index;
    let markReady = (): void => {};
    this.ready = new Promise<void>((resolve) => (markReady = resolve));
    this.markReady = markReady;
  }
}

const maxAttempts = 2;
const shutdownTimeoutMs = 2000;

function executorFailure(text: string): ProbeOutcome {
  return { code: 'SOCKERR', detail: detailKind.text, arg: 0, text, at: Date.now(), durationMs: 0, discarded: false, lagMs: NaN };
}

const noSink: ProbeSink = { onProbeResult: () => {} };

/** Creates the dispatcher; with a namespace, it first warms libuv's threadpool from this thread. */
export async function createProbeDispatcher(opts: ProbeDispatcherOptions = {}): Promise<ProbeDispatcher> {
  if ((opts.netns ?? '') !== '') await warmThreadpool();
  return new ProbeDispatcher(opts);
}

export class ProbeDispatcher implements ProbeExecutor {
  readonly #pool: Piscina;
  readonly #log: Logger;
  readonly #netns: string;
  readonly #hangGraceMs: number;
  readonly #sweepMs: number;
  readonly #tickMs: number;
  readonly #slots: Slot[];
  readonly #sweep: NodeJS.Timeout;
  /** Polls the rings when poll() was not called for pollMs (refreshed by every poll). */
  readonly #fallbackPoll: NodeJS.Timeout;
  #inflight = 0;
  #sink: ProbeSink = noSink;
  // Per key: its target, the id of its probe in flight (0: none), when that was issued, how
  // many times.
  readonly #targets: Array<Target | undefined> = [];
  #probeIds = new Uint32Array(1024);
  #issuedAt = new Float64Array(1024);
  #attempts = new Uint8Array(1024);
  #lastSweep = performance.now();
  #nextProbeId = 0;
  #closing: Promise<void> | undefined;

  /** Prefer createProbeDispatcher, which warms the threadpool before workers enter a namespace. */
  constructor(opts: ProbeDispatcherOptions = {}) {
    const threads = Math.max(1, opts.threads ?? 1);
    this.#log = (opts.logger ?? createSilentLogger()).child({ component: 'probe-dispatcher' });
    this.#netns = opts.netns ?? '';
    this.#hangGraceMs = opts.hangGraceMs ?? 10_000;
    this.#sweepMs = opts.sweepMs ?? 1000;
    this.#tickMs = opts.tickMs ?? 20;
    this.#pool = new Piscina({
      filename: siblingModuleUrl(import.meta.url, '../workers/probe-worker.js').href,
      name: 'runProbeShard',
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      atomics: 'disabled',
    });
    this.#pool.on('error', (err: unknown) => this.#log.error('probe-pool-error', { err: errorMessage(err) }));
    this.#slots = Array.from({ length: threads }, (_, index) => this.#newSlot(index));
    this.#sweep = setInterval(() => this.#checkHung(), this.#sweepMs);
    this.#sweep.unref();
    this.#fallbackPoll = setTimeout(() => this.poll(), opts.pollMs ?? 25);
    this.#fallbackPoll.unref();
  }

  setSink(sink: ProbeSink): void {
    this.#sink = sink;
  }

  start(key: number, target: ProbeTarget): void {
    this.#ensureKey(key);
    if (this.#probeIds[key] !== 0) this.cancel(key);
    const probeId = this.#newProbeId();
    this.#probeIds[key] = probeId;
    this.#attempts[key] = 1;
    this.#issuedAt[key] = performance.now();
    if (this.#closing !== undefined) {
      queueMicrotask(() => this.#fail(key, probeId, 'probe executor closed'));
      return;
    }
    const t = this.#targetFor(key, target);
    this.#flight(t.slot, 1);
    this.#issue(key, probeId, t);
  }

  cancel(key: number): void {
    const probeId = this.#probeIds[key] ?? 0;
    if (probeId === 0) return;
    this.#probeIds[key] = 0;
    const t = this.#targets[key];
    if (t === undefined || this.#closing !== undefined) return;
    this.#flight(t.slot, -1);
    t.slot.link.cancel(probeId, key);
  }

  release(key: number): void {
    this.cancel(key);
    const t = this.#targets[key];
    if (t === undefined) return;
    this.#targets[key] = undefined;
    t.slot.targets--;
    if (t.registeredOn === t.slot.link) t.slot.link.unregister(key);
  }

  /** Delivers the native prober's results waiting in the shards' rings. */
  poll(): void {
    if (this.#closing !== undefined) return;
    if (this.#inflight > 0) this.#fallbackPoll.refresh();
    for (const slot of this.#slots) {
      const reader = slot.ring;
      reader.begin();
      for (let r = reader.next(); r !== undefined; r = reader.next()) this.#onRecord(r);
    }
  }

  /** Stops every shard and the pool; in-flight probes are dropped without results. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#sweep);
      clearTimeout(this.#fallbackPoll);
      this.#probeIds.fill(0);
      this.#inflight = 0;
      for (const slot of this.#slots) slot.inflight = 0;
      await Promise.all(this.#slots.map((s) => s.link.shutdown(shutdownTimeoutMs)));
      await this.#pool.destroy();
    })();
    return this.#closing;
  }

  /** Resolves once every shard has reported in (after entering its namespace). */
  async whenReady(): Promise<ShardStatus[]> {
    await Promise.all(this.#slots.map((s) => s.ready));
    return this.status();
  }

  status(): ShardStatus[] {
    return this.#slots.map((s) => ({ shard: s.index, targets: s.targets, inflight: s.inflight, restarts: s.restarts, netnsError: s.netnsError }));
  }

  /** The pool's worker threads (diagnostics, and fault injection in tests). */
  get threads(): readonly Worker[] {
    return this.#pool.threads;
  }

  #newProbeId(): number {
    this.#nextProbeId = this.#nextProbeId >= 0xffff_ffff ? 1 : this.#nextProbeId + 1;
    return this.#nextProbeId;
  }

  #ensureKey(key: number): void {
    if (!Number.isInteger(key) || key < 0) throw new RangeError(`probe key ${key} is not a non-negative integer`);
    if (key < this.#probeIds.length) return;
    let n = this.#probeIds.length * 2;
    while (n <= key) n *= 2;
    const grow = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#probeIds = grow(this.#probeIds, (m) => new Uint32Array(m));
    this.#issuedAt = grow(this.#issuedAt, (m) => new Float64Array(m));
    this.#attempts = grow(this.#attempts, (m) => new Uint8Array(m));
  }

  #newSlot(index: number): Slot {
    const slot = new Slot(index);
    this.#newLink(slot, 0);
    return slot;
  }

  #newLink(slot: Slot, delayMs: number): void {
    slot.link = new ShardLink(this.#pool, slot.index, this.#netns, this.#tickMs, {
      onReady: (msg) => this.#onReady(slot, msg),
      onResults: (msg) => this.#onResults(msg),
      onExit: (err) => this.#onExit(slot, err),
    }, delayMs);
    slot.ring = new ResultRingReader(slot.link.ring);
  }

  #flight(slot: Slot, delta: 1 | -1): void {
    slot.inflight += delta;
    // The fallback poll runs while probes are in flight (and from the first one on).
    if (delta > 0 && this.#inflight++ === 0) this.#fallbackPoll.refresh();
    else if (delta < 0) this.#inflight--;
  }

  /** The key's registered target, its spec updated when the target changed (same shard, same id). */
  #targetFor(key: number, target: ProbeTarget): Target {
    const known = this.#targets[key];
    if (known !== undefined && known.target === target) return known;
    const spec = target.agent === true ? agentSpecFor(target.address, target.check) : probeSpecFor(target.address, target.check);
    if (known !== undefined) {
      known.target = target;
      if (!sameProbeSpec(known.spec, spec)) {
        known.spec = spec;
        known.registeredOn = undefined;
      }
      return known;
    }
    const slot = this.#slots.reduce((best, s) => (s.targets < best.targets ? s : best));
    slot.targets++;
    const t: Target = { target, spec, slot, registeredOn: undefined };
    this.#targets[key] = t;
    return t;
  }

  #issue(key: number, probeId: number, t: Target): void {
    const link = t.slot.link;
    if (t.registeredOn !== link) {
      t.registeredOn = link;
      link.register(key, t.spec);
    }
    link.probe(probeId, key);
  }

  #onReady(slot: Slot, msg: ReadyMessage): void {
    slot.netnsError = msg.netnsError;
    if (msg.netnsError !== undefined) this.#log.error('probe-netns-failed', { shard: slot.index, detail: msg.netnsError });
    slot.markReady();
  }

  #onResults(msg: ResultsMessage): void {
    const reader = new ResultBatchReader(msg);
    for (let r = reader.next(); r !== undefined; r = reader.next()) this.#onRecord(r);
  }

  #onRecord(r: ResultRecord): void {
    const key = r.targetId;
    // Cancelled, superseded, or answered by an earlier incarnation of the shard.
    if (key >= this.#probeIds.length || this.#probeIds[key] !== r.probeId) return;
    this.#probeIds[key] = 0;
    const t = this.#targets[key];
    if (t !== undefined) this.#flight(t.slot, -1);
    const text = r.text ?? specDetailText(r.detail, t?.spec);
    this.#deliver(key, text === r.text ? r : { ...r, text });
  }

  #deliver(key: number, outcome: ProbeOutcome): void {
    try {
      this.#sink.onProbeResult(key, outcome);
    } catch (e) {
      this.#log.error('probe-result-handler-failed', { err: errorMessage(e) });
    }
  }

  /** Fails the key's probe `probeId` if it is still the one in flight. */
  #fail(key: number, probeId: number, text: string, discardReason?: DiscardReason): void {
    if (this.#probeIds[key] !== probeId) return;
    this.#probeIds[key] = 0;
    const failure = executorFailure(text);
    this.#deliver(key, discardReason === undefined ? failure : { ...failure, discarded: true, discardReason });
  }

  /** A shard task ended without being asked to: start a new one and re-issue its probes. */
  #onExit(slot: Slot, err: unknown): void {
    if (this.#closing !== undefined || err === undefined) return;
    const detail = errorMessage(err);
    const quick = performance.now() - slot.startedAt < 1000;
    this.#log.error('probe-worker-died', { shard: slot.index, err: detail, inflight: slot.inflight });
    slot.restarts++;
    slot.startedAt = performance.now();
    this.#newLink(slot, quick && slot.restarts > 1 ? 1000 : 0);
    for (let key = 0; key < this.#targets.length; key++) {
      const t = this.#targets[key];
      const probeId = this.#probeIds[key] ?? 0;
      if (t?.slot !== slot || probeId === 0) continue;
      if ((this.#attempts[key] = (this.#attempts[key] ?? 0) + 1) > maxAttempts) {
        this.#flight(slot, -1);
        this.#fail(key, probeId, `probe worker died: ${detail}`, 'shard-lost');
        continue;
      }
      this.#issuedAt[key] = performance.now();
      this.#issue(key, probeId, t);
    }
  }

  /** Kills shards with a probe unanswered far past its deadline (skipped when this thread itself was stalled). */
  #checkHung(): void {
    const now = performance.now();
    const stalled = now - this.#lastSweep > 2 * this.#sweepMs;
    this.#lastSweep = now;
    if (stalled) return;
    const hung = new Set<Slot>();
    for (let key = 0; key < this.#targets.length; key++) {
      const t = this.#targets[key];
      if (t === undefined || this.#probeIds[key] === 0 || hung.has(t.slot)) continue;
      if (now - (this.#issuedAt[key] ?? now) > t.spec.timeoutMs + this.#hangGraceMs) {
        this.#log.error('probe-worker-hung', { shard: t.slot.index, address: t.spec.address });
        hung.add(t.slot);
        t.slot.link.kill('probe worker hung');
      }
    }
  }
}
