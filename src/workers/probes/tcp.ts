// The tcp prober: connect → L4OK and close with an RST; with ssl, complete
// a TLS handshake → L6OK, then send close_notify and close. One deadline over both steps.

import type net from 'node:net';
import type tls from 'node:tls';
import { detailKind, tlsProtocols } from '../../shared/probe-detail.js';
import type { ProbeOutcome } from '../../shared/probe-outcome.js';
import type { TcpProbeSpec } from '../../shared/probe-messages.js';
import { ProbeAttempt, type CancelProbe, type PreparedProbe } from './probe-attempt.js';
import type { ProbeEnv } from './probe-env.js';
import { closeAbruptly, openConnection, startTls } from './probe-socket.js';
import { connectFailure, openFailure, tlsFailure, type Failure } from './socket-failure.js';

/** How long a finished TLS probe waits for the peer to answer close_notify before destroying. */
const closeGraceMs = 1000;

export function prepareTcpProbe(spec: TcpProbeSpec, env: ProbeEnv): PreparedProbe {
  return { run: (done) => runTcpProbe(spec, env, done) };
}

/** `TLS TLSv1.3 established`: the protocol by its number when it is a known one. */
function established(protocol: string | null): [number, string | undefined] {
  const known = tlsProtocols.indexOf(protocol as (typeof tlsProtocols)[number]);
  return known >= 0 || protocol === null ? [known, undefined] : [0, `TLS ${protocol} established`];
}

function runTcpProbe(spec: TcpProbeSpec, env: ProbeEnv, done: (outcome: ProbeOutcome) => void): CancelProbe {
  let phase: 'connect' | 'tls' = 'connect';
  let secure: tls.TLSSocket | undefined;
  const attempt = new ProbeAttempt(spec.timeoutMs, env.lag, done, () => {
    if (phase === 'connect') attempt.timeout('L4TOUT', detailKind.timeoutConnect);
    else attempt.timeout('L6TOUT', detailKind.timeoutTls);
    destroy();
  });
  const fail = (f: Failure): void => attempt.finish(f.code, f.detail, f.arg, f.text, f.shortage);
  let socket: net.Socket;
  try {
    socket = openConnection(spec);
  } catch (e) {
    fail(openFailure(e));
    return () => {};
  }
  const destroy = (): void => {
    secure?.destroy();
    socket.destroy();
  };
  socket.on('error', (err) => {
    if (phase === 'connect') fail(connectFailure(err, spec.sourceAddress));
    destroy();
  });
  socket.once('connect', () => {
    if (spec.tls === undefined) {
      attempt.finish('L4OK', detailKind.connected);
      closeAbruptly(socket);
      return;
    }
    phase = 'tls';
    const s = startTls(socket, spec.tls, env.secureContext, undefined);
    secure = s;
    s.on('error', (err) => {
      fail(tlsFailure(err));
      destroy();
    });
    s.once('secureConnect', () => {
      const [protocol, text] = established(s.getProtocol());
      if (text === undefined) attempt.finish('L6OK', detailKind.tlsEstablished, protocol);
      else attempt.finish('L6OK', detailKind.text, 0, text);
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
