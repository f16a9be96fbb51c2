// The dispatcher with real Piscina workers against the loopback fleet: many targets at once
// across shards, every probe type, cancel, re-registration when a check changes, a crashed
// worker replaced with its in-flight probes re-issued, an unusable namespace, and close.
// Pools are few and shared: a worker thread starts slowly under tsx.

import t from 'tap';
import { fleetAddresses } from '../../src/fleet/fleet-addresses.js';
import { startFleet } from '../../src/fleet/fleet.js';
import { createProbeDispatcher, type ProbeDispatcher } from '../../src/checker/probe-dispatcher.js';
import type { ProbeTarget } from '../../src/checker/probe-executor.js';
import type { ProbeResult } from '../../src/shared/health.js';
import { probeResultOf } from '../../src/shared/probe-outcome.js';
import { healthCheck } from '../support/health-check.js';
import { ProbeClient } from '../support/probe-client.js';
import { waitFor } from '../support/wait-for.js';

const addresses = fleetAddresses(300, '127.8.0.1');
const fleet = await startFleet({ httpPort: 0, httpsPort: 0, backends: addresses });
const dispatcher = await createProbeDispatcher({ threads: 2 });
t.teardown(async () => {
  await dispatcher.close();
  await fleet.close();
});

const clients = new WeakMap<ProbeDispatcher, ProbeClient>();

function client(d: ProbeDispatcher): ProbeClient {
  let c = clients.get(d);
  if (c === undefined) {
    c = new ProbeClient(d);
    clients.set(d, c);
  }
  return c;
}

function probe(d: ProbeDispatcher, target: ProbeTarget): Promise<ProbeResult> {
  return client(d).probe(target);
}

t.test('shards report ready', async (t) => {
  const status = await dispatcher.whenReady();
  t.equal(status.length, 2);
  t.ok(status.every((s) => s.netnsError === undefined && s.restarts === 0));
});

t.test('many targets concurrently, spread over the shards', async (t) => {
  const check = healthCheck('http', fleet.httpPort);
  fleet.resetCounts();
  const results = await Promise.all(addresses.map((a) => probe(dispatcher, { backend: `be-${a}`, address: a, check })));
  t.equal(results.filter((r) => r.code === 'L7OK').length, addresses.length, 'all pass');
  t.ok(addresses.every((a) => fleet.count(a) === 1), 'one connection per probe');
  const [s0, s1] = dispatcher.status();
  t.equal((s0?.targets ?? 0) + (s1?.targets ?? 0), addresses.length);
  t.ok(Math.abs((s0?.targets ?? 0) - (s1?.targets ?? 0)) <= 1, 'least-loaded assignment balances');
  t.ok(dispatcher.status().every((s) => s.inflight === 0));
});

t.test('a crashed worker is replaced and its probes re-issued', async (t) => {
  // A dispatcher of its own (terminating a worker with live ICMP watchers is covered by
  // test/shared/native-teardown.ts and test/e2e/backend-faults.ts).
  const dispatcher = await createProbeDispatcher({ threads: 2 });
  t.teardown(() => dispatcher.close());
  const slow = fleetAddresses(20, '127.8.3.1');
  await fleet.add(slow, { kind: 'slow', delayMs: 1000 });
  const check = healthCheck('http', fleet.httpPort, { timeoutMs: 4000 });
  await dispatcher.whenReady();
  const pending = Promise.all(slow.map((a) => probe(dispatcher, { backend: `crash-${a}`, address: a, check })));
  t.ok(await waitFor(() => slow.every((a) => fleet.count(a) === 1)), 'every probe reached its backend');
  const restartsBefore = dispatcher.status().reduce((n, s) => n + s.restarts, 0);
  await dispatcher.threads[0]?.terminate();
  const results = await pending;
  t.equal(results.filter((r) => r.code === 'L7OK').length, slow.length, 'no probe lost');
  t.equal(dispatcher.status().reduce((n, s) => n + s.restarts, 0), restartsBefore + 1, 'one shard restarted');
  t.ok(slow.some((a) => fleet.count(a) === 2), `the dead shard’s probes were sent again (${slow.map((a) => fleet.count(a)).join(',')})`);
  t.ok(slow.some((a) => fleet.count(a) === 1), 'the other shard’s probes were not');
  // The replacement serves new probes, including targets it has never seen registered.
  const again = await Promise.all(slow.map((a) => probe(dispatcher, { backend: `crash-${a}`, address: a, check: healthCheck('tcp', fleet.httpPort) })));
  t.ok(again.every((r) => r.code === 'L4OK'));
});

