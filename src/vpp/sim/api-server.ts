// The simulator's api.sock: a stream unix socket speaking VPP's framing,
// answering sockclnt_create with a message table whose dynamic ids start at a configurable base
// (lb in lb.api order, so lb ordinal k is lbBase + k), optionally with messages omitted or CRCs
// changed. Like VPP it processes each connection's messages in order, drops unknown ids and
// short messages, and ignores requests with a wrong client_index. Test hooks: drop every
// connection, delay or withhold replies, and an intercept that may answer or drop a request.

import fs from 'node:fs';
import net from 'node:net';
import { decodeMessage, encodeMessage, readMsgId } from '../codec.js';
import { encodeFrame, FrameDecoder } from '../frame.js';
import { messageNames, vppMessages, type MessageName } from '../messages.js';
import { handleRequest, type HandlerResult, type SimRuntime } from './api-handlers.js';

/** What an intercept may do instead of the handler: answer itself, or drop the connection unanswered. */
export type InterceptResult = HandlerResult | 'drop';

export interface ApiServerOptions {
  readonly socketPath: string;
  readonly runtime: () => SimRuntime;
  /** The first dynamically assigned message id (default 1000; must be above the memclnt ids). */
  readonly msgIdBase?: number;
  /** Left out of the table and not answered. */
  readonly omitMessages?: readonly MessageName[];
  /** Listed under another CRC (a client must then treat them as missing). */
  readonly crcOverrides?: Partial<Record<MessageName, string>>;
  /** Extra table entries of other "modules", to make the reply realistically large (default 2000). */
  readonly fillerMessages?: number;
  /** Called after each handled request (the composition refreshes the stats segment). */
  readonly afterRequest?: (name: MessageName) => void;
  /** Sees each accepted request (after the client_index check) before the handler; a result replaces it. */
  readonly intercept?: (name: MessageName, body: Record<string, unknown>) => InterceptResult | undefined;
}

interface SimConnection {
  readonly socket: net.Socket;
  readonly decoder: FrameDecoder;
  readonly queue: Buffer[];
  index: number | undefined;
  busy: boolean;
}

/** Assigns ids: memclnt fixed, the rest from base in table order. */
export function assignMessageIds(base: number): Map<MessageName, number> {
  if (base <= 24) throw new RangeError(`msgIdBase ${base} collides with the fixed memclnt ids`);
  const ids = new Map<MessageName, number>();
  let next = base;
  for (const name of messageNames) {
    const fixed = (vppMessages[name] as { fixedId?: number }).fixedId;
    ids.set(name, fixed ?? next++);
  }
  return ids;
}

export class ApiServer {
  readonly #opts: ApiServerOptions;
  readonly #server: net.Server;
  readonly #ids: Map<MessageName, number>;
  readonly #names = new Map<number, MessageName>();
  readonly #table: Array<{ id: number; name: string }>;
  readonly #conns = new Set<SimConnection>();
  #registrations = 0;
  /** undefined: answer at once; a number: delay each reply; 'never': hold until resumed. */
  #stall: number | 'never' | undefined;

