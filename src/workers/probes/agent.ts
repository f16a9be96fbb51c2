// The agent prober (HAProxy `agent-check`): connect to the agent port, send the configured line
// if any, and read one answer line, at most maxAgentAnswerBytes, under the one deadline. The
// answer travels as the text of an L7OK outcome; the main thread parses it (core/agent.ts). A
// connection that fails, times out, closes without an answer or answers too much is an
// outcome like any other probe's (plain data, never an Error).

import { detailKind } from '../../shared/probe-detail.js';
import type { AgentProbeSpec } from '../../shared/probe-messages.js';
import type { ProbeOutcome } from '../../shared/probe-outcome.js';
import { ProbeAttempt, type CancelProbe, type PreparedProbe } from './probe-attempt.js';
import type { ProbeEnv } from './probe-env.js';
import { closeAbruptly, openConnection } from './probe-socket.js';
import { connectFailure, errnoFailure, openFailure, type Failure } from './socket-failure.js';

/** The longest answer line read (without its newline); a longer one is a bad answer (L7RSP). */
export const maxAgentAnswerBytes = 512;

export function prepareAgentProbe(spec: AgentProbeSpec, env: ProbeEnv): PreparedProbe {
  const question = spec.send === undefined ? undefined : Buffer.from(`${spec.send}\n`, 'latin1');
  return { run: (done) => runAgentProbe(spec, env, question, done) };
}

function runAgentProbe(spec: AgentProbeSpec, env: ProbeEnv, question: Buffer | undefined, done: (outcome: ProbeOutcome) => void): CancelProbe {
  let connected = false;
  const chunks: Buffer[] = [];
  let size = 0;
  const attempt = new ProbeAttempt(spec.timeoutMs, env.lag, done, () => {
    if (connected) attempt.finish('L7TOUT', detailKind.text, 0, `timeout after ${spec.timeoutMs}ms waiting for the agent's answer`);
    else attempt.timeout('L4TOUT', detailKind.timeoutConnect);
    destroy();
  });
  const fail = (f: Failure): void => attempt.finish(f.code, f.detail, f.arg, f.text, f.shortage);
  let socket: ReturnType<typeof openConnection>;
  try {
    socket = openConnection(spec);
  } catch (e) {
    fail(openFailure(e));
    return () => {};
  }
  const destroy = (): void => closeAbruptly(socket);
  /** Ends with the answer: the bytes before the first newline (or all of them at the peer's close). */
  const answer = (): void => {
    const all = Buffer.concat(chunks, size);
    const nl = all.indexOf(0x0a);
    const line = nl < 0 ? all : all.subarray(0, nl);
    if (line.length > maxAgentAnswerBytes) attempt.finish('L7RSP', detailKind.text, 0, `agent answer longer than ${maxAgentAnswerBytes} bytes`);
    else attempt.finish('L7OK', detailKind.text, 0, line.toString('latin1'));
    destroy();
  };
  socket.on('error', (err) => {
    if (!connected) fail(connectFailure(err, spec.sourceAddress));
    else if (size > 0) answer();
    else fail(errnoFailure('L7RSP', detailKind.readError, 'read', err));
    destroy();
  });
  socket.once('connect', () => {
    connected = true;
    if (question !== undefined) socket.write(question);
  });
  socket.on('data', (b: Buffer) => {
    chunks.push(b);
    size += b.length;
    if (b.includes(0x0a) || size > maxAgentAnswerBytes) answer();
  });
  socket.once('end', () => {
    if (size > 0) answer();
    else attempt.finish('L7RSP', detailKind.text, 0, 'agent closed the connection without an answer');
    destroy();
  });
  return () => {
    attempt.cancel();
    destroy();
  };
}
