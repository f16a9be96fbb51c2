// The probe shard in-process, over a real MessageChannel, against the loopback fleet: ready
// first, registration then id-only probe requests, batched results, cancel, unknown targets,
// the failing-namespace mode and shutdown.

import t from 'tap';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { startFleet } from '../../src/fleet/fleet.js';
import { probeProtocolVersion, type MainToShardMessage, type ProbeOutcomeRecord, type ShardToMainMessage } from '../../src/shared/probe-messages.js';
import { ProbeShard } from '../../src/workers/probe-shard.js';
import { createProbeEnv } from '../../src/workers/probes/probe-env.js';
import { httpSpec } from '../support/probe-harness.js';
import { waitFor } from '../support/wait-for.js';

const fleet = await startFleet({ httpPort: 0, backends: ['127.7.0.1', '127.7.0.2'] });
t.teardown(() => fleet.close());

interface Harness {
  readonly main: MessagePort;
  readonly messages: ShardToMainMessage[];
  readonly results: () => ProbeOutcomeRecord[];
  readonly send: (msg: MainToShardMessage) => void;
  readonly exit: Promise<{ shard: number; probesRun: number }>;
}

function startShard(netnsError?: string, batch: { batchMs?: number; batchMax?: number } = {}): Harness {
  const { port1, port2 } = new MessageChannel();
  const messages: ShardToMainMessage[] = [];
  port1.on('message', (m: ShardToMainMessage) => messages.push(m));
  const env = createProbeEnv();
  const exit = new ProbeShard({ shard: 3, port: port2, env, netnsError, ...batch }).run();
  return {
    main: port1,
    messages,
    results: () => messages.flatMap((m) => (m.type === 'results' ? m.results : [])),
    send: (msg) => port1.postMessage(msg),
    exit,
  };
}

t.test('ready, register, probe, batched results, shutdown', async (t) => {
  const h = startShard();
  await waitFor(() => h.messages.length > 0);
  t.same(h.messages[0], { type: 'ready', v: probeProtocolVersion, shard: 3, netnsError: undefined });
  h.send({ type: 'register', targets: [{ id: 1, spec: httpSpec('127.7.0.1', fleet.httpPort) }] });
  const pairs: number[] = [];
  for (let p = 100; p < 160; p++) pairs.push(p, 1);
  h.send({ type: 'probe', pairs });
  t.ok(await waitFor(() => h.results().length === 60), 'every probe answered');
  t.same(new Set(h.results().map((r) => r.probeId)).size, 60, 'each probe once');
  t.ok(h.results().every((r) => r.result.code === 'L7OK'));
  const batches = h.messages.filter((m) => m.type === 'results').length;
  t.ok(batches < 60, `results are batched (${batches} messages for 60 results)`);
  t.ok(h.results().every((r) => !(r.result instanceof Error) && typeof r.result.detail === 'string'), 'plain records');
  h.send({ type: 'shutdown' });
  t.same(await h.exit, { shard: 3, probesRun: 60 });
  h.main.close();
});

t.test('a full batch is sent without waiting for the timer', async (t) => {
  const h = startShard(undefined, { batchMs: 60_000, batchMax: 4 });
  h.send({ type: 'probe', pairs: [1, 9, 2, 9, 3, 9, 4, 9, 5, 9] });
  t.ok(await waitFor(() => h.results().length >= 4, 1000), 'four results flushed by size');
  t.equal(h.results().length, 4, 'the fifth waits for the timer');
  h.send({ type: 'shutdown' });
  await h.exit;
  t.ok(await waitFor(() => h.results().length === 5), 'shutdown flushes the rest');
  h.main.close();
});

t.test('unknown target, cancel, unregister', async (t) => {
  const h = startShard();
  await fleet.set('127.7.0.2', { kind: 'silent' });
  h.send({ type: 'register', targets: [{ id: 7, spec: httpSpec('127.7.0.2', fleet.httpPort, { timeoutMs: 5000 }) }] });
  h.send({ type: 'probe', pairs: [1, 7, 2, 7, 3, 99] });
  t.ok(await waitFor(() => h.results().length === 1));
  t.match(h.results()[0], { probeId: 3, result: { code: 'SOCKERR', detail: 'unknown probe target 99' } });
  h.send({ type: 'cancel', probeIds: [1, 2] });
  h.send({ type: 'unregister', ids: [7] });
  h.send({ type: 'probe', pairs: [4, 7] });
  t.ok(await waitFor(() => h.results().length === 2));
  t.match(h.results()[1], { probeId: 4, result: { code: 'SOCKERR' } }, 'unregistered target is unknown');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(h.results().length, 2, 'cancelled probes never answer');
  h.send({ type: 'shutdown' });
  await h.exit;
  h.main.close();
  await fleet.set('127.7.0.2', { kind: 'up' });
});

t.test('namespace not entered: every probe fails with the netns detail', async (t) => {
  const detail = 'enter netns "blue": no such file or directory';
  const h = startShard(detail);
  await waitFor(() => h.messages.length > 0);
  t.match(h.messages[0], { type: 'ready', netnsError: detail });
  h.send({ type: 'register', targets: [{ id: 1, spec: httpSpec('127.7.0.1', fleet.httpPort) }] });
  h.send({ type: 'probe', pairs: [1, 1, 2, 1] });
  t.ok(await waitFor(() => h.results().length === 2));
  for (const r of h.results()) t.match(r.result, { ok: false, layer: 'L4', code: 'L4CON', detail });
  h.send({ type: 'shutdown' });
  await h.exit;
  h.main.close();
});
