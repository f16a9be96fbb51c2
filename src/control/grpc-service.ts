// The maglev.Maglev handlers: request validation, facade calls, conversion
// to wire messages and error → status mapping. Field checks answer INVALID_ARGUMENT naming the
// field; everything else is decided by the facade.
// Input limits (docs/security.md): names are at most 64 bytes (no config name is longer), and
// over-long input is never echoed, because a status message of ~64 KiB no longer fits the HTTP/2
// trailers and the call hangs; at most 64 WatchEvents streams are open at once.

import { status, type handleClientStreamingCall, type handleServerStreamingCall, type handleUnaryCall } from '@grpc/grpc-js';
import type { ControlPlane } from './control-plane.js';
import {
  backendInfo,
  frontendInfo,
  healthCheckInfo,
  previewMsg,
  vppInfoMsg,
  vppLbCountersMsg,
  vppLbDigestMsg,
  vppLbStateMsg,
} from './grpc-convert.js';
import { isBackendAction } from '../api/maglev-client.js';
import type { RpcRequest, RpcResponse, UnaryRpc } from '../api/maglev-rpc.js';
import { grpcError, statusFromError } from './grpc-status.js';
import { serveWatchStream, type WatchSessions } from './grpc-watch-stream.js';
import type { Clock } from '../shared/clock.js';
import { DaemonError } from '../shared/errors.js';
import type { PreviewRequestView } from './control-plane.js';

export interface MaglevServiceDeps {
  readonly control: ControlPlane;
  readonly clock: Clock;
  readonly sessions: WatchSessions;
}

/** The longest name a request may carry: config names are `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`. */
export const maxNameBytes = 64;

/** The longest `log_level` a WatchEvents request may carry (the longest level is 5 bytes). */
export const maxLogLevelBytes = 16;

/** Concurrent WatchEvents streams; one more is refused with RESOURCE_EXHAUSTED. */
export const maxWatchStreams = 64;

/** A candidate config for PreviewConfig: the config file limit (16 MiB), counted over its chunks. */
export const maxCandidateConfigBytes = 16 * 1024 * 1024;

/** A PreviewConfig upload that has not ended by then is cut, so it cannot hold the one upload slot. */
export const previewUploadTimeoutMs = 30_000;

/** The service implementation, typed per RPC by the generated definition. */
export type MaglevServiceHandlers = { readonly [M in UnaryRpc]: handleUnaryCall<RpcRequest<M>, RpcResponse<M>> } & {
  readonly WatchEvents: handleServerStreamingCall<RpcRequest<'WatchEvents'>, RpcResponse<'WatchEvents'>>;
  readonly PreviewConfig: handleClientStreamingCall<RpcRequest<'PreviewConfig'>, RpcResponse<'PreviewConfig'>>;
};

/** Wraps a handler body: its value is the response, anything it throws becomes the status. */
function unary<Req, Res>(body: (req: Req) => Res | Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => body(call.request))
      .then(
        (res) => callback(null, res),
        (e: unknown) => callback(statusFromError(e)),
      );
  };
}

function required(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw new DaemonError('INVALID_ARGUMENT', `${field} must not be empty`);
  if (Buffer.byteLength(value, 'utf8') > maxNameBytes) throw new DaemonError('INVALID_ARGUMENT', `${field} is longer than ${maxNameBytes} bytes`);
  return value;
}

function weightField(value: number | undefined): number {
  const w = value ?? 0;
  if (!Number.isInteger(w) || w < 0 || w > 100) throw new DaemonError('INVALID_ARGUMENT', `weight ${w} out of range 0..100`);
  return w;
}

/** PreviewChange's request checked field by field: the change and the optional frontend. */
function previewRequest(r: RpcRequest<'PreviewChange'>): { change: PreviewRequestView; frontend: string | undefined } {
  const frontend = r.frontend === undefined || r.frontend === '' ? undefined : required(r.frontend, 'frontend');
  switch (r.change) {
    case 'weight': {
      const w = r.weight ?? {};
      const change = {
        kind: 'weight',
        frontend: required(r.frontend, 'frontend'),
        pool: required(w.pool, 'weight.pool'),
        backend: required(w.backend, 'weight.backend'),
        weight: weightField(w.weight),
      } as const;
      return { change, frontend };
    }
    case 'backend': {
      const b = r.backend ?? {};
      const name = required(b.name, 'backend.name');
      const action = b.action ?? '';
      // Never echoed: an over-long value would not fit the status trailers.
      if (!isBackendAction(action)) throw new DaemonError('INVALID_ARGUMENT', 'backend.action must be pause, resume, enable or disable');
      return { change: { kind: action, backend: name }, frontend };
    }
    default:
      throw new DaemonError('INVALID_ARGUMENT', 'change must be set: weight or backend (a candidate config goes to PreviewConfig)');
  }
}

/**
 * PreviewConfig: collects the candidate's chunks (at most 16 MiB in all, one upload at a time, cut
 * after 30 s), then previews it like PreviewChange. Memory stays bounded whatever clients send.
 */