t.test('every probe type', async (t) => {
  const a = '127.8.2.1';
  await fleet.add([a]);
  const cases = [
    { check: healthCheck('icmp', 0), code: 'L4OK' },
    { check: healthCheck('tcp', fleet.httpPort), code: 'L4OK' },
    { check: healthCheck('tcp', fleet.httpsPort ?? 0, {}, { ssl: true, insecureSkipVerify: true }), code: 'L6OK' },
    { check: healthCheck('http', fleet.httpPort, {}, { responseRegexp: '^ok$' }), code: 'L7OK' },
    { check: healthCheck('https', fleet.httpsPort ?? 0, {}, { insecureSkipVerify: true }), code: 'L7OK' },
    { check: healthCheck('https', fleet.httpsPort ?? 0), code: 'L6RSP' },
    { check: healthCheck('http', 1), code: 'L4CON' },
  ];
  let i = 0;
  const results = await Promise.all(cases.map((c) => probe(dispatcher, { backend: `type-${i++}`, address: a, check: c.check })));
  results.forEach((r, n) => t.equal(r.code, cases[n]?.code, `${cases[n]?.check.type}: ${r.detail}`));
});

t.test('a changed check is registered again', async (t) => {
  const a = '127.8.2.2';
  await fleet.add([a]);
  const first = healthCheck('http', fleet.httpPort, {}, { path: '/one' });
  t.equal((await probe(dispatcher, { backend: 'changing', address: a, check: first })).code, 'L7OK');
  t.equal(fleet.stats(a)?.lastRequest?.path, '/one');
  // An equal check in a new object (a reload that changed nothing) keeps the registration.
  t.equal((await probe(dispatcher, { backend: 'changing', address: a, check: { ...first } })).code, 'L7OK');
  const second = healthCheck('http', fleet.httpPort, {}, { path: '/two' });
  t.equal((await probe(dispatcher, { backend: 'changing', address: a, check: second })).code, 'L7OK');
  t.equal(fleet.stats(a)?.lastRequest?.path, '/two');
});

t.test('a released key forgets its target, and the key serves another backend', async (t) => {
  const d = await createProbeDispatcher({ threads: 1 });
  t.teardown(() => d.close());
  await d.whenReady();
  const [a, b] = ['127.8.2.4', '127.8.2.5'];
  await fleet.add([a, b]);
  const results: ProbeResult[] = [];
  d.setSink({ onProbeResult: (_key, o) => results.push(probeResultOf(o)) });
  d.start(7, { backend: 'gone', address: a, check: healthCheck('http', fleet.httpPort, {}, { path: '/gone' }) });
  t.ok(await waitFor(() => results.length === 1));
  t.equal(d.status()[0]?.targets, 1);
  d.release(7);
  t.equal(d.status()[0]?.targets, 0, 'forgotten');
  d.start(7, { backend: 'next', address: b, check: healthCheck('http', fleet.httpPort, {}, { path: '/next' }) });
  t.ok(await waitFor(() => results.length === 2));
  t.equal(results[1]?.code, 'L7OK');
  t.equal(fleet.stats(b)?.lastRequest?.path, '/next', 'the new target, registered again under the key');
});

t.test('cancel: the callback never runs', async (t) => {
  const a = '127.8.2.3';
  await fleet.add([a], { kind: 'silent' });
  const check = healthCheck('http', fleet.httpPort, { timeoutMs: 200 });
  let called = 0;
  const cancels = Array.from({ length: 10 }, (_, i) => client(dispatcher).run({ backend: `cancel-${i}`, address: a, check }, () => called++));
  await waitFor(() => fleet.count(a) === 10);
  for (const c of cancels) c();
  for (const c of cancels) c(); // twice is harmless
  await new Promise((resolve) => setTimeout(resolve, 350));
  t.equal(called, 0);
  t.ok(dispatcher.status().every((s) => s.inflight === 0));
});

t.test('a namespace that cannot be entered fails every probe with L4CON', async (t) => {
  const name = `maglev-missing-${process.pid}`;
  const d = await createProbeDispatcher({ threads: 1, netns: name });
  const [status] = await d.whenReady();
  t.match(status?.netnsError, new RegExp(`^enter netns "${name}": `));
  const r = await probe(d, { backend: 'x', address: '127.0.0.1', check: healthCheck('tcp', fleet.httpPort) });
  t.match(r, { ok: false, layer: 'L4', code: 'L4CON', detail: status?.netnsError });
  // Closed (twice is harmless), the executor answers at once.
  await d.close();
  await d.close();
  const late = await probe(d, { backend: 'x', address: '127.0.0.1', check: healthCheck('tcp', fleet.httpPort) });
  t.match(late, { ok: false, code: 'SOCKERR', detail: 'probe executor closed' });
});
