// One probe shard: the loop a probe worker thread runs for its whole life. It keeps the
// registered targets, reads probe requests (id pairs) from its request ring on its own tick, a
// few ms after each of the main thread's schedule ticks, and cancels on request. Plain tcp and
// http targets go to the thread's native prober, which runs the probes in C; the rest (TLS,
// icmp, reuse-connection http, or everything when the native prober is off) run on the JS
// probers, and a JS target that keeps a connection between probes has it closed when the
// target is replaced, unregistered or the shard shuts down. Results go into
// the shard's result ring, shared memory the main thread reads when it polls (no message, no
// wakeup); the few that carry a text (a TLS error) or find the ring full stream back in binary
// batches (every few ms or every 256 results). Runs in-process in tests; probe-worker.ts is its
// thin entry.
//
//   main thread ──register/probe/cancel/shutdown──▶ MessagePort ──▶ ProbeShard ─┬▶ native prober
//               ◀───────────── result ring (shared memory, polled) ◀──────────┤
//               ◀──── ready, results with texts (binary batches) ◀──────────── JS probers

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ResultBatchWriter, ResultRingWriter } from '../shared/probe-batch.js';
import { RequestRingReader } from '../shared/request-ring.js';
import { detailKind } from '../shared/probe-detail.js';
import type { ProbeOutcome } from '../shared/probe-outcome.js';
import type { MainToShardMessage, ProbeSpec, ShardExit, ShardToMainMessage } from '../shared/probe-messages.js';
import { probeProtocolVersion } from '../shared/probe-messages.js';
import { NativeProber } from './probes/native-prober.js';
import type { CancelProbe, PreparedProbe } from './probes/probe-attempt.js';
import type { ProbeEnv } from './probes/probe-env.js';
import { prepareProbe } from './probes/prepare-probe.js';

export interface ProbeShardOptions {
  readonly shard: number;
  readonly port: MessagePort;
  /** Where results go (src/shared/probe-batch.ts). */
  readonly ring: SharedArrayBuffer;
  /** Where probe requests come from (src/shared/request-ring.ts). */
  readonly requests: SharedArrayBuffer;
  /** The request ring is read on wall-clock multiples of this, `tickOffsetMs` after (default 20). */
  readonly tickMs?: number;
  readonly env: ProbeEnv;
  /** When set (the namespace could not be entered), every probe fails at once with L4CON and this detail. */
  readonly netnsError?: string | undefined;
  readonly batchMs?: number;
  readonly batchMax?: number;
  /** Run plain tcp and http probes in the native prober (default true). */
  readonly native?: boolean;
  /** Starts the event-loop lag monitor of env.lag; called when the JS probers get their first target. */
  readonly startLag?: () => void;
}

function failed(code: 'L4CON' | 'SOCKERR', text: string): ProbeOutcome {
  return { code, detail: detailKind.text, arg: 0, text, at: Date.now(), durationMs: 0, discarded: false, lagMs: NaN };
}

/** A prober that fails every probe at once (unusable namespace or definition). */
function failing(code: 'L4CON' | 'SOCKERR', detail: string): PreparedProbe {
  return {
    run(done) {
      done(failed(code, detail));
      return () => {};
    },
  };
}

/** The request ring is read this long after the main thread's schedule ticks (same multiples). */
const tickOffsetMs = 4;
/** Empty ticks before the shard stops reading the request ring and waits for a wake message. */
const idleTicksBeforeSleep = 5;

export class ProbeShard {
  readonly #opts: ProbeShardOptions;
  /** The targets of the JS probers (the native prober keeps its own). */
  readonly #targets = new Map<number, PreparedProbe>();
  readonly #inflight = new Map<number, CancelProbe>();
  readonly #batch = new ResultBatchWriter();
  readonly #ring: ResultRingWriter;
  readonly #requests: RequestRingReader;
  /** Where pairs read from the request ring go (the native prober compacts them in place). */
  readonly #pairs: Uint32Array;
  #tick: NodeJS.Timeout | undefined;
  #idleTicks = 0;
  #stopping = false;
  #native: NativeProber | undefined;
  #timer: NodeJS.Timeout | undefined;
  #probesRun = 0;
  #stopped: ((exit: ShardExit) => void) | undefined;

  constructor(opts: ProbeShardOptions) {
    this.#opts = opts;
    this.#ring = new ResultRingWriter(opts.ring);
    this.#requests = new RequestRingReader(opts.requests);
    this.#pairs = new Uint32Array(2 * this.#requests.capacity);
  }