function previewConfigUpload(control: ControlPlane): handleClientStreamingCall<RpcRequest<'PreviewConfig'>, RpcResponse<'PreviewConfig'>> {
  let uploading = false;
  return (call, callback) => {
    if (uploading) {
      callback(grpcError(status.RESOURCE_EXHAUSTED, 'a config preview is already being uploaded; try again when it has finished'));
      return;
    }
    uploading = true;
    const chunks: Buffer[] = [];
    let size = 0;
    let frontend: string | undefined;
    let first = true;
    let settled = false;
    const finish = (err: ReturnType<typeof grpcError> | null, res?: RpcResponse<'PreviewConfig'>): void => {
      if (settled) return;
      settled = true;
      uploading = false;
      clearTimeout(timer);
      call.removeAllListeners('data');
      // The rest of a refused upload is read and dropped by grpc-js once the status is out.
      if (err !== null) callback(err);
      else callback(null, res);
    };
    const timer = setTimeout(() => finish(grpcError(status.DEADLINE_EXCEEDED, `the config upload did not end within ${previewUploadTimeoutMs / 1000} s`)), previewUploadTimeoutMs);
    timer.unref();
    call.on('data', (chunk: RpcRequest<'PreviewConfig'>) => {
      try {
        if (first) {
          first = false;
          frontend = chunk.frontend === undefined || chunk.frontend === '' ? undefined : required(chunk.frontend, 'frontend');
        }
        const text = Buffer.from(chunk.text ?? []);
        size += text.length;
        if (size > maxCandidateConfigBytes) throw new DaemonError('RESOURCE_EXHAUSTED', `the candidate config is larger than ${maxCandidateConfigBytes} bytes (16 MiB)`);
        chunks.push(text);
      } catch (e) {
        finish(statusFromError(e));
      }
    });
    call.on('error', () => finish(grpcError(status.CANCELLED, 'the config upload was cancelled')));
    call.on('end', () => {
      if (settled) return;
      control.previewChange({ kind: 'config', text: Buffer.concat(chunks, size).toString('utf8') }, frontend).then(
        (r) => finish(null, previewMsg(r)),
        (e: unknown) => finish(statusFromError(e)),
      );
    });
  };
}

export function createMaglevHandlers(deps: MaglevServiceDeps): MaglevServiceHandlers {
  const { control } = deps;
  return {
    ListFrontends: unary(() => ({ frontend_names: [...control.listFrontends()] })),
    GetFrontend: unary((r) => frontendInfo(control.getFrontend(required(r.name, 'name')))),
    ListBackends: unary(() => ({ backend_names: [...control.listBackends()] })),
    GetBackend: unary((r) => backendInfo(control.getBackend(required(r.name, 'name')))),
    PauseBackend: unary(async (r) => backendInfo(await control.pauseBackend(required(r.name, 'name')))),
    ResumeBackend: unary(async (r) => backendInfo(await control.resumeBackend(required(r.name, 'name')))),
    EnableBackend: unary(async (r) => backendInfo(await control.enableBackend(required(r.name, 'name')))),
    DisableBackend: unary(async (r) => backendInfo(await control.disableBackend(required(r.name, 'name')))),
    ListHealthChecks: unary(() => ({ names: [...control.listHealthChecks()] })),
    GetHealthCheck: unary((r) => healthCheckInfo(control.getHealthCheck(required(r.name, 'name')))),
    SetFrontendPoolBackendWeight: unary(async (r) => {
      const change = {
        frontend: required(r.frontend, 'frontend'),
        pool: required(r.pool, 'pool'),
        backend: required(r.backend, 'backend'),
        weight: weightField(r.weight),
        flush: r.flush ?? false,
      };
      return frontendInfo(await control.setFrontendPoolBackendWeight(change));
    }),
    WatchEvents: (call) => {
      if (Buffer.byteLength(call.request.log_level ?? '', 'utf8') > maxLogLevelBytes) {
        call.emit('error', grpcError(status.INVALID_ARGUMENT, `log_level is longer than ${maxLogLevelBytes} bytes: expected debug, info, warn or error`));
        return;
      }
      if (deps.sessions.size >= maxWatchStreams) {
        call.emit('error', grpcError(status.RESOURCE_EXHAUSTED, `too many WatchEvents streams (at most ${maxWatchStreams})`));
        return;
      }
      serveWatchStream(call, { control, clock: deps.clock, sessions: deps.sessions });
    },
    CheckConfig: unary(async () => {
      const r = await control.checkConfig();
      return { ok: r.ok, parse_error: r.parseError, semantic_error: r.semanticError };
    }),
    ReloadConfig: unary(async () => {
      const r = await control.reloadConfig();
      return { ok: r.ok, parse_error: r.parseError, semantic_error: r.semanticError, reload_error: r.reloadError };
    }),
    GetVPPInfo: unary(() => {
      const s = control.vppStatus();
      if (s.state === 'disabled') throw new DaemonError('VPP_DISABLED', 'VPP integration is disabled');
      if (s.state === 'disconnected') throw new DaemonError('VPP_NOT_CONNECTED', 'VPP not connected');
      return vppInfoMsg(s.info);
    }),
    GetVPPLBState: unary(async () => vppLbStateMsg(await control.vppLbState())),
    SyncVPPLBState: unary(async (r) => {
      const fe = r.frontend_name === undefined ? undefined : required(r.frontend_name, 'frontend_name');
      await control.syncVppLbState(fe);
      return {};
    }),
    GetVPPLBCounters: unary(() => vppLbCountersMsg(control.vppLbCounters())),
    PreviewChange: unary(async (r) => {
      const { change, frontend } = previewRequest(r);
      return previewMsg(await control.previewChange(change, frontend));
    }),
    PreviewConfig: previewConfigUpload(control),
    GetVPPLBDigest: unary(async (r) => {
      const fe = r.frontend === undefined || r.frontend === '' ? undefined : required(r.frontend, 'frontend');
      return vppLbDigestMsg(await control.vppLbDigest(fe, r.include_table ?? false));
    }),
    GetVersion: unary(() => {
      const v = control.version();
      return { version: v.version, commit: v.commit, build_date: v.date };
    }),
  };
}
