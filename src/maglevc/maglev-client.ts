// maglevc's typed view of the maglev.Maglev service: one grpc-js client over plaintext HTTP/2,
// promise-returning unary calls with a deadline, and the WatchEvents stream. Errors keep only
// the server's message (the `rpc error: code = … desc =` boilerplate is never shown, §7.3).

import * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import type {
  BackendInfo,
  CheckConfigResponse,
  EventMsg,
  FrontendInfo,
  HealthCheckInfo,
  ReloadConfigResponse,
  VPPInfo,
  VPPLBCounters,
  VPPLBState,
  WatchRequest,
} from '../api/maglev-messages.js';
import { loadMaglevProto } from '../api/maglev-proto.js';

/** Unary calls give up after this long (a sync waits for its VPP run). */
const unaryDeadlineMs = 30_000;

type UnaryMethod = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v: unknown) => void) => void;

/** The text to show for a failed call: the server's message only. */
export function errorText(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'details' in e && typeof e.details === 'string' && e.details !== '') {
    return e.details.replace(/\s*Resolution note:\s*$/, ''); // grpc-js appends an empty note to connect errors
  }
  return e instanceof Error ? e.message : String(e);
}

export class MaglevClient {
  readonly pkg: PackageDefinition;
  readonly #client: grpc.Client;

  constructor(address: string) {
    this.pkg = loadMaglevProto('client');
    const grpcObject = grpc.loadPackageDefinition(this.pkg) as unknown as {
      maglev: { Maglev: new (address: string, creds: grpc.ChannelCredentials) => grpc.Client };
    };
    this.#client = new grpcObject.maglev.Maglev(address, grpc.credentials.createInsecure());
  }

  call<T>(method: string, req: object = {}): Promise<T> {
    const fn = (this.#client as unknown as Record<string, UnaryMethod>)[method];
    if (fn === undefined) return Promise.reject(new Error(`unknown method ${method}`));
    return new Promise<T>((resolve, reject) => {
      fn.call(this.#client, req, new grpc.Metadata(), { deadline: Date.now() + unaryDeadlineMs }, (e, v) => (e === null ? resolve(v as T) : reject(e)));
    });
  }

  listFrontends = async (): Promise<string[]> => (await this.call<{ frontend_names: string[] }>('ListFrontends')).frontend_names;
  listBackends = async (): Promise<string[]> => (await this.call<{ backend_names: string[] }>('ListBackends')).backend_names;
  listHealthChecks = async (): Promise<string[]> => (await this.call<{ names: string[] }>('ListHealthChecks')).names;
  getFrontend = (name: string): Promise<FrontendInfo> => this.call('GetFrontend', { name });
  getBackend = (name: string): Promise<BackendInfo> => this.call('GetBackend', { name });
  getHealthCheck = (name: string): Promise<HealthCheckInfo> => this.call('GetHealthCheck', { name });
  backendAction = (action: 'pause' | 'resume' | 'enable' | 'disable', name: string): Promise<BackendInfo> =>
    this.call(`${action[0]!.toUpperCase()}${action.slice(1)}Backend`, { name });
  setWeight = (req: { frontend: string; pool: string; backend: string; weight: number; flush: boolean }): Promise<FrontendInfo> =>
    this.call('SetFrontendPoolBackendWeight', req);
  checkConfig = (): Promise<CheckConfigResponse> => this.call('CheckConfig');
  reloadConfig = (): Promise<ReloadConfigResponse> => this.call('ReloadConfig');
  vppInfo = (): Promise<VPPInfo> => this.call('GetVPPInfo');
  vppLbState = (): Promise<VPPLBState> => this.call('GetVPPLBState');
  vppLbCounters = (): Promise<VPPLBCounters> => this.call('GetVPPLBCounters');
  syncVppLbState = (frontend: string | undefined): Promise<unknown> =>
    this.call('SyncVPPLBState', frontend === undefined ? {} : { frontend_name: frontend });

  watchEvents(req: WatchRequest): grpc.ClientReadableStream<EventMsg> {
    return (this.#client as unknown as { WatchEvents(r: WatchRequest): grpc.ClientReadableStream<EventMsg> }).WatchEvents(req);
  }

  close(): void {
    this.#client.close();
  }
}
