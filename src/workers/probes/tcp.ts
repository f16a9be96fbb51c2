// The tcp prober: connect → L4OK and close with an RST; with ssl, complete
// a TLS handshake → L6OK, then send close_notify and close. One deadline over both steps.

import type net from 'node:net';
import type tls from 'node:tls';
import type { ProbeResult } from '../../shared/health.js';
import type { TcpProbeSpec } from '../../shared/probe-messages.js';
import { ProbeAttempt, type CancelProbe, type PreparedProbe } from './probe-attempt.js';
import type { ProbeEnv } from './probe-env.js';
import { closeAbruptly, openConnection, startTls } from './probe-socket.js';
import { connectFailure, errorName, shortageOf, tlsFailure } from './socket-failure.js';

/** How long a finished TLS probe waits for the peer to answer close_notify before destroying. */
const closeGraceMs = 1000;

export function prepareTcpProbe(spec: TcpProbeSpec, env: ProbeEnv): PreparedProbe {
  return { run: (done) => runTcpProbe(spec, env, done) };
}

function runTcpProbe(spec: TcpProbeSpec, env: ProbeEnv, done: (result: ProbeResult) => void): CancelProbe {
  let phase: 'connect' | 'tls' = 'connect';
  let secure: tls.TLSSocket | undefined;
  const attempt = new ProbeAttempt(spec.timeoutMs, env.lag, done, () => {
    attempt.finish(phase === 'connect' ? 'L4TOUT' : 'L6TOUT', attempt.timeoutDetail(phase === 'connect' ? 'connect' : 'TLS handshake'));
    destroy();
  });
  let socket: net.Socket;
  try {
    socket = openConnection(spec);
  } catch (e) {
    attempt.finish('SOCKERR', `connect: ${errorName(e)}`, shortageOf(e, 'connect'));
    return () => {};
  }
  const destroy = (): void => {
    secure?.destroy();
    socket.destroy();
  };
  socket.on('error', (err) => {
    if (phase === 'connect') {
      const f = connectFailure(err, spec.sourceAddress);
      attempt.finish(f.code, f.detail, f.shortage);
    }
    destroy();
  });
  socket.once('connect', () => {
    if (spec.tls === undefined) {
      attempt.finish('L4OK', 'connected');
      closeAbruptly(socket);
      return;
    }
    phase = 'tls';
    const s = startTls(socket, spec.tls, env.secureContext, undefined);
    secure = s;
    s.on('error', (err) => {
      const f = tlsFailure(err);
      attempt.finish(f.code, f.detail);
      destroy();
    });
    s.once('secureConnect', () => {
      attempt.finish('L6OK', `TLS ${s.getProtocol() ?? 'handshake'} established`);
      const grace = setTimeout(destroy, closeGraceMs).unref();
      s.once('close', () => clearTimeout(grace));
      s.resume();
      s.end();
    });
  });
  return () => {
    attempt.cancel();
    destroy();
  };
}
