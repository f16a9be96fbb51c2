// The http/https prober of reuse-connection checks: one connection per target kept open between
// probes (HTTP/1.1 keep-alive), so a probe costs a request and a response instead of a connect,
// a handshake and a close. A probe takes the kept connection, or opens one when there is none;
// it reads the whole response (the next one must start where this one ends) and keeps the
// connection only when the response allows it (HttpResponseReader.reusable: HTTP/1.1, no
// `Connection: close`, Content-Length or chunked framing). A kept connection the server closed
// or reset while idle is dropped at once; one that fails under the next probe before any byte
// of the response is replaced by a new connection within that probe and its deadline, so a
// stale connection never turns into a failure. A timeout, a failure or a cancel destroys the
// connection; close() (the target unregistered, the shard shutting down) destroys the kept one.
//
//   probe ──▶ kept? ──yes──▶ write request ──▶ response ──reusable──▶ kept
//               │ no             │ closed/reset, nothing read      └─otherwise─▶ destroyed
//               ▼                ▼
//             connect (+TLS) ◀───┘ (once per probe)

import type net from 'node:net';
import type tls from 'node:tls';
import { detailKind } from '../../shared/probe-detail.js';
import type { ProbeOutcome } from '../../shared/probe-outcome.js';
import type { HttpProbeSpec } from '../../shared/probe-messages.js';
import { alpn, finishInvalid, httpTarget, noBytes, phaseTimeout, streamFailure, type HttpTarget, type Phase } from './http.js';
import { HttpResponseReader, type ReadStep } from './http-response-reader.js';
import { ProbeAttempt, type CancelProbe, type PreparedProbe } from './probe-attempt.js';
import type { ProbeEnv } from './probe-env.js';
import { closeAbruptly, openConnection, startTls } from './probe-socket.js';
import { openFailure, type Failure } from './socket-failure.js';

/** What the probe using a connection hears from it. */
interface ConnectionUser {
  tls(): void;
  ready(): void;
  bytes(chunk: Buffer): void;
  end(): void;
  error(err: Error): void;
}

/** One connection; events go to its user, or (kept, idle) close it. */
interface Connection {
  readonly socket: net.Socket;
  secure: tls.TLSSocket | undefined;
  user: ConnectionUser | undefined;
}

export function prepareKeepAliveHttpProbe(spec: HttpProbeSpec, env: ProbeEnv): PreparedProbe {
  return new KeepAliveHttpProbe(httpTarget(spec, env, true));
}

export class KeepAliveHttpProbe implements PreparedProbe {
  readonly #target: HttpTarget;
  #kept: Connection | undefined;
  #closed = false;

  constructor(target: HttpTarget) {
    this.#target = target;
  }

  /** Whether a connection is kept for the next probe (for tests). */
  get keeping(): boolean {
    return this.#kept !== undefined;
  }

  close(): void {
    this.#closed = true;
    const kept = this.#kept;
    this.#kept = undefined;
    if (kept !== undefined) destroy(kept);
  }

