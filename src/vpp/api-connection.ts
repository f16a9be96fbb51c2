// One connection to VPP's api.sock (vpp-wire.md §2, behaviour.md §5.1): connect, sockclnt_create
// as `vpp-maglev`, resolve ids by name_crc and refuse an incompatible VPP, then pipelined requests
// matched to replies by a fresh non-zero context, each with a timeout and a settled guard. Dumps
// end with a control_ping on the same context. Every call passes through #exchange, the one place
// that logs vpp-api-send/-recv(-multi) and feeds the maglev_vpp_api_total hook.

import net from 'node:net';
import { createRealClock, type Clock, type TimerHandle } from '../shared/clock.js';
import { formatDurationMs } from '../shared/duration.js';
import { DaemonError, errorMessage } from '../shared/errors.js';
import { createSilentLogger, type Logger } from '../shared/log.js';
import { contextOffset, decodeMessage, encodeMessage, readMsgId } from './codec.js';
import { encodeFrame, FrameDecoder } from './frame.js';
import {
  messageNames,
  nameCrc,
  requiredMessages,
  vppMessages,
  type DetailsName,
  type DumpName,
  type MessageBody,
  type MessageName,
  type ReplyName,
  type RequestName,
} from './messages.js';
import { VppApiError } from './vpp-api-error.js';

export type ApiDirection = 'send' | 'recv';
export type ApiResult = 'success' | 'failure';
/** Counts maglev_vpp_api_total{msg,direction,result}; msg is the request name without CRC. */
export type ApiMetricsHook = (msg: string, direction: ApiDirection, result: ApiResult) => void;

export interface ApiConnectionOptions {
  readonly path: string;
  /** Shown by VPP's `show api clients`. */
  readonly clientName?: string;
  readonly clock?: Clock;
  /** Reply timeout per request (default 5 s). */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  readonly metrics?: ApiMetricsHook;
  /** Messages whose absence refuses the connection (default: vpp-wire.md §3). */
  readonly required?: readonly MessageName[];
}

export interface CallOptions {
  readonly timeoutMs?: number;
  /** Resolve with the reply even when its status is not OK (the caller inspects retval). */
  readonly rawStatus?: boolean;
}

/** VPP lacks required messages, or has them with another CRC (another layout). */
export class VppIncompatibleError extends DaemonError {
  /** Our expected name_crc strings, each annotated with VPP's CRC when it has another one. */
  readonly missing: readonly string[];

  constructor(missing: readonly string[]) {
    super('VPP_INCOMPATIBLE', `VPP API incompatible (lb API 1.2.0 required): missing or mismatched ${missing.join(', ')}`);
    this.name = 'VppIncompatibleError';
    this.missing = missing;
  }
}

interface Pending {
  readonly msg: MessageName;
  readonly context: number;
  /** The reply that settles a request, or undefined for a dump. */
  readonly reply: MessageName | undefined;
  readonly details: MessageName | undefined;
  readonly rawStatus: boolean;
  readonly items: unknown[];
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  timer: TimerHandle | undefined;
}

const defaultTimeoutMs = 5000;

export class ApiConnection {
  readonly #socket: net.Socket;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  readonly #metrics: ApiMetricsHook | undefined;
  readonly #decoder = new FrameDecoder();
  readonly #pending = new Map<number, Pending>();
  readonly #closeListeners = new Set<(reason: string) => void>();
  /** name → id and id → name, from sockclnt_create_reply; undefined until the handshake. */
  #ids: Map<MessageName, number> | undefined;
  readonly #names = new Map<number, MessageName>();
  #clientIndex = 0;
  #lastContext = 0;
  #closeReason: string | undefined;
  #closing = false;