  private constructor(opts: ApiServerOptions) {
    this.#opts = opts;
    this.#ids = assignMessageIds(opts.msgIdBase ?? 1000);
    const omit = new Set(opts.omitMessages ?? []);
    const ours: Array<{ id: number; name: string }> = [];
    for (const [name, id] of this.#ids) {
      if (omit.has(name)) continue;
      this.#names.set(id, name);
      ours.push({ id, name: `${name}_${opts.crcOverrides?.[name] ?? vppMessages[name].crc}` });
    }
    const fillers: Array<{ id: number; name: string }> = [];
    let nextId = Math.max(...this.#ids.values()) + 1;
    for (let i = 0; i < (opts.fillerMessages ?? 2000) && nextId <= 0xffff; i++) {
      fillers.push({ id: nextId++, name: `sim_filler_${i}_${(0x10000000 + i).toString(16)}` });
    }
    // Arbitrary order, as VPP's table is: half the fillers, ours reversed, the rest.
    const half = fillers.length >> 1;
    this.#table = [...fillers.slice(0, half), ...ours.reverse(), ...fillers.slice(half)];
    this.#server = net.createServer((s) => this.#accept(s));
  }

  /** Listens on socketPath (a stale socket file is removed first). */
  static async start(opts: ApiServerOptions): Promise<ApiServer> {
    const srv = new ApiServer(opts);
    fs.rmSync(opts.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      srv.#server.once('error', reject);
      srv.#server.listen(opts.socketPath, () => {
        srv.#server.off('error', reject);
        resolve();
      });
    });
    return srv;
  }

  /** The ids this instance assigned (omitted messages included). */
  get messageIds(): ReadonlyMap<MessageName, number> {
    return this.#ids;
  }

  /** Open client connections. */
  get connections(): number {
    return this.#conns.size;
  }

  /** Closes every client connection at once (as a VPP crash would). */
  dropConnections(): void {
    for (const c of this.#conns) c.socket.destroy();
    this.#conns.clear();
  }

  /** Delays every reply by delayMs, or withholds replies until resumeReplies() when no delay is given. */
  stallReplies(delayMs?: number): void {
    this.#stall = delayMs ?? 'never';
  }

  resumeReplies(): void {
    this.#stall = undefined;
    for (const c of this.#conns) void this.#pump(c);
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    fs.rmSync(this.#opts.socketPath, { force: true });
  }

  #accept(socket: net.Socket): void {
    const c: SimConnection = { socket, decoder: new FrameDecoder(), queue: [], index: undefined, busy: false };
    this.#conns.add(c);
    socket.on('data', (chunk: Buffer) => {
      try {
        c.queue.push(...c.decoder.push(chunk));
      } catch {
        // A corrupt frame length: VPP would drop the client too.
        socket.destroy();
        return;
      }
      void this.#pump(c);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#conns.delete(c));
  }

  /** Handles queued messages strictly in order, honouring the stall setting. */
  async #pump(c: SimConnection): Promise<void> {
    if (c.busy) return;
    c.busy = true;
    // Replies to one burst of requests leave in one write, as from a VPP that drains its queue;
    // never held back across a stall.
    c.socket.cork();
    try {
      while (c.queue.length > 0 && !c.socket.destroyed) {
        if (this.#held()) return;
        const delay = this.#stall;
        if (typeof delay === 'number') {
          c.socket.uncork();
          await new Promise((r) => setTimeout(r, delay).unref());
          c.socket.cork();
          // The stall may have changed while we slept.
          if (this.#held()) return;
        }
        this.#handle(c, c.queue.shift()!);
      }
    } finally {
      c.socket.uncork();
      c.busy = false;
    }
  }

  #held(): boolean {
    return this.#stall === 'never';
  }

  #handle(c: SimConnection, msg: Buffer): void {
    if (msg.length < 2) return;
    const name = this.#names.get(readMsgId(msg));
    if (name === undefined) return;
    const def = vppMessages[name] as { reply?: string; details?: string };
    if (def.reply === undefined && def.details === undefined) return;
    let decoded;
    try {
      decoded = decodeMessage(name, msg, { ipv4InIpv6: 'wire' });
    } catch {
      // Too short: VPP drops it silently.
      return;
    }
    const rt = this.#opts.runtime();
    if (name === 'sockclnt_create') {
      c.index = (0x80000000 | ++this.#registrations) >>> 0;
      this.#send(c, decoded.context, [
        { name: 'sockclnt_create_reply', body: { response: 0, index: c.index, message_table: this.#table } },
      ]);
      return;
    }
    // A wrong client_index gets no reply at all.
    if (c.index === undefined || decoded.clientIndex !== c.index) return;
    const over = this.#opts.intercept?.(name, decoded.body);
    if (over === 'drop') {
      c.socket.destroy();
      return;
    }
    const out = over ?? handleRequest(name, decoded.body, rt, c.index);
    this.#send(c, decoded.context, out.replies);
    this.#opts.afterRequest?.(name);
    if (out.close === true) c.socket.end();
  }

  #send(c: SimConnection, context: number, replies: ReadonlyArray<{ name: MessageName; body: unknown }>): void {
    if (replies.length === 0) return;
    const frames = replies.map((r) => encodeFrame(encodeMessage(r.name, this.#ids.get(r.name)!, { context, clientIndex: 0 }, r.body as never)));
    c.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }
}
