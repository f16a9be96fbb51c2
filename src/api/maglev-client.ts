// The one client of the maglev.Maglev service (maglevc, the dashboard, tests): a grpc-js client
// over plaintext HTTP/2 with the client options of maglev-proto.ts, a promise-returning method per
// unary RPC with a deadline (the client's default, or the call's own), and the WatchEvents
// stream. Calls are typed by the generated service definition; failures reject with the grpc-js
// ServiceError (callers read `.code` and `.details`).

import * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import type { MaglevDefinition } from '../generated/proto/maglev/Maglev.js';
import type { Event, WatchRequest__Input } from './maglev-messages.js';
import { loadMaglevClientProto } from './maglev-proto.js';
import type { RpcRequest, RpcResponse, UnaryRpc } from './maglev-rpc.js';

/** An empty request: proto3 request fields are all optional, so `{}` is a valid request of every RPC. */
type NoFields = Record<string, never>;

/** The parts of a method definition a call needs, per unary RPC. */
type UnaryMethods = {
  readonly [M in UnaryRpc]: {
    readonly path: string;
    readonly requestSerialize: (req: RpcRequest<M> | NoFields) => Buffer;
    readonly responseDeserialize: (bytes: Buffer) => RpcResponse<M>;
  };
};


/** One PreviewConfig chunk: well under the server's 64 KiB request cap. */
export const previewChunkBytes = 32 * 1024;
export interface MaglevClientOptions {
  /** Unary calls that do not name their own deadline give up after this long. */
  readonly deadlineMs: number;
  readonly channelOptions?: grpc.ChannelOptions;
}

export interface CallOptions {
  readonly deadlineMs?: number;
}

const backendActionRpcs = { pause: 'PauseBackend', resume: 'ResumeBackend', enable: 'EnableBackend', disable: 'DisableBackend' } as const satisfies Record<string, UnaryRpc>;

/** The operator actions on a backend, one RPC each. */
export type BackendAction = keyof typeof backendActionRpcs;
export const backendActions: readonly BackendAction[] = ['pause', 'resume', 'enable', 'disable'];

export function isBackendAction(s: string): s is BackendAction {
  return (backendActions as readonly string[]).includes(s);
}

/** The text to show for a failed call: the server's message only, without grpc-js's decoration. */
export function errorText(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'details' in e && typeof e.details === 'string' && e.details !== '') {
    return e.details.replace(/\s*Resolution note:\s*$/, ''); // grpc-js appends an empty note to connect errors
  }
  return e instanceof Error ? e.message : String(e);
}

export class MaglevClient {
  /** The proto's descriptors (client options), e.g. for protojson output. */
  readonly pkg: PackageDefinition;
  readonly #client: grpc.Client;
  readonly #service: MaglevDefinition;
  /** The same definition, seen per unary RPC so that call() is typed by its method name. */
  readonly #unary: UnaryMethods;
  readonly #deadlineMs: number;

  constructor(address: string, opts: MaglevClientOptions) {
    const proto = loadMaglevClientProto();
    const Maglev = proto.grpc.maglev.Maglev;
    this.pkg = proto.definition;
    this.#client = new Maglev(address, grpc.credentials.createInsecure(), opts.channelOptions);
    this.#service = Maglev.service;
    this.#unary = Maglev.service;
    this.#deadlineMs = opts.deadlineMs;
  }