  private constructor(socket: net.Socket, opts: ApiConnectionOptions) {
    this.#socket = socket;
    this.#clock = opts.clock ?? createRealClock();
    this.#timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
    this.#log = opts.logger ?? createSilentLogger();
    this.#metrics = opts.metrics;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.destroy(err.message));
    socket.on('close', () => this.destroy(this.#closing ? 'closed by client' : 'EOF'));
  }

  /** Connects, registers and checks compatibility. Rejects with VppIncompatibleError or VPP_NOT_CONNECTED. */
  static async connect(opts: ApiConnectionOptions): Promise<ApiConnection> {
    const socket = await openSocket(opts.path);
    const conn = new ApiConnection(socket, opts);
    try {
      await conn.#register(opts.clientName ?? 'vpp-maglev', opts.required ?? requiredMessages);
    } catch (e) {
      conn.destroy(errorMessage(e));
      throw e;
    }
    return conn;
  }

  /** The `index` from sockclnt_create_reply, sent as client_index in every request. */
  get clientIndex(): number {
    return this.#clientIndex;
  }

  get closed(): boolean {
    return this.#closeReason !== undefined;
  }

  /**
   * Runs fn with the socket corked, so the requests it starts leave in one write when it
   * returns. Only for synchronous fn: nothing is held past its return.
   */
  inOneWrite<T>(fn: () => T): T {
    this.#socket.cork();
    try {
      return fn();
    } finally {
      this.#socket.uncork();
    }
  }

  /** True when VPP offers this message with our CRC. */
  has(name: MessageName): boolean {
    return this.#ids?.has(name) ?? false;
  }

  /** The id VPP assigned to this message, if it offers it with our CRC. */
  messageId(name: MessageName): number | undefined {
    return this.#ids?.get(name);
  }

  /** Calls fn once when the connection ends (EOF, error, timeout, close); returns an unsubscribe. */
  onClose(fn: (reason: string) => void): () => void {
    const reason = this.#closeReason;
    if (reason !== undefined) {
      queueMicrotask(() => fn(reason));
      return () => {};
    }
    this.#closeListeners.add(fn);
    return () => this.#closeListeners.delete(fn);
  }

  /** One request, one reply. A status other than OK rejects with VppApiError unless rawStatus. */
  request<N extends RequestName>(name: N, body: MessageBody<N>, opts: CallOptions = {}): Promise<MessageBody<ReplyName<N>>> {
    const reply = vppMessages[name].reply as MessageName;
    return this.#exchange(name, body, reply, undefined, opts) as Promise<MessageBody<ReplyName<N>>>;
  }

  /** A dump: every details message up to the control_ping_reply of the same context. */
  dump<N extends DumpName>(name: N, body: MessageBody<N>, opts: CallOptions = {}): Promise<Array<MessageBody<DetailsName<N>>>> {
    const details = vppMessages[name].details as MessageName;
    return this.#exchange(name, body, undefined, details, opts) as Promise<Array<MessageBody<DetailsName<N>>>>;
  }

  /** Sends sockclnt_delete (VPP answers +1), then closes. Never rejects. */
  async close(): Promise<void> {
    if (this.closed || this.#closing) return;
    if (this.has('sockclnt_delete')) {
      // A failure here is already logged and counted by #exchange; we close either way.
      await this.request('sockclnt_delete', { index: this.#clientIndex }, { timeoutMs: 1000 }).catch(() => undefined);
    }
    this.#closing = true;
    this.destroy('closed by client');
  }

  /** Ends the connection now, failing every pending call with VPP_DISCONNECTED. */
  destroy(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#socket.destroy();
    for (const p of [...this.#pending.values()]) {
      this.#settle(p, new DaemonError('VPP_DISCONNECTED', `${p.msg}: connection closed (${reason})`), undefined);
    }
    for (const fn of [...this.#closeListeners]) fn(reason);
    this.#closeListeners.clear();
  }

  async #register(clientName: string, required: readonly MessageName[]): Promise<void> {
    const reply = await this.request('sockclnt_create', { name: clientName });
    const offered = new Map<string, { crc: string; id: number }>();
    for (const e of reply.message_table) {
      const cut = e.name.lastIndexOf('_');
      if (cut > 0) offered.set(e.name.slice(0, cut), { crc: e.name.slice(cut + 1), id: e.id });
    }
    const ids = new Map<MessageName, number>();
    for (const name of messageNames) {
      const o = offered.get(name);
      if (o !== undefined && o.crc === vppMessages[name].crc) {
        ids.set(name, o.id);
        this.#names.set(o.id, name);
      }
    }
    const missing = required
      .filter((n) => !ids.has(n))
      .map((n) => {
        const o = offered.get(n);
        return o === undefined ? nameCrc(n) : `${nameCrc(n)} (VPP has ${n}_${o.crc})`;
      });
    if (missing.length > 0) throw new VppIncompatibleError(missing);
    this.#ids = ids;
    this.#clientIndex = reply.index;
  }

  #nextContext(): number {
    this.#lastContext = (this.#lastContext % 0xffffffff) + 1;
    return this.#lastContext;
  }

  #idOf(name: MessageName): number | undefined {
    if (this.#ids === undefined) return name === 'sockclnt_create' ? vppMessages.sockclnt_create.fixedId : undefined;
    return this.#ids.get(name);
  }

  #exchange(msg: MessageName, body: unknown, reply: MessageName | undefined, details: MessageName | undefined, opts: CallOptions): Promise<unknown> {
    const multi = details !== undefined;
    const context = this.#nextContext();
    const id = this.#idOf(msg);
    const pingId = multi ? this.#idOf('control_ping') : undefined;
    this.#log.debug(multi ? 'vpp-api-send-multi' : 'vpp-api-send', { vpp_msg: msg, context });
    if (this.closed) {
      this.#count(msg, 'send', 'failure');
      return Promise.reject(new DaemonError('VPP_DISCONNECTED', `${msg}: not connected (${this.#closeReason})`));
    }
    if (id === undefined || (multi && pingId === undefined)) {
      this.#count(msg, 'send', 'failure');
      return Promise.reject(new DaemonError('VPP_INCOMPATIBLE', `${msg}: not offered by this VPP`));
    }
    let frames: Buffer;
    try {
      const header = { context, clientIndex: this.#clientIndex };
      const parts = [encodeFrame(encodeMessage(msg, id, header, body as never))];
      if (pingId !== undefined) parts.push(encodeFrame(encodeMessage('control_ping', pingId, header, {})));
      frames = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    } catch (e) {
      this.#count(msg, 'send', 'failure');
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise((resolve, reject) => {
      const p: Pending = { msg, context, reply, details, rawStatus: opts.rawStatus === true, items: [], resolve, reject, timer: undefined };
      this.#pending.set(context, p);
      const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
      p.timer = this.#clock.setTimeout(() => {
        p.timer = undefined;
        // After an event-loop stall, timers run before the poll phase reads the socket, so a
        // reply that arrived in time would lose the race. Judge after that poll phase instead.
        setImmediate(() => {
          if (this.#pending.get(context) !== p) return;
          const err = new DaemonError('VPP_TIMEOUT', `${msg}: no reply within ${formatDurationMs(timeoutMs)}`);
          this.#settle(p, err, undefined);
          // Replies are strictly ordered: a missing one means the stream can no longer be trusted.
          this.destroy(`${msg} reply timeout`);
        });
      }, timeoutMs);
      this.#socket.write(frames, (err) => this.#count(msg, 'send', err ? 'failure' : 'success'));
    });
  }

  /** Resolves or rejects once; logs the receive side and counts it. */
  #settle(p: Pending, err: Error | undefined, value: unknown, retval?: number): void {
    if (this.#pending.get(p.context) !== p) return;
    this.#pending.delete(p.context);
    if (p.timer !== undefined) this.#clock.clearTimeout(p.timer);
    const multi = p.details !== undefined;
    const attrs = err === undefined || err instanceof VppApiError ? { vpp_msg: p.msg, context: p.context, retval } : { vpp_msg: p.msg, context: p.context, err: err.message };
    this.#log.debug(multi ? 'vpp-api-recv-multi' : 'vpp-api-recv', multi ? { ...attrs, count: p.items.length } : attrs);
    this.#count(p.msg, 'recv', err === undefined && (retval ?? 0) === okStatus(p) ? 'success' : 'failure');
    if (err !== undefined) p.reject(err);
    else p.resolve(value);
  }

  #count(msg: MessageName, direction: ApiDirection, result: ApiResult): void {
    this.#metrics?.(msg, direction, result);
  }

  #onData(chunk: Buffer): void {
    try {
      for (const msg of this.#decoder.push(chunk)) this.#onMessage(msg);
    } catch (e) {
      this.destroy(`protocol error: ${errorMessage(e)}`);
    }
  }

  #onMessage(msg: Buffer): void {
    const id = readMsgId(msg);
    // Before the table is known, the only thing VPP can send is the sockclnt_create_reply.
    const name = this.#ids === undefined ? 'sockclnt_create_reply' : this.#names.get(id);
    if (name === undefined) return;
    const off = contextOffset(vppMessages[name].header);
    if (msg.length < off + 4) throw new DaemonError('VPP_PROTOCOL', `${name}: message too short (${msg.length} bytes)`);
    const p = this.#pending.get(msg.readUInt32BE(off));
    // No pending call: a late reply after a timeout or close. Ignore it.
    if (p === undefined) return;
    if (p.details !== undefined) {
      if (name === p.details) p.items.push(decodeMessage(name, msg).body);
      else if (name === 'control_ping_reply') this.#finish(p, decodeMessage(name, msg).body, p.items);
      return;
    }
    if (name === p.reply) {
      const body = decodeMessage(name, msg).body;
      this.#finish(p, body, body);
    }
  }

  /** Checks the status field of the settling message (retval, or response for sockclnt_*). */
  #finish(p: Pending, statusBody: object, value: unknown): void {
    const settling = p.details !== undefined ? 'control_ping_reply' : p.reply!;
    const field = (vppMessages[settling] as { status?: { field: string } }).status?.field ?? 'retval';
    const raw = (statusBody as Record<string, unknown>)[field];
    const status = typeof raw === 'number' ? raw : 0;
    if (status !== okStatus(p) && !p.rawStatus) this.#settle(p, new VppApiError(p.msg, status), undefined, status);
    else this.#settle(p, undefined, value, status);
  }
}

function okStatus(p: Pending): number {
  const settling = p.details !== undefined ? 'control_ping_reply' : p.reply!;
  return (vppMessages[settling] as { status?: { ok: number } }).status?.ok ?? 0;
}

function openSocket(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection({ path });
    const onError = (err: Error): void => {
      s.destroy();
      reject(new DaemonError('VPP_NOT_CONNECTED', `connect ${path}: ${err.message}`, { cause: err }));
    };
    s.once('error', onError);
    s.once('connect', () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}
