// The main thread's end of one probe shard: the Piscina task that occupies one worker thread,
// its MessageChannel, the shard's request ring (probe requests as id pairs, published once per
// macrotask, read by the shard on its own tick; a wake message only when the shard sleeps), an
// outbox that sends everything else within one macrotask as at most one message of each kind,
// and the shard's result ring, where it writes results for the dispatcher to poll.
// One link per shard incarnation; a crashed or killed shard is replaced by a new link (see
// probe-dispatcher.ts).

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { createResultRing } from '../shared/probe-batch.js';
import { createRequestRing, RequestRingWriter } from '../shared/request-ring.js';
import {
  probeProtocolVersion,
  type MainToShardMessage,
  type ProbeSpec,
  type ReadyMessage,
  type ResultsMessage,
  type ShardExit,
  type ShardTask,
  type ShardToMainMessage,
} from '../shared/probe-messages.js';

export interface ShardLinkEvents {
  onReady(msg: ReadyMessage): void;
  onResults(msg: ResultsMessage): void;
  /** The shard task ended: `error` is undefined after a requested shutdown, else why it died. */
  onExit(error: unknown): void;
}

export class ShardLink {
  /** The shard's result ring: its results, read by the dispatcher's poll. */
  readonly ring = createResultRing();
  readonly #requests = createRequestRing();
  readonly #requestWriter = new RequestRingWriter(this.#requests);
  readonly #port: MessagePort;
  readonly #abort = new AbortController();
  readonly #task: Promise<ShardExit | undefined>;
  readonly #unregisters: number[] = [];
  readonly #registers: Array<{ id: number; spec: ProbeSpec }> = [];
  readonly #probes: number[] = [];
  readonly #cancels: number[] = [];
  #flushQueued = false;
  #shuttingDown = false;

  /** Starts the shard task after `delayMs` (0: now); messages sent meanwhile wait in the channel. */
  constructor(pool: Piscina, shard: number, netns: string, tickMs: number, events: ShardLinkEvents, delayMs = 0) {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    port1.on('message', (msg: ShardToMainMessage) => {
      switch (msg.type) {
        case 'ready':
          events.onReady(msg);
          return;
        case 'results':
          events.onResults(msg);
          return;
        default: {
          const exhaustive: never = msg;
          throw new Error(`unknown shard message ${String(exhaustive)}`);
        }
      }
    });
    const task: ShardTask = { v: probeProtocolVersion, shard, port: port2, netns, ring: this.ring, requests: this.#requests, tickMs };
    const start = (): Promise<ShardExit> =>
      pool.run(task, { transferList: [port2], signal: this.#abort.signal }) as Promise<ShardExit>;
    const delayed = delayMs <= 0 ? start() : new Promise<void>((resolve) => setTimeout(resolve, delayMs)).then(() => {
      if (this.#abort.signal.aborted) throw new Error('shard killed before it started');
      return start();
    });
    this.#task = delayed.then(
      (exit) => {
        events.onExit(this.#shuttingDown ? undefined : new Error('shard task ended unexpectedly'));
        return exit;
      },
      (err: unknown) => {
        this.#port.close();
        events.onExit(this.#shuttingDown ? undefined : err);
        return undefined;
      },
    );
  }

  register(id: number, spec: ProbeSpec): void {
    this.#registers.push({ id, spec });
    this.#queue();
  }

  unregister(id: number): void {
    this.#unregisters.push(id);
    this.#queue();
  }

  probe(probeId: number, targetId: number): void {
    if (!this.#requestWriter.push(probeId, targetId)) this.#probes.push(probeId, targetId);
    this.#queue();
  }

  cancel(probeId: number, targetId: number): void {
    this.#cancels.push(probeId, targetId);
    this.#queue();
  }

  /** Terminates the worker thread running this shard (a hung shard); onExit reports it. */
  kill(reason: string): void {
    this.#abort.abort(new Error(reason));
  }

  /** Asks the shard to stop; resolves when it has, or after `timeoutMs` (then it is killed). */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#shuttingDown = true;
    this.#flush();
    this.#port.postMessage({ type: 'shutdown' } satisfies MainToShardMessage);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.kill('shutdown timed out');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.#task, timeout]);
    clearTimeout(timer);
    this.#port.close();
  }

  #queue(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(() => this.#flush());
  }

  /**
   * Sends what was queued, at most one message of each kind, in an order that keeps every
   * dependency: a target is forgotten before it is registered again, registered before it is
   * probed, and probed before a cancel can find the probe.
   */
  #flush(): void {
    this.#flushQueued = false;
    if (this.#unregisters.length > 0) this.#port.postMessage({ type: 'unregister', ids: this.#unregisters.splice(0) } satisfies MainToShardMessage);
    if (this.#registers.length > 0) this.#port.postMessage({ type: 'register', targets: this.#registers.splice(0) } satisfies MainToShardMessage);
    if (this.#requestWriter.publish()) this.#port.postMessage({ type: 'wake' } satisfies MainToShardMessage);
    if (this.#probes.length > 0) {
      const pairs = Uint32Array.from(this.#probes);
      this.#probes.length = 0;
      this.#port.postMessage({ type: 'probe', pairs } satisfies MainToShardMessage, [pairs.buffer]);
    }
    if (this.#cancels.length > 0) this.#port.postMessage({ type: 'cancel', pairs: this.#cancels.splice(0) } satisfies MainToShardMessage);
  }
}