  run(done: (outcome: ProbeOutcome) => void): CancelProbe {
    const { spec, env } = this.#target;
    let phase: Phase = 'connect';
    let conn: Connection | undefined;
    let reused = false;
    let answered = false;
    let status = 0;
    let reader = new HttpResponseReader(true);
    const attempt = new ProbeAttempt(spec.timeoutMs, env.lag, done, () => {
      const [code, during] = phaseTimeout[phase];
      attempt.timeout(code, during);
      drop();
    });
    const fail = (f: Failure): void => attempt.finish(f.code, f.detail, f.arg, f.text, f.shortage);
    const drop = (): void => {
      if (conn !== undefined) destroy(conn);
      conn = undefined;
    };
    const release = (): void => {
      const c = conn;
      conn = undefined;
      if (c === undefined) return;
      c.user = undefined;
      if (reader.reusable && !this.#closed && this.#kept === undefined) this.#kept = c;
      else destroy(c);
    };
    // A kept connection that fails before the first response byte was closed or reset while
    // idle (the server's keep-alive timeout, say): the probe goes on over a new one.
    const stale = (): boolean => {
      if (!reused || answered || attempt.settled) return false;
      drop();
      open();
      return true;
    };

    const onStep = (step: ReadStep): void => {
      switch (step.kind) {
        case 'more':
          return;
        case 'head':
          status = step.status;
          if (status < spec.codeMin || status > spec.codeMax) break;
          phase = 'body';
          onStep(reader.feed(noBytes));
          return;
        case 'body':
          if (this.#target.regexp === undefined || this.#target.regexp.test(step.body.toString('utf8'))) attempt.finish('L7OK', detailKind.httpStatus, status);
          else attempt.finish('L7RSP', detailKind.bodyMismatch, 0, spec.responseRegexp ?? '');
          release();
          return;
        case 'invalid':
          finishInvalid(attempt, step.detail);
          drop();
          return;
        default: {
          const exhaustive: never = step;
          throw new Error(`unknown read step ${String(exhaustive)}`);
        }
      }
      attempt.finish('L7STS', detailKind.httpStatus, status);
      drop();
    };

    const user: ConnectionUser = {
      tls: () => (phase = 'tls'),
      ready: () => {
        phase = 'headers';
        answered = false;
        reader = new HttpResponseReader(true);
        (conn?.secure ?? conn?.socket)?.write(this.#target.request);
      },
      bytes: (chunk) => {
        answered = true;
        if (!attempt.settled) onStep(reader.feed(chunk));
      },
      end: () => {
        if (!stale() && !attempt.settled) onStep(reader.end());
      },
      error: (err) => {
        if (stale() || attempt.settled) return;
        fail(streamFailure(phase, err, spec.sourceAddress));
        drop();
      },
    };

    const open = (): void => {
      reused = false;
      phase = 'connect';
      attempt.connection = 'opened';
      try {
        conn = this.#open(user);
      } catch (e) {
        fail(openFailure(e));
      }
    };

    const kept = this.#kept;
    this.#kept = undefined;
    if (kept === undefined) open();
    else {
      conn = kept;
      reused = true;
      attempt.connection = 'reused';
      kept.user = user;
      user.ready();
    }
    return () => {
      attempt.cancel();
      drop();
    };
  }

  /** Starts a connection (and TLS) for `user`; throws what openConnection throws. */
  #open(user: ConnectionUser): Connection {
    const { spec, env } = this.#target;
    // Idle, the connection expects nothing: bytes, an end or an error there close it.
    const idle = (): void => {
      if (this.#kept === conn) this.#kept = undefined;
      destroy(conn);
    };
    const plain = spec.tls === undefined;
    const socket = openConnection(spec, plain ? (chunk) => (conn.user === undefined ? idle() : conn.user.bytes(chunk)) : undefined);
    const conn: Connection = { socket, secure: undefined, user };
    const onEnd = (): void => (conn.user === undefined ? idle() : conn.user.end());
    const onError = (err: Error): void => (conn.user === undefined ? idle() : conn.user.error(err));
    socket.on('error', onError);
    socket.on('close', () => {
      if (this.#kept === conn) this.#kept = undefined;
    });
    if (plain) socket.on('end', onEnd);
    socket.once('connect', () => {
      if (plain) {
        conn.user?.ready();
        return;
      }
      conn.user?.tls();
      const s = startTls(socket, spec.tls, env.secureContext, alpn);
      conn.secure = s;
      s.on('error', onError);
      s.on('end', onEnd);
      s.on('data', (chunk: Buffer) => (conn.user === undefined ? idle() : conn.user.bytes(chunk)));
      s.once('secureConnect', () => conn.user?.ready());
    });
    return conn;
  }
}

function destroy(conn: Connection): void {
  conn.user = undefined;
  if (conn.secure === undefined) {
    closeAbruptly(conn.socket);
    return;
  }
  // Never reset the TCP handle under a live TLS socket (see http.ts); TLS closes with a FIN.
  conn.secure.destroy();
  conn.socket.destroy();
}