  /** Serves the port until a shutdown message; resolves with the shard's totals. */
  run(): Promise<ShardExit> {
    const { port, shard, netnsError } = this.#opts;
    const done = new Promise<ShardExit>((resolve) => (this.#stopped = resolve));
    if (netnsError === undefined && this.#opts.native !== false) this.#native = new NativeProber(this.#opts.ring);
    port.on('message', (msg: MainToShardMessage) => this.#onMessage(msg));
    this.#post({ type: 'ready', v: probeProtocolVersion, shard, netnsError });
    this.#armTick();
    return done;
  }

  /**
   * Reads the request ring: first the messages already queued (a target is registered before the
   * requests written after it), then the pairs. Ticks while requests keep coming; after a few
   * empty ticks it sleeps until a wake message.
   */
  #readRequests(): void {
    this.#tick = undefined;
    const port = this.#opts.port;
    for (let m = receiveMessageOnPort(port); m !== undefined && !this.#stopping; m = receiveMessageOnPort(port)) {
      this.#onMessage(m.message as MainToShardMessage);
    }
    if (this.#stopping) return;
    const n = this.#requests.read(this.#pairs);
    if (n > 0) {
      this.#idleTicks = 0;
      this.#start(this.#pairs, n);
    } else if (++this.#idleTicks >= idleTicksBeforeSleep && this.#requests.sleep()) {
      return;
    }
    this.#armTick();
  }

  /** Next tick: the next wall-clock multiple of tickMs, plus the offset. */
  #armTick(): void {
    const q = this.#opts.tickMs ?? 20;
    const now = Date.now();
    const next = Math.ceil((now - tickOffsetMs + 1) / q) * q + tickOffsetMs;
    this.#tick = setTimeout(() => this.#readRequests(), next - now);
  }

  #onMessage(msg: MainToShardMessage): void {
    switch (msg.type) {
      case 'register':
        for (const { id, spec } of msg.targets) this.#register(id, spec);
        return;
      case 'unregister':
        for (const id of msg.ids) {
          this.#drop(id);
          this.#native?.unregister(id);
        }
        return;
      case 'probe':
        this.#start(msg.pairs, msg.pairs.length >> 1);
        return;
      case 'wake':
        this.#requests.awake();
        this.#idleTicks = 0;
        if (this.#tick === undefined && !this.#stopping) this.#readRequests();
        return;
      case 'cancel':
        for (let i = 0; i + 1 < msg.pairs.length; i += 2) this.#cancel(msg.pairs[i] ?? 0, msg.pairs[i + 1] ?? 0);
        return;
      case 'shutdown':
        this.#shutdown();
        return;
      default: {
        const exhaustive: never = msg;
        throw new Error(`unknown message ${String(exhaustive)}`);
      }
    }
  }

  #register(id: number, spec: ProbeSpec): void {
    this.#drop(id);
    if (this.#native?.register(id, spec) === true) return;
    this.#opts.startLag?.();
    this.#targets.set(id, this.#prepare(spec));
  }

  /** Forgets a JS target, closing what it keeps between probes (a reuse-connection socket). */
  #drop(id: number): void {
    this.#targets.get(id)?.close?.();
    this.#targets.delete(id);
  }

  #prepare(spec: ProbeSpec): PreparedProbe {
    if (this.#opts.netnsError !== undefined) return failing('L4CON', this.#opts.netnsError);
    try {
      return prepareProbe(spec, this.#opts.env);
    } catch (e) {
      return failing('SOCKERR', `invalid probe: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  #start(pairs: Uint32Array, count: number): void {
    this.#probesRun += count;
    const left = this.#native === undefined ? count : this.#native.start(pairs, count);
    for (let i = 0; i < left; i++) this.#startJs(pairs[2 * i] ?? 0, pairs[2 * i + 1] ?? 0);
  }

  #startJs(probeId: number, targetId: number): void {
    const target = this.#targets.get(targetId);
    if (target === undefined) {
      this.#push(probeId, targetId, failed('SOCKERR', `unknown probe target ${targetId}`));
      return;
    }
    let settled = false;
    const cancel = target.run((outcome) => {
      settled = true;
      this.#inflight.delete(probeId);
      this.#push(probeId, targetId, outcome);
    });
    if (!settled) this.#inflight.set(probeId, cancel);
  }

  #cancel(probeId: number, targetId: number): void {
    if (this.#native?.cancel(probeId, targetId) === true) return;
    this.#inflight.get(probeId)?.();
    this.#inflight.delete(probeId);
  }

  #push(probeId: number, targetId: number, outcome: ProbeOutcome): void {
    if (this.#ring.push(probeId, targetId, outcome)) return;
    this.#batch.push(probeId, targetId, outcome);
    if (this.#batch.count >= (this.#opts.batchMax ?? 256)) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#opts.batchMs ?? 5);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#batch.count === 0) return;
    const batch = this.#batch.take();
    this.#opts.port.postMessage({ type: 'results', ...batch } satisfies ShardToMainMessage, [batch.records]);
  }

  #post(msg: ShardToMainMessage): void {
    this.#opts.port.postMessage(msg);
  }

  #shutdown(): void {
    this.#stopping = true;
    clearTimeout(this.#tick);
    for (const cancel of this.#inflight.values()) cancel();
    this.#inflight.clear();
    this.#flush();
    this.#native?.close();
    this.#native = undefined;
    for (const id of [...this.#targets.keys()]) this.#drop(id);
    this.#opts.env.icmp.close();
    this.#opts.port.close();
    this.#stopped?.({ shard: this.#opts.shard, probesRun: this.#probesRun });
  }
}
