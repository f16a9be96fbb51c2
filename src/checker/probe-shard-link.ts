// The main thread's end of one probe shard: the Piscina task that occupies one worker thread,
// its MessageChannel, and an outbox that coalesces everything sent within one macrotask into a
// few messages (probe requests become one transferred Uint32Array of id pairs, cancels a flat
// list). One link per shard incarnation; a crashed or killed shard is replaced by a new link
// (see probe-dispatcher.ts).

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
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

type Outgoing =
  | { type: 'register'; targets: Array<{ id: number; spec: ProbeSpec }> }
  | { type: 'unregister'; ids: number[] }
  | { type: 'probe'; pairs: number[] }
  | { type: 'cancel'; pairs: number[] }
  | { type: 'shutdown' };

export class ShardLink {
  readonly #port: MessagePort;
  readonly #abort = new AbortController();
  readonly #task: Promise<ShardExit | undefined>;
  readonly #outbox: Outgoing[] = [];
  #flushQueued = false;
  #shuttingDown = false;

  /** Starts the shard task after `delayMs` (0: now); messages sent meanwhile wait in the channel. */
  constructor(pool: Piscina, shard: number, netns: string, events: ShardLinkEvents, delayMs = 0) {
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
    const task: ShardTask = { v: probeProtocolVersion, shard, port: port2, netns };
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
    const last = this.#last('register');
    if (last !== undefined) last.targets.push({ id, spec });
    else this.#queue({ type: 'register', targets: [{ id, spec }] });
  }

  unregister(id: number): void {
    const last = this.#last('unregister');
    if (last !== undefined) last.ids.push(id);
    else this.#queue({ type: 'unregister', ids: [id] });
  }

  probe(probeId: number, targetId: number): void {
    const last = this.#last('probe');
    if (last !== undefined) last.pairs.push(probeId, targetId);
    else this.#queue({ type: 'probe', pairs: [probeId, targetId] });
  }

  cancel(probeId: number, targetId: number): void {
    const last = this.#last('cancel');
    if (last !== undefined) last.pairs.push(probeId, targetId);
    else this.#queue({ type: 'cancel', pairs: [probeId, targetId] });
  }

  /** Terminates the worker thread running this shard (a hung shard); onExit reports it. */
  kill(reason: string): void {
    this.#abort.abort(new Error(reason));
  }

  /** Asks the shard to stop; resolves when it has, or after `timeoutMs` (then it is killed). */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#shuttingDown = true;
    this.#queue({ type: 'shutdown' });
    this.#flush();
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

  /** The last queued message when it has this type, so consecutive sends coalesce. */
  #last<T extends Outgoing['type']>(type: T): Extract<Outgoing, { type: T }> | undefined {
    const last = this.#outbox[this.#outbox.length - 1];
    return last?.type === type ? (last as Extract<Outgoing, { type: T }>) : undefined;
  }

  #queue(msg: Outgoing): void {
    this.#outbox.push(msg);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushQueued = false;
    for (const msg of this.#outbox.splice(0)) {
      if (msg.type === 'probe') {
        const pairs = Uint32Array.from(msg.pairs);
        this.#port.postMessage({ type: 'probe', pairs } satisfies MainToShardMessage, [pairs.buffer]);
      } else {
        this.#port.postMessage(msg satisfies MainToShardMessage);
      }
    }
  }
}
