// The dashboard's gRPC client of one maglevd: plaintext HTTP/2 through grpc-js, the proto loaded
// with the client options of src/api/maglev-proto.ts (defaults filled in, int64 as strings), a
// deadline on every unary call, and the WatchEvents stream. Errors are grpc-js ServiceErrors;
// http-error.ts turns them into HTTP answers.

import * as grpc from '@grpc/grpc-js';
import type {
  BackendInfo,
  EventMsg,
  FrontendInfo,
  HealthCheckInfo,
  SetWeightRequest,
  VPPInfo,
  VPPLBState,
  WatchRequest,
} from '../api/maglev-messages.js';
import { loadMaglevProto } from '../api/maglev-proto.js';

export type BackendAction = 'pause' | 'resume' | 'enable' | 'disable';
export const backendActions: readonly BackendAction[] = ['pause', 'resume', 'enable', 'disable'];

type UnaryMethod = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v: unknown) => void) => void;
type ClientCtor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ClientOptions) => grpc.Client;

/** The RPCs the dashboard uses, as a seam: scopes are tested against fakes of it too. */
export interface MaglevdApi {
  listFrontends(deadlineMs?: number): Promise<string[]>;
  getFrontend(name: string): Promise<FrontendInfo>;
  listBackends(): Promise<string[]>;
  getBackend(name: string): Promise<BackendInfo>;
  listHealthChecks(): Promise<string[]>;
  getHealthCheck(name: string): Promise<HealthCheckInfo>;
  getVppInfo(): Promise<VPPInfo>;
  getVppLbState(): Promise<VPPLBState>;
  backendAction(action: BackendAction, name: string): Promise<BackendInfo>;
  setWeight(req: Required<SetWeightRequest>): Promise<FrontendInfo>;
  watchEvents(req: WatchRequest): grpc.ClientReadableStream<EventMsg>;
  close(): void;
}

function maglevClientCtor(): ClientCtor {
  const pkg = grpc.loadPackageDefinition(loadMaglevProto('client')) as unknown as { maglev: { Maglev: ClientCtor } };
  return pkg.maglev.Maglev;
}

export class MaglevdClient implements MaglevdApi {
  readonly address: string;
  readonly #client: grpc.Client;
  readonly #deadlineMs: number;

  /** `deadlineMs` applies to every unary call that does not name its own. */
  constructor(address: string, opts: { deadlineMs?: number } = {}) {
    this.address = address;
    this.#deadlineMs = opts.deadlineMs ?? 10_000;
    const Ctor = maglevClientCtor();
    this.#client = new Ctor(address, grpc.credentials.createInsecure());
  }

  #call<T>(method: string, req: object = {}, deadlineMs = this.#deadlineMs): Promise<T> {
    const fn = (this.#client as unknown as Record<string, UnaryMethod>)[method];
    if (fn === undefined) return Promise.reject(new Error(`unknown method ${method}`));
    return new Promise<T>((resolve, reject) => {
      fn.call(this.#client, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (e, v) => (e === null ? resolve(v as T) : reject(e)));
    });
  }

  async listFrontends(deadlineMs?: number): Promise<string[]> {
    return (await this.#call<{ frontend_names: string[] }>('ListFrontends', {}, deadlineMs)).frontend_names;
  }

  getFrontend(name: string): Promise<FrontendInfo> {
    return this.#call('GetFrontend', { name });
  }

  async listBackends(): Promise<string[]> {
    return (await this.#call<{ backend_names: string[] }>('ListBackends')).backend_names;
  }

  getBackend(name: string): Promise<BackendInfo> {
    return this.#call('GetBackend', { name });
  }

  async listHealthChecks(): Promise<string[]> {
    return (await this.#call<{ names: string[] }>('ListHealthChecks')).names;
  }

  getHealthCheck(name: string): Promise<HealthCheckInfo> {
    return this.#call('GetHealthCheck', { name });
  }

  getVppInfo(): Promise<VPPInfo> {
    return this.#call('GetVPPInfo');
  }

  getVppLbState(): Promise<VPPLBState> {
    return this.#call('GetVPPLBState');
  }

  backendAction(action: BackendAction, name: string): Promise<BackendInfo> {
    return this.#call(`${action[0]!.toUpperCase()}${action.slice(1)}Backend`, { name });
  }

  setWeight(req: Required<SetWeightRequest>): Promise<FrontendInfo> {
    return this.#call('SetFrontendPoolBackendWeight', req);
  }

  watchEvents(req: WatchRequest): grpc.ClientReadableStream<EventMsg> {
    return (this.#client as unknown as { WatchEvents(r: WatchRequest): grpc.ClientReadableStream<EventMsg> }).WatchEvents(req);
  }

  close(): void {
    this.#client.close();
  }
}
