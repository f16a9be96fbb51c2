// The icmp prober: one echo request over the thread's shared ICMP socket.
// A matching reply is L4OK; a destination-unreachable quoting the request, or a send refused as
// unreachable, is L4CON; no answer before the deadline is L4TOUT; a socket that cannot be
// opened (no permission, no addon) or bound is SOCKERR.

import { detailKind } from '../../shared/probe-detail.js';
import type { ProbeOutcome } from '../../shared/probe-outcome.js';
import type { IcmpProbeSpec } from '../../shared/probe-messages.js';
import { unreachableReason } from './icmp-packet.js';
import type { IcmpSocket } from './icmp-sockets.js';
import { ProbeAttempt, type CancelProbe, type PreparedProbe } from './probe-attempt.js';
import type { ProbeEnv } from './probe-env.js';
import { errorName, shortageOf } from './socket-failure.js';

const unreachableErrors = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ECONNREFUSED', 'EHOSTDOWN', 'ENETDOWN']);

export function prepareIcmpProbe(spec: IcmpProbeSpec, env: ProbeEnv): PreparedProbe {
  return { run: (done) => runIcmpProbe(spec, env, done) };
}

function runIcmpProbe(spec: IcmpProbeSpec, env: ProbeEnv, done: (outcome: ProbeOutcome) => void): CancelProbe {
  const t0 = performance.now();
  let socket: IcmpSocket | undefined;
  let seq = -1;
  const attempt = new ProbeAttempt(spec.timeoutMs, env.lag, done, () => {
    attempt.timeout('L4TOUT', detailKind.timeoutEcho);
    socket?.forget(seq);
  });
  try {
    socket = env.icmp.socketFor(spec.family, spec.sourceAddress);
  } catch (e) {
    const syscall = (e as { syscall?: unknown }).syscall;
    attempt.finish('SOCKERR', detailKind.text, 0, `${syscall === 'bind' ? `bind ${spec.sourceAddress ?? ''}` : 'socket'}: ${errorName(e)}`, shortageOf(e, 'socket'));
    return () => {};
  }
  try {
    seq = socket.send(spec.address, (outcome) => {
      if (outcome.kind === 'reply') attempt.finish('L4OK', detailKind.echoReply, Math.max(1, Math.round((performance.now() - t0) * 10)));
      else attempt.finish('L4CON', detailKind.text, 0, `${unreachableReason(spec.family, outcome.code)} from ${outcome.from}`);
    });
  } catch (e) {
    const name = errorName(e);
    attempt.finish(unreachableErrors.has(name) ? 'L4CON' : 'SOCKERR', detailKind.text, 0, `send: ${name}`, shortageOf(e, 'sendto'));
  }
  return () => {
    attempt.cancel();
    socket?.forget(seq);
  };
}
