// The production ProbeExecutor: a Piscina pool of worker threads, each running one long-lived
// probe shard inside the health-check namespace. Each target (backend) is assigned to the
// least-loaded shard once and its ProbeSpec registered there; probes then travel as id pairs
// and results come back batched. A shard whose task dies (crash, or killed because a probe
// stayed unanswered far past its deadline) is replaced and its in-flight probes re-issued, so
// no backend sticks; a probe whose shard dies twice is discarded (`shard-lost`): the prober's
// trouble says nothing about the backend.
//
//   checker ──run()──▶ ProbeDispatcher ──ShardLink──▶ worker 0 (netns) ─▶ probers
//                           │            └─ShardLink──▶ worker 1 (netns) ─▶ probers
//                           ◀───────────── batched results ───────────────┘

import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { errorMessage } from '../shared/errors.js';
import type { ProbeResult } from '../shared/health.js';
import { createSilentLogger, type Logger } from '../shared/log.js';
import { siblingModuleUrl } from '../shared/module-url.js';
import type { ProbeSpec, ReadyMessage, ResultsMessage } from '../shared/probe-messages.js';
import { probeSpecFor, sameProbeSpec } from './probe-spec.js';
import type { ProbeExecutor, ProbeTarget } from './probe-executor.js';
import { ShardLink } from './probe-shard-link.js';
import { warmThreadpool } from './threadpool-warmup.js';

export interface ProbeDispatcherOptions {
  /** Worker threads (one shard each); default 2. */
  readonly threads?: number;
  /** healthchecker.netns; '' (default) → the current namespace. */
  readonly netns?: string;
  readonly logger?: Logger;
  /** A probe unanswered this long past its own timeout marks its shard as hung; default 10 s. */
  readonly hangGraceMs?: number;
  /** Period of the hang check; default 1 s. */
  readonly sweepMs?: number;
}

export interface ShardStatus {
  readonly shard: number;
  readonly targets: number;
  readonly inflight: number;
  readonly restarts: number;
  /** The namespace error the shard reported, if any. */
  readonly netnsError: string | undefined;
}

interface Target {
  readonly id: number;
  readonly address: string;
  readonly check: ProbeTarget['check'];
  readonly spec: ProbeSpec;
  readonly slot: Slot;
}

interface InFlight {
  readonly target: Target;
  readonly onResult: (result: ProbeResult) => void;
  issuedAt: number;
  attempts: number;
}

/** One shard position: survives its shard's incarnations (ShardLinks). */
class Slot {
  readonly index: number;
  readonly inflight = new Map<number, InFlight>();
  /** Targets registered with the current incarnation of the shard. */
  readonly registered = new Set<number>();
  readonly ready: Promise<void>;
  readonly markReady: () => void;
  link!: ShardLink;
  startedAt = performance.now();
  targets = 0;
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

function executorFailure(detail: string): ProbeResult {
  return { ok: false, layer: 'L4', code: 'SOCKERR', detail, at: Date.now(), durationMs: 0 };
}

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
  readonly #slots: Slot[];
  readonly #targets = new Map<string, Target>();
  readonly #sweep: NodeJS.Timeout;
  #lastSweep = performance.now();
  #nextProbeId = 0;
  #nextTargetId = 0;
  #closing: Promise<void> | undefined;

  /** Prefer createProbeDispatcher, which warms the threadpool before workers enter a namespace. */
  constructor(opts: ProbeDispatcherOptions = {}) {
    const threads = Math.max(1, opts.threads ?? 2);
    this.#log = (opts.logger ?? createSilentLogger()).child({ component: 'probe-dispatcher' });
    this.#netns = opts.netns ?? '';
    this.#hangGraceMs = opts.hangGraceMs ?? 10_000;
    this.#sweepMs = opts.sweepMs ?? 1000;
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
  }

  run(target: ProbeTarget, onResult: (result: ProbeResult) => void): () => void {
    if (this.#closing !== undefined) {
      queueMicrotask(() => onResult(executorFailure('probe executor closed')));
      return () => {};
    }
    const t = this.#targetFor(target);
    const slot = t.slot;
    const probeId = ++this.#nextProbeId;
    slot.inflight.set(probeId, { target: t, onResult, issuedAt: performance.now(), attempts: 1 });
    this.#issue(slot, probeId, t);
    return () => {
      if (slot.inflight.delete(probeId)) slot.link.cancel(probeId);
    };
  }

