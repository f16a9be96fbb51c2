// The http/https prober on plain net/tls sockets with a minimal request
// writer and response reader, because it is the hot path. Client CPU per GET on a new
// connection (this 2-core box, 64 in flight, loopback, noisy): undici Client ≈ 385-415 µs,
// node:http (agent: false) ≈ 170-195 µs, net + a minimal parser ≈ 87-95 µs, and this prober
// (net reading into one shared onread buffer) ≈ 60-90 µs. One deadline covers connect, TLS,
// request, headers and body; expiry gives the *TOUT of the phase reached.

import type net from 'node:net';
import type tls from 'node:tls';
import { detailKind, detailKindOfText } from '../../shared/probe-detail.js';
import type { ProbeOutcome } from '../../shared/probe-outcome.js';
import type { HttpProbeSpec } from '../../shared/probe-messages.js';
import { compileResponseRegexp, type ResponseRegexp } from '../../shared/response-regexp.js';
import { httpRequestBytes } from './http-request.js';
import { HttpResponseReader, type ReadStep } from './http-response-reader.js';
import { ProbeAttempt, type CancelProbe, type PreparedProbe } from './probe-attempt.js';
import type { ProbeEnv } from './probe-env.js';
import { closeAbruptly, openConnection, startTls } from './probe-socket.js';
import { connectFailure, errnoFailure, openFailure, tlsFailure, type Failure } from './socket-failure.js';

export type Phase = 'connect' | 'tls' | 'headers' | 'body';

export const phaseTimeout = {
  connect: ['L4TOUT', detailKind.timeoutConnect],
  tls: ['L6TOUT', detailKind.timeoutTls],
  headers: ['L7TOUT', detailKind.timeoutHeaders],
  body: ['L7TOUT', detailKind.timeoutBody],
} as const;

export const alpn = ['http/1.1'] as const;
export const noBytes = Buffer.alloc(0);

/** What every probe of one target shares: the request bytes and the compiled regexp. */
export interface HttpTarget {
  readonly spec: HttpProbeSpec;
  readonly env: ProbeEnv;
  readonly request: Buffer;
  readonly regexp: ResponseRegexp | undefined;
}

/** The target of a spec; with keepAlive its request asks the server to keep the connection. */
export function httpTarget(spec: HttpProbeSpec, env: ProbeEnv, keepAlive = false): HttpTarget {
  return {
    spec,
    env,
    request: httpRequestBytes(spec.path, spec.host, keepAlive),
    regexp: spec.responseRegexp === undefined ? undefined : compileResponseRegexp(spec.responseRegexp),
  };
}

export function prepareHttpProbe(spec: HttpProbeSpec, env: ProbeEnv): PreparedProbe {
  const target = httpTarget(spec, env);
  return { run: (done) => runHttpProbe(target, done) };
}

/** A socket error in this phase: connect, TLS, or a read or write on the exchange. */
export function streamFailure(phase: Phase, err: Error, sourceAddress: string | undefined): Failure {
  if (phase === 'connect') return connectFailure(err, sourceAddress);
  if (phase === 'tls') return tlsFailure(err);
  if ((err as { syscall?: unknown }).syscall === 'write') return errnoFailure('L7RSP', detailKind.writeError, 'write', err);
  return errnoFailure('L7RSP', detailKind.readError, 'read', err);
}

/** Ends a probe whose response could not be read (a known detail kind, else its text). */
export function finishInvalid(attempt: ProbeAttempt, detail: string): void {
  const kind = detailKindOfText(detail);
  if (kind === undefined) attempt.finish('L7RSP', detailKind.text, 0, detail);
  else attempt.finish('L7RSP', kind);
}

function runHttpProbe(target: HttpTarget, done: (outcome: ProbeOutcome) => void): CancelProbe {
  const { spec, env } = target;
  let phase: Phase = 'connect';
  let status = 0;
  let secure: tls.TLSSocket | undefined;
  const reader = new HttpResponseReader(target.regexp !== undefined);
  const attempt = new ProbeAttempt(spec.timeoutMs, env.lag, done, () => {
    const [code, during] = phaseTimeout[phase];
    attempt.timeout(code, during);
    close();
  });
  const onBytes = (chunk: Buffer): void => {
    if (!attempt.settled) onStep(reader.feed(chunk));
  };
  let socket: net.Socket;
  try {
    // Plain HTTP reads into the thread's shared buffer (no per-read allocation, no stream
    // machinery); over TLS the TLS socket delivers decrypted 'data' chunks.
    socket = openConnection(spec, spec.tls === undefined ? onBytes : undefined);
  } catch (e) {
    fail(openFailure(e));
    return () => {};
  }

  function fail(f: Failure): void {
    attempt.finish(f.code, f.detail, f.arg, f.text, f.shortage);
  }

  function close(): void {
    if (secure === undefined) {
      closeAbruptly(socket);
      return;
    }
    // Never reset the TCP handle under a live TLS socket (that crashes Node); TLS closes with a FIN.
    secure.destroy();
    socket.destroy();
  }

  function onStep(step: ReadStep): void {
    switch (step.kind) {
      case 'more':
        return;
      case 'head':
        status = step.status;
        if (status < spec.codeMin || status > spec.codeMax) attempt.finish('L7STS', detailKind.httpStatus, status);
        else if (target.regexp === undefined) attempt.finish('L7OK', detailKind.httpStatus, status);
        else {
          phase = 'body';
          onStep(reader.feed(noBytes));
          return;
        }
        break;
      case 'body':
        if (target.regexp?.test(step.body.toString('utf8')) === true) attempt.finish('L7OK', detailKind.httpStatus, status);
        else attempt.finish('L7RSP', detailKind.bodyMismatch, 0, spec.responseRegexp ?? '');
        break;
      case 'invalid':
        finishInvalid(attempt, step.detail);
        break;
      default: {
        const exhaustive: never = step;
        throw new Error(`unknown read step ${String(exhaustive)}`);
      }
    }
    close();
  }

  function onError(err: Error): void {
    fail(streamFailure(phase, err, spec.sourceAddress));
    close();
  }

  function exchange(stream: net.Socket): void {
    phase = 'headers';
    if (stream !== socket) stream.on('data', onBytes);
    stream.on('end', () => {
      if (!attempt.settled) onStep(reader.end());
    });
    stream.write(target.request);
  }

  socket.on('error', onError);
  socket.once('connect', () => {
    if (spec.tls === undefined) {
      exchange(socket);
      return;
    }
    phase = 'tls';
    const s = startTls(socket, spec.tls, env.secureContext, alpn);
    secure = s;
    s.on('error', onError);
    s.once('secureConnect', () => exchange(s));
  });
  return () => {
    attempt.cancel();
    close();
  };
}
