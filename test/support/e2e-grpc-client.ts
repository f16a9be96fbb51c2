// Test helper: the one client (src/api/maglev-client.ts) of a running maglevd, with a helper that
// keeps the ServiceError of a call that must fail (to assert status codes), a WatchEvents
// collector that waits for matching events, and, straight on grpc-js, calls whose body is any
// bytes (identity serializers) or any JS object (proto-loader's own coercions) for fuzzing the
// server's decoding. Closed at teardown.

import * as grpc from '@grpc/grpc-js';
import { MaglevClient } from '../../src/api/maglev-client.js';
import type { Event, WatchRequest__Input } from '../../src/api/maglev-messages.js';
import { loadMaglevProto, maglevServiceName } from '../../src/api/maglev-proto.js';
import type { RpcRequest, UnaryRpc } from '../../src/api/maglev-rpc.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** The outcome of a raw call: status code and details, plus the reply bytes when OK. */
export interface RawResult {
  readonly code: grpc.status;
  readonly details: string;
  readonly body: Buffer | undefined;
}

export interface EventWatch {
  /** Every event received so far, in order. */
  readonly events: Event[];
  /** The first event (already received or future) matching pred, at or after index `from`. */
  next(pred: (ev: Event) => boolean, timeoutMs?: number, from?: number): Promise<Event>;
  /** Resolves with the final status (cancel → CANCELLED). */
  readonly end: Promise<grpc.StatusObject>;
  cancel(): void;
}

export interface E2eClient {
  readonly client: MaglevClient;
  /** Any unary RPC (MaglevClient.call). */
  readonly call: MaglevClient['call'];
  /** The error of a call that must fail (rejects if it succeeds). */
  fail<M extends UnaryRpc>(method: M, req?: RpcRequest<M>): Promise<grpc.ServiceError>;
  watch(req?: WatchRequest__Input): EventWatch;
  /** A unary call with `body` as the encoded request. */
  raw(method: string, body: Buffer): Promise<RawResult>;
  /** A unary call with a request of any shape, encoded by proto-loader's serializer as a client would. */
  loose(method: string, req: object): Promise<RawResult>;
  /** A WatchEvents call with `body` as the encoded request: the status, or OK once one event arrived. */
  rawWatch(body: Buffer): Promise<RawResult>;
  close(): void;
}

const identity = (b: Buffer): Buffer => b;

/** Unary calls give up after this long, so a hung call fails the test instead of the run. */
const deadlineMs = 10_000;

/** proto-loader's request serializer of `method`, which accepts any object. */
function looseSerializer(method: string): (req: object) => Buffer {
  const service = loadMaglevProto('client')[maglevServiceName];
  const m = service === undefined || 'format' in service ? undefined : service[method];
  if (m === undefined) throw new Error(`no method ${method}`);
  return (req) => m.requestSerialize(req);
}

/** A client of maglev.Maglev at host:port; closed at teardown. */
export function connectE2e(t: Teardown, address: string, channelOptions: grpc.ChannelOptions = {}): E2eClient {
  const client = new MaglevClient(address, { deadlineMs, channelOptions });
  // Raw bytes bypass the typed client: a plain grpc-js channel, opened on first use.
  let rawClient: grpc.Client | undefined;
  const raw = (): grpc.Client => (rawClient ??= new grpc.Client(address, grpc.credentials.createInsecure(), channelOptions));
  const watches = new Set<EventWatch>();
  t.teardown(() => {
    for (const w of watches) w.cancel();
    client.close();
    rawClient?.close();
  });

  const rawUnary = (method: string, body: Buffer): Promise<RawResult> =>
    new Promise<RawResult>((resolve) => {
      raw().makeUnaryRequest(`/${maglevServiceName}/${method}`, identity, identity, body, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (e, v) =>
        resolve(e === null ? { code: grpc.status.OK, details: '', body: v } : { code: e.code, details: e.details, body: undefined }),
      );
    });

  const watch = (req: WatchRequest__Input = {}): EventWatch => {
    const stream = client.watchEvents(req);
    const events: Event[] = [];
    const waiters = new Set<() => void>();
    stream.on('data', (ev: Event) => {
      events.push(ev);
      for (const w of [...waiters]) w();
    });
    stream.on('error', () => {});
    const end = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
    const w: EventWatch = {
      events,
      end,
      cancel: () => stream.cancel(),
      next: (pred, timeoutMs = 10_000, from = 0) =>
        new Promise<Event>((resolve, reject) => {
          const check = (): boolean => {
            const hit = events.slice(from).find(pred);
            if (hit === undefined) return false;
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
            return true;
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`no matching event within ${timeoutMs} ms; got ${events.length}: ${JSON.stringify(events.slice(-6))}`));
          }, timeoutMs);
          if (check()) return;
          waiters.add(check);
          void end.then((s) => {
            if (!waiters.has(check)) return;
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`stream ended (${s.code} ${s.details}) before a matching event; got ${events.length}`));
          });
        }),
    };
    watches.add(w);
    return w;
  };

  return {
    client,
    call: (method, req, opts) => client.call(method, req, opts),
    fail: async (method, req = {}) => {
      try {
        await client.call(method, req);
      } catch (e) {
        return e as grpc.ServiceError;
      }
      throw new Error(`${method} succeeded but should have failed`);
    },
    watch,
    raw: rawUnary,
    loose: (method, req) => rawUnary(method, looseSerializer(method)(req)),
    rawWatch: (body) =>
      new Promise<RawResult>((resolve) => {
        const stream = raw().makeServerStreamRequest(`/${maglevServiceName}/WatchEvents`, identity, identity, body, new grpc.Metadata(), {
          deadline: Date.now() + deadlineMs,
        });
        let settled = false;
        stream.on('data', (b: Buffer) => {
          if (settled) return;
          settled = true;
          resolve({ code: grpc.status.OK, details: '', body: b });
          stream.cancel();
        });
        stream.on('error', () => {});
        stream.on('status', (s: grpc.StatusObject) => {
          if (settled) return;
          settled = true;
          resolve({ code: s.code, details: s.details, body: undefined });
        });
      }),
    close: () => {
      client.close();
      rawClient?.close();
    },
  };
}

/** The event's kind and subject, e.g. `backend be1 up->down`, for readable assertions. */
export function describeEvent(ev: Event): string {
  if (ev.backend) return `backend ${ev.backend.backend_name} ${ev.backend.transition?.from}->${ev.backend.transition?.to}`;
  if (ev.frontend) return `frontend ${ev.frontend.frontend_name} ${ev.frontend.transition?.from}->${ev.frontend.transition?.to}`;
  if (ev.log) return `log ${ev.log.level} ${ev.log.msg}`;
  return 'empty';
}
