// The agent prober against local agents on loopback: the answer line is the text of an L7OK
// result (whatever it says: the main thread judges it), the configured line is sent first, and
// every way an agent can fail to answer is a plain result: refused, silent, closed without an
// answer, an answer too long.

import net, { type AddressInfo } from 'node:net';
import t from 'tap';
import { maxAgentAnswerBytes } from '../../../src/workers/probes/agent.js';
import { createProbeEnv } from '../../../src/workers/probes/probe-env.js';
import type { AgentProbeSpec } from '../../../src/shared/probe-messages.js';
import { nativeEligible } from '../../../src/workers/probes/native-prober.js';
import { probeOnce } from '../../support/probe-harness.js';

const env = createProbeEnv();

/** A one-shot agent: `serve` runs on each connection with what the prober sent so far. */
async function agent(serve: (socket: net.Socket, received: () => string) => void): Promise<number> {
  const server = net.createServer((socket) => {
    let got = '';
    socket.on('data', (b) => (got += b.toString('latin1')));
    socket.on('error', () => {});
    serve(socket, () => got);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

function spec(port: number, more: Partial<AgentProbeSpec> = {}): AgentProbeSpec {
  return { kind: 'agent', address: '127.0.0.1', family: 4, timeoutMs: 1000, sourceAddress: undefined, port, send: undefined, ...more };
}

t.test('agent specs never go to the native prober', async (t) => {
  t.notOk(nativeEligible(spec(1)));
});

t.test('answers are L7OK with the line as the detail', async (t) => {
  const cases: Array<{ name: string; in: string; end: boolean; want: string }> = [
    { name: 'a line', in: 'drain\n', end: false, want: 'drain' },
    { name: 'CRLF keeps the CR (the parser ignores it)', in: '75%\r\n', end: false, want: '75%\r' },
    { name: 'only the first line counts', in: 'up\nmaint\n', end: false, want: 'up' },
    { name: 'an answer without newline, then close', in: 'maint', end: true, want: 'maint' },
    { name: 'garbage is passed on as is', in: 'what?\n', end: false, want: 'what?' },
    { name: 'an empty line', in: '\n', end: false, want: '' },
  ];
  for (const c of cases) {
    const port = await agent((s) => (c.end ? s.end(c.in) : s.write(c.in)));
    const r = await probeOnce(spec(port), env);
    t.same([r.code, r.detail], ['L7OK', c.want], c.name);
  }
});

t.test('the send line goes out first, with a newline', async (t) => {
  const port = await agent((s, received) => {
    s.on('data', () => {
      if (received().endsWith('\n')) s.write(`${received().trim()} ok\n`);
    });
  });
  const r = await probeOnce(spec(port, { send: 'status web' }), env);
  t.same([r.code, r.detail], ['L7OK', 'status web ok']);
});

t.test('failures are results', async (t) => {
  const closed = await agent((s) => s.end());
  const silent = await agent(() => {});
  const chatty = await agent((s) => s.write('x'.repeat(maxAgentAnswerBytes + 1)));
  const longLine = await agent((s) => s.write(`${'y'.repeat(maxAgentAnswerBytes + 1)}\n`));
  const reset = await agent((s) => s.resetAndDestroy());
  const free = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const cases: Array<{ name: string; in: AgentProbeSpec; code: RegExp; detail: RegExp }> = [
    { name: 'closed without an answer', in: spec(closed), code: /^L7RSP$/, detail: /^agent closed the connection without an answer$/ },
    { name: 'silent agent', in: spec(silent, { timeoutMs: 150 }), code: /^L7TOUT$/, detail: /^timeout after 150ms waiting for the agent's answer$/ },
    { name: 'too much without a newline', in: spec(chatty), code: /^L7RSP$/, detail: /^agent answer longer than 512 bytes$/ },
    { name: 'a line too long', in: spec(longLine), code: /^L7RSP$/, detail: /^agent answer longer than 512 bytes$/ },
    // The RST may beat the connect callback: then it is a connect failure.
    { name: 'reset before answering', in: spec(reset), code: /^(L7RSP|L4CON)$/, detail: /^(read|connect): ECONNRESET|agent closed the connection without an answer$/ },
    { name: 'refused', in: spec(free), code: /^L4CON$/, detail: /^connect: ECONNREFUSED$/ },
    { name: 'unusable source address', in: spec(free, { sourceAddress: 'not-an-ip' }), code: /^SOCKERR$/, detail: /ERR_INVALID_IP_ADDRESS/ },
  ];
  for (const c of cases) {
    const r = await probeOnce(c.in, env);
    t.match(r.code, c.code, `${c.name}: code`);
    t.match(r.detail, c.detail, `${c.name}: detail`);
  }
});
