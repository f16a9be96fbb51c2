// The probe shard in-process, over a real MessageChannel and a result ring, against the
// loopback fleet: ready first, registration then id-only probe requests, results in the ring
// (native prober) or in binary batches (JS probers), cancel, unknown targets, the
// failing-namespace mode, shutdown, and the kept connections of reuse-connection targets; with
// the native prober on and off. The ring holds 16
// results here, so 60 probes also cross a full ring.

import net from 'node:net';
import t, { type Test } from 'tap';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { startFleet } from '../../src/fleet/fleet.js';
import type { ProbeResult } from '../../src/shared/health.js';
import { createResultRing, ResultBatchReader, ResultRingReader } from '../../src/shared/probe-batch.js';
import { createRequestRing, RequestRingWriter } from '../../src/shared/request-ring.js';
import { probeProtocolVersion, type MainToShardMessage, type ShardToMainMessage } from '../../src/shared/probe-messages.js';
import { probeResultOf } from '../../src/shared/probe-outcome.js';
import { ProbeShard } from '../../src/workers/probe-shard.js';
import { createProbeEnv } from '../../src/workers/probes/probe-env.js';
import { httpSpec } from '../support/probe-harness.js';
import { waitFor } from '../support/wait-for.js';

const fleet = await startFleet({ httpPort: 0, backends: ['127.7.0.1', '127.7.0.2'] });
t.teardown(() => fleet.close());

interface Received {
  readonly probeId: number;
  readonly targetId: number;
  readonly result: ProbeResult;
}

interface Harness {
  readonly main: MessagePort;
  readonly messages: ShardToMainMessage[];
  readonly results: () => Received[];
  readonly send: (msg: MainToShardMessage) => void;
  readonly exit: Promise<{ shard: number; probesRun: number }>;
  readonly requests: RequestRingWriter;
}

function decode(reader: ResultBatchReader | ResultRingReader): Received[] {
  const out: Received[] = [];
  for (let r = reader.next(); r !== undefined; r = reader.next()) out.push({ probeId: r.probeId, targetId: r.targetId, result: probeResultOf(r) });
  return out;
}

const pairsOf = (...ids: number[]): Uint32Array => Uint32Array.from(ids);

