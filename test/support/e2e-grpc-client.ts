// Test helper: a grpc-js client of a running maglevd (the proto loaded as src/api/maglev-proto.ts
// loads it for clients), with promise helpers that keep the ServiceError (to assert status
// codes), a WatchEvents collector that waits for matching events, and raw calls whose body is
// any bytes (identity serializers) for fuzzing the server's decoding. Closed at teardown.

import * as grpc from '@grpc/grpc-js';
import type { EventMsg, WatchRequest } from '../../src/api/maglev-messages.js';
import { loadMaglevProto } from '../../src/api/maglev-proto.js';

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
  readonly events: EventMsg[];
  /** The first event (already received or future) matching pred, at or after index `from`. */
  next(pred: (ev: EventMsg) => boolean, timeoutMs?: number, from?: number): Promise<EventMsg>;
  /** Resolves with the final status (cancel → CANCELLED). */
  readonly end: Promise<grpc.StatusObject>;
  cancel(): void;
}

export interface E2eClient {
  readonly client: grpc.Client;
  call<T = unknown>(method: string, req?: object): Promise<T>;
  /** The error of a call that must fail (rejects if it succeeds). */
  fail(method: string, req?: object): Promise<grpc.ServiceError>;
  watch(req?: WatchRequest): EventWatch;
  /** A unary call with `body` as the encoded request. */
  raw(method: string, body: Buffer): Promise<RawResult>;
  /** A WatchEvents call with `body` as the encoded request: the status, or OK once one event arrived. */
  rawWatch(body: Buffer): Promise<RawResult>;
  close(): void;
}

type ClientCtor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;
type UnaryFn = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v: unknown) => void) => void;

const identity = (b: Buffer): Buffer => b;

/** Unary calls give up after this long, so a hung call fails the test instead of the run. */
const deadlineMs = 10_000;

/** A client of maglev.Maglev at host:port; closed at teardown. */
export function connectE2e(t: Teardown, address: string, options: grpc.ChannelOptions = {}): E2eClient {
  const pkg = grpc.loadPackageDefinition(loadMaglevProto('client')) as unknown as { maglev: { Maglev: ClientCtor } };
  const client = new pkg.maglev.Maglev(address, grpc.credentials.createInsecure(), options);
  const watches = new Set<EventWatch>();
  t.teardown(() => {
    for (const w of watches) w.cancel();
    client.close();
  });

  const invoke = (method: string, req: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, UnaryFn | undefined>)[method];
      if (fn === undefined) throw new Error(`no method ${method}`);
      fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (e, v) => (e === null ? resolve(v) : reject(e)));
    });

  const watch = (req: WatchRequest = {}): EventWatch => {
    const stream = (client as unknown as { WatchEvents(r: WatchRequest): grpc.ClientReadableStream<EventMsg> }).WatchEvents(req);
    const events: EventMsg[] = [];
    const waiters = new Set<() => void>();
    stream.on('data', (ev: EventMsg) => {
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
        new Promise<EventMsg>((resolve, reject) => {
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
    call: <T>(method: string, req: object = {}) => invoke(method, req) as Promise<T>,
    fail: async (method, req = {}) => {
      try {
        await invoke(method, req);
      } catch (e) {
        return e as grpc.ServiceError;
      }
      throw new Error(`${method} succeeded but should have failed`);
    },
    watch,
    raw: (method, body) =>
      new Promise<RawResult>((resolve) => {
        client.makeUnaryRequest(`/maglev.Maglev/${method}`, identity, identity, body, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (e, v) =>
          resolve(e === null ? { code: grpc.status.OK, details: '', body: v } : { code: e.code, details: e.details, body: undefined }),
        );
      }),
    rawWatch: (body) =>
      new Promise<RawResult>((resolve) => {
        const stream = client.makeServerStreamRequest('/maglev.Maglev/WatchEvents', identity, identity, body, new grpc.Metadata(), {
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
    close: () => client.close(),
  };
}

/** The event's kind and subject, e.g. `backend be1 up->down`, for readable assertions. */
export function describeEvent(ev: EventMsg): string {
  if (ev.backend) return `backend ${ev.backend.backend_name} ${ev.backend.transition?.from}->${ev.backend.transition?.to}`;
  if (ev.frontend) return `frontend ${ev.frontend.frontend_name} ${ev.frontend.transition?.from}->${ev.frontend.transition?.to}`;
  if (ev.log) return `log ${ev.log.level} ${ev.log.msg}`;
  return 'empty';
}