  /** Stops every shard and the pool; in-flight probes are dropped without results. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#sweep);
      for (const slot of this.#slots) slot.inflight.clear();
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
    return this.#slots.map((s) => ({ shard: s.index, targets: s.targets, inflight: s.inflight.size, restarts: s.restarts, netnsError: s.netnsError }));
  }

  /** The pool's worker threads (diagnostics, and fault injection in tests). */
  get threads(): readonly Worker[] {
    return this.#pool.threads;
  }

  #newSlot(index: number): Slot {
    const slot = new Slot(index);
    slot.link = this.#newLink(slot, 0);
    return slot;
  }

  #newLink(slot: Slot, delayMs: number): ShardLink {
    return new ShardLink(this.#pool, slot.index, this.#netns, {
      onReady: (msg) => this.#onReady(slot, msg),
      onResults: (msg) => this.#onResults(slot, msg),
      onExit: (err) => this.#onExit(slot, err),
    }, delayMs);
  }

  /** The registered target for this backend, re-registered when its address or check changed. */
  #targetFor(target: ProbeTarget): Target {
    const known = this.#targets.get(target.backend);
    if (known !== undefined && known.address === target.address && known.check === target.check) return known;
    const spec = probeSpecFor(target.address, target.check);
    if (known !== undefined && known.address === target.address && sameProbeSpec(known.spec, spec)) return known;
    if (known !== undefined) {
      known.slot.targets--;
      if (known.slot.registered.delete(known.id)) known.slot.link.unregister(known.id);
    }
    const slot = this.#slots.reduce((best, s) => (s.targets < best.targets ? s : best));
    slot.targets++;
    const t: Target = { id: ++this.#nextTargetId, address: target.address, check: target.check, spec, slot };
    this.#targets.set(target.backend, t);
    return t;
  }

  #issue(slot: Slot, probeId: number, t: Target): void {
    if (!slot.registered.has(t.id)) {
      slot.registered.add(t.id);
      slot.link.register(t.id, t.spec);
    }
    slot.link.probe(probeId, t.id);
  }

  #onReady(slot: Slot, msg: ReadyMessage): void {
    slot.netnsError = msg.netnsError;
    if (msg.netnsError !== undefined) this.#log.error('probe-netns-failed', { shard: slot.index, detail: msg.netnsError });
    slot.markReady();
  }

  #onResults(slot: Slot, msg: ResultsMessage): void {
    for (const { probeId, result } of msg.results) {
      const inf = slot.inflight.get(probeId);
      if (inf === undefined) continue; // cancelled, or answered by an earlier incarnation
      slot.inflight.delete(probeId);
      this.#deliver(inf, result);
    }
  }

  #deliver(inf: InFlight, result: ProbeResult): void {
    try {
      inf.onResult(result);
    } catch (e) {
      this.#log.error('probe-result-handler-failed', { err: errorMessage(e) });
    }
  }

  /** A shard task ended without being asked to: start a new one and re-issue its probes. */
  #onExit(slot: Slot, err: unknown): void {
    if (this.#closing !== undefined || err === undefined) return;
    const detail = errorMessage(err);
    const quick = performance.now() - slot.startedAt < 1000;
    this.#log.error('probe-worker-died', { shard: slot.index, err: detail, inflight: slot.inflight.size });
    slot.restarts++;
    slot.registered.clear();
    slot.startedAt = performance.now();
    slot.link = this.#newLink(slot, quick && slot.restarts > 1 ? 1000 : 0);
    for (const [probeId, inf] of slot.inflight) {
      if (++inf.attempts > maxAttempts) {
        slot.inflight.delete(probeId);
        this.#deliver(inf, { ...executorFailure(`probe worker died: ${detail}`), discarded: true, discardReason: 'shard-lost' });
        continue;
      }
      inf.issuedAt = performance.now();
      this.#issue(slot, probeId, inf.target);
    }
  }

  /** Kills shards with a probe unanswered far past its deadline (skipped when this thread itself was stalled). */
  #checkHung(): void {
    const now = performance.now();
    const stalled = now - this.#lastSweep > 2 * this.#sweepMs;
    this.#lastSweep = now;
    if (stalled) return;
    for (const slot of this.#slots) {
      for (const inf of slot.inflight.values()) {
        if (now - inf.issuedAt > inf.target.spec.timeoutMs + this.#hangGraceMs) {
          this.#log.error('probe-worker-hung', { shard: slot.index, address: inf.target.address });
          slot.link.kill('probe worker hung');
          break;
        }
      }
    }
  }
}