  /** Any unary RPC by name. */
  call<M extends UnaryRpc>(method: M, req: RpcRequest<M> | NoFields = {}, opts: CallOptions = {}): Promise<RpcResponse<M>> {
    const m = this.#unary[method];
    const deadline = Date.now() + (opts.deadlineMs ?? this.#deadlineMs);
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, req, new grpc.Metadata(), { deadline }, (e, v) => {
        if (e !== null) reject(e);
        else if (v === undefined) reject(new Error(`${method}: no response`));
        else resolve(v);
      });
    });
  }

  listFrontends = (req: RpcRequest<'ListFrontends'> = {}, opts?: CallOptions) => this.call('ListFrontends', req, opts);
  getFrontend = (req: RpcRequest<'GetFrontend'>, opts?: CallOptions) => this.call('GetFrontend', req, opts);
  listBackends = (req: RpcRequest<'ListBackends'> = {}, opts?: CallOptions) => this.call('ListBackends', req, opts);
  getBackend = (req: RpcRequest<'GetBackend'>, opts?: CallOptions) => this.call('GetBackend', req, opts);
  pauseBackend = (req: RpcRequest<'PauseBackend'>, opts?: CallOptions) => this.call('PauseBackend', req, opts);
  resumeBackend = (req: RpcRequest<'ResumeBackend'>, opts?: CallOptions) => this.call('ResumeBackend', req, opts);
  enableBackend = (req: RpcRequest<'EnableBackend'>, opts?: CallOptions) => this.call('EnableBackend', req, opts);
  disableBackend = (req: RpcRequest<'DisableBackend'>, opts?: CallOptions) => this.call('DisableBackend', req, opts);
  listHealthChecks = (req: RpcRequest<'ListHealthChecks'> = {}, opts?: CallOptions) => this.call('ListHealthChecks', req, opts);
  getHealthCheck = (req: RpcRequest<'GetHealthCheck'>, opts?: CallOptions) => this.call('GetHealthCheck', req, opts);
  setFrontendPoolBackendWeight = (req: RpcRequest<'SetFrontendPoolBackendWeight'>, opts?: CallOptions) =>
    this.call('SetFrontendPoolBackendWeight', req, opts);
  checkConfig = (req: RpcRequest<'CheckConfig'> = {}, opts?: CallOptions) => this.call('CheckConfig', req, opts);
  reloadConfig = (req: RpcRequest<'ReloadConfig'> = {}, opts?: CallOptions) => this.call('ReloadConfig', req, opts);
  getVppInfo = (req: RpcRequest<'GetVPPInfo'> = {}, opts?: CallOptions) => this.call('GetVPPInfo', req, opts);
  getVppLbState = (req: RpcRequest<'GetVPPLBState'> = {}, opts?: CallOptions) => this.call('GetVPPLBState', req, opts);
  syncVppLbState = (req: RpcRequest<'SyncVPPLBState'> = {}, opts?: CallOptions) => this.call('SyncVPPLBState', req, opts);
  getVppLbCounters = (req: RpcRequest<'GetVPPLBCounters'> = {}, opts?: CallOptions) => this.call('GetVPPLBCounters', req, opts);
  previewChange = (req: RpcRequest<'PreviewChange'>, opts?: CallOptions) => this.call('PreviewChange', req, opts);
  getVppLbDigest = (req: RpcRequest<'GetVPPLBDigest'> = {}, opts?: CallOptions) => this.call('GetVPPLBDigest', req, opts);

  /** Pause, resume, enable or disable a backend: the RPC of that name. */
  backendAction = (action: BackendAction, req: RpcRequest<'PauseBackend'>, opts?: CallOptions) => this.call(backendActionRpcs[action], req, opts);

  /**
   * Previews a whole candidate config (PreviewConfig): the text goes up in chunks that each fit
   * the server's request cap; `frontend` narrows the answer to that frontend's VIP.
   */
  previewConfig(text: string, frontend = '', opts: CallOptions = {}): Promise<RpcResponse<'PreviewConfig'>> {
    const m = this.#service.PreviewConfig;
    const deadline = Date.now() + (opts.deadlineMs ?? this.#deadlineMs);
    return new Promise((resolve, reject) => {
      const call = this.#client.makeClientStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, new grpc.Metadata(), { deadline }, (e, v) => {
        if (e !== null) reject(e);
        else if (v === undefined) reject(new Error('PreviewConfig: no response'));
        else resolve(v);
      });
      const bytes = Buffer.from(text, 'utf8');
      let offset = 0;
      do {
        call.write({ ...(offset === 0 ? { frontend } : {}), text: bytes.subarray(offset, offset + previewChunkBytes) });
        offset += previewChunkBytes;
      } while (offset < bytes.length);
      call.end();
    });
  }

  /** The event stream; no deadline unless one is given (it is meant to stay open). */
  watchEvents(req: WatchRequest__Input = {}, opts: CallOptions = {}): grpc.ClientReadableStream<Event> {
    const m = this.#service.WatchEvents;
    const callOpts = opts.deadlineMs === undefined ? {} : { deadline: Date.now() + opts.deadlineMs };
    return this.#client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, req, new grpc.Metadata(), callOpts);
  }

  close(): void {
    this.#client.close();
  }
}