/** An HTTP/1.1 keep-alive server on 127.0.0.1 counting connections accepted and open. */
async function keepAliveServer(t: Test): Promise<{ port: number; accepted: number; open: number }> {
  const state = { port: 0, accepted: 0, open: 0 };
  const server = net.createServer((socket) => {
    state.accepted++;
    state.open++;
    socket.on('error', () => {});
    socket.on('close', () => state.open--);
    socket.on('data', (chunk) => {
      if (chunk.includes('\r\n\r\n')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  state.port = (server.address() as net.AddressInfo).port;
  return state;
}

for (const native of [true, false]) {
  const startShard = (netnsError?: string, batch: { batchMs?: number; batchMax?: number } = {}): Harness => {
    const { port1, port2 } = new MessageChannel();
    const messages: ShardToMainMessage[] = [];
    const received: Received[] = [];
    port1.on('message', (m: ShardToMainMessage) => {
      messages.push(m);
      if (m.type === 'results') received.push(...decode(new ResultBatchReader(m)));
    });
    // The ring, read whenever a test looks at the results, as the dispatcher's poll would.
    const ring = createResultRing(16);
    const ringReader = new ResultRingReader(ring);
    const results = (): Received[] => {
      ringReader.begin();
      received.push(...decode(ringReader));
      return received;
    };
    const env = createProbeEnv();
    const requests = createRequestRing(64);
    const exit = new ProbeShard({ shard: 3, port: port2, ring, requests, tickMs: 10, env, netnsError, native, ...batch }).run();
    return { main: port1, messages, results, send: (msg) => port1.postMessage(msg), exit, requests: new RequestRingWriter(requests) };
  };
  const path = native ? 'native prober' : 'JS probers';

  t.test(`ready, register, probe, batched results, shutdown (${path})`, async (t) => {
    const h = startShard();
    await waitFor(() => h.messages.length > 0);
    t.same(h.messages[0], { type: 'ready', v: probeProtocolVersion, shard: 3, netnsError: undefined });
    h.send({ type: 'register', targets: [{ id: 1, spec: httpSpec('127.7.0.1', fleet.httpPort) }] });
    const pairs: number[] = [];
    for (let p = 100; p < 160; p++) pairs.push(p, 1);
    h.send({ type: 'probe', pairs: pairsOf(...pairs) });
    t.ok(await waitFor(() => h.results().length === 60), 'every probe answered');
    t.same(new Set(h.results().map((r) => r.probeId)).size, 60, 'each probe once');
    t.ok(h.results().every((r) => r.result.code === 'L7OK' && r.result.detail === 'HTTP 200' && r.targetId === 1));
    const batches = h.messages.filter((m) => m.type === 'results').length;
    if (native) t.equal(batches, 0, 'the native prober posts no message: its results are in the ring');
    else t.ok(batches < 60, `results are batched (${batches} messages for 60 results)`);
    t.ok(h.messages.every((m) => m.type !== 'results' || m.records instanceof ArrayBuffer), 'plain binary records');
    h.send({ type: 'shutdown' });
    t.same(await h.exit, { shard: 3, probesRun: 60 });
    h.main.close();
  });

  t.test(`a full batch is sent without waiting for the timer (${path})`, async (t) => {
    const h = startShard(undefined, { batchMs: 60_000, batchMax: 4 });
    h.send({ type: 'probe', pairs: pairsOf(1, 9, 2, 9, 3, 9, 4, 9, 5, 9) });
    t.ok(await waitFor(() => h.results().length >= 4, 1000), 'four results flushed by size');
    t.equal(h.results().length, 4, 'the fifth waits for the timer');
    h.send({ type: 'shutdown' });
    await h.exit;
    t.ok(await waitFor(() => h.results().length === 5), 'shutdown flushes the rest');
    h.main.close();
  });

  t.test(`unknown target, cancel, unregister (${path})`, async (t) => {
    const h = startShard();
    await fleet.set('127.7.0.2', { kind: 'silent' });
    h.send({ type: 'register', targets: [{ id: 7, spec: httpSpec('127.7.0.2', fleet.httpPort, { timeoutMs: 5000 }) }] });
    h.send({ type: 'probe', pairs: pairsOf(1, 7, 2, 7, 3, 99) });
    t.ok(await waitFor(() => h.results().length === 1));
    t.match(h.results()[0], { probeId: 3, result: { code: 'SOCKERR', detail: 'unknown probe target 99' } });
    t.ok(await waitFor(() => fleet.stats('127.7.0.2')?.open === 2), 'both probes connected');
    h.send({ type: 'cancel', pairs: [1, 7, 2, 7] });
    t.ok(await waitFor(() => fleet.stats('127.7.0.2')?.open === 0), 'cancel closes their connections');
    h.send({ type: 'unregister', ids: [7] });
    h.send({ type: 'probe', pairs: pairsOf(4, 7) });
    t.ok(await waitFor(() => h.results().length === 2));
    t.match(h.results()[1], { probeId: 4, result: { code: 'SOCKERR' } }, 'unregistered target is unknown');
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.equal(h.results().length, 2, 'cancelled probes never answer');
    h.send({ type: 'shutdown' });
    await h.exit;
    h.main.close();
    await fleet.set('127.7.0.2', { kind: 'up' });
  });

  t.test(`requests through the request ring: read on the shard's tick, sleep, wake (${path})`, async (t) => {
    const h = startShard();
    h.send({ type: 'register', targets: [{ id: 1, spec: httpSpec('127.7.0.1', fleet.httpPort) }] });
    // Written right after the registration: the shard reads queued messages before the ring.
    for (let p = 1; p <= 5; p++) t.ok(h.requests.push(p, 1));
    t.equal(h.requests.publish(), false, 'the shard is awake');
    t.ok(await waitFor(() => h.results().length === 5), 'read from the ring and answered');
    t.ok(h.results().every((r) => r.result.code === 'L7OK'));
    await new Promise((resolve) => setTimeout(resolve, 200)); // 5 empty ticks of 10 ms, and more
    t.ok(h.requests.push(6, 1));
    t.equal(h.requests.publish(), true, 'after a few empty ticks it sleeps, and says so');
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.equal(h.results().length, 5, 'asleep: the request waits');
    h.send({ type: 'wake' });
    t.ok(await waitFor(() => h.results().length >= 6), 'woken, it reads the ring at once');
    let taken = 0;
    for (let p = 100; p < 200; p++) if (h.requests.push(p, 1)) taken++;
    t.equal(taken, 64, 'a full ring refuses pairs (the dispatcher then posts them)');
    if (h.requests.publish()) h.send({ type: 'wake' });
    t.ok(await waitFor(() => h.results().length === 6 + 64), 'the full ring is read');
    h.send({ type: 'shutdown' });
    await h.exit;
    h.main.close();
  });

  t.test(`reuse-connection targets keep one connection, closed on re-register, unregister and shutdown (${path})`, async (t) => {
    const server = await keepAliveServer(t);
    const h = startShard();
    const spec = httpSpec('127.0.0.1', server.port, { reuseConnection: true });
    h.send({ type: 'register', targets: [{ id: 1, spec }] });
    for (let p = 1; p <= 3; p++) {
      h.send({ type: 'probe', pairs: pairsOf(p, 1) });
      t.ok(await waitFor(() => h.results().length === p), `probe ${p} answered`);
    }
    t.ok(h.results().every((r) => r.result.code === 'L7OK'));
    t.equal(server.accepted, 1, 'three probes, one connection (whichever prober takes plain http)');
    h.send({ type: 'register', targets: [{ id: 1, spec: { ...spec, path: '/other' } }] });
    t.ok(await waitFor(() => server.open === 0), 're-registering closes the kept connection');
    h.send({ type: 'probe', pairs: pairsOf(4, 1) });
    t.ok(await waitFor(() => server.open === 1 && h.results().length === 4));
    h.send({ type: 'unregister', ids: [1] });
    t.ok(await waitFor(() => server.open === 0), 'unregistering closes it');
    h.send({ type: 'register', targets: [{ id: 2, spec }] });
    h.send({ type: 'probe', pairs: pairsOf(5, 2) });
    t.ok(await waitFor(() => server.open === 1 && h.results().length === 5));
    h.send({ type: 'shutdown' });
    await h.exit;
    t.ok(await waitFor(() => server.open === 0), 'shutdown closes it');
    h.main.close();
  });

  t.test(`namespace not entered: every probe fails with the netns detail (${path})`, async (t) => {
    const detail = 'enter netns "blue": no such file or directory';
    const h = startShard(detail);
    await waitFor(() => h.messages.length > 0);
    t.match(h.messages[0], { type: 'ready', netnsError: detail });
    h.send({ type: 'register', targets: [{ id: 1, spec: httpSpec('127.7.0.1', fleet.httpPort) }] });
    h.send({ type: 'probe', pairs: pairsOf(1, 1, 2, 1) });
    t.ok(await waitFor(() => h.results().length === 2));
    for (const r of h.results()) t.match(r.result, { ok: false, layer: 'L4', code: 'L4CON', detail });
    h.send({ type: 'shutdown' });
    await h.exit;
    h.main.close();
  });
}
