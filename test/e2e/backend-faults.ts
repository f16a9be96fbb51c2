// End to end: backend faults (issue 7) through the real probe dispatcher (Piscina
// worker threads) against the loopback fleet and a black-holed listener.
//   1. Each fault yields its code: the deadline faults at the timeout (≤ 1.1 × timeout, measured
//      by the probe and end to end through the dispatcher), the others well before it.
//   2. No leak: 10 000 mixed faulty probes at high concurrency with short timeouts, then the
//      process's fd count (/proc/self/fd: every thread's sockets, the fleet's included) and the
//      fleet's open connections are back to their baseline.
//   3. A shard that really hangs (a catastrophic response-regexp) while it holds a native ICMP
//      watcher is killed by the dispatcher's sweep and replaced; the process lives on (this
//      used to SIGSEGV) and the killed shard's ICMP socket is closed.
//   4. A deadline during connect (black hole) releases the socket at once, not when the kernel
//      gives up on the SYN (≈ 2 min).
// The dispatcher's workers trust only the system CAs, so every certificate fault is L6RSP here;
// which check failed (expired, name) is asserted in test/workers/probes/faults.ts.

import t from 'tap';
import { readdirSync, readlinkSync } from 'node:fs';
import type { FleetBehaviour } from '../../src/fleet/fleet-behaviour.js';
import { startFleet } from '../../src/fleet/fleet.js';
import { createProbeDispatcher, type ProbeDispatcher } from '../../src/checker/probe-dispatcher.js';
import type { HealthCheck } from '../../src/shared/config.js';
import type { ProbeCode, ProbeResult } from '../../src/shared/health.js';
import { startBlackhole } from '../support/blackhole-listener.js';
import { healthCheck } from '../support/health-check.js';
import { ProbeClient } from '../support/probe-client.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerFreezer } from '../support/worker-freeze.js';

const fleet = await startFleet({ httpPort: 0, httpsPort: 0 });
const hole = await startBlackhole('127.0.0.1');
const dispatcher = await createProbeDispatcher({ threads: 2 });
await dispatcher.whenReady(); // its worker threads' fds exist before any baseline is taken
t.teardown(async () => {
  await dispatcher.close();
  await hole.close();
  await fleet.close();
});

interface Fault {
  readonly name: string;
  /** The fleet behaviour; undefined → the black-holed listener on 127.0.0.1. */
  readonly behaviour: FleetBehaviour | undefined;
  readonly check: (timeoutMs: number) => HealthCheck;
  /** The code; `alt` is another one the kernel may decide (a reset seen at connect or at read). */
  readonly code: ProbeCode;
  readonly alt?: ProbeCode;
  readonly timing: 'deadline' | 'immediate';
}

const https = fleet.httpsPort ?? 0;
const http = (params: Parameters<typeof healthCheck>[3] = {}) => (timeoutMs: number) => healthCheck('http', fleet.httpPort, { timeoutMs }, params);
const faults: Fault[] = [
  { name: 'accept then silence', behaviour: { kind: 'silent' }, check: http(), code: 'L7TOUT', timing: 'deadline' },
  { name: 'half-open', behaviour: { kind: 'half-open' }, check: http(), code: 'L7TOUT', timing: 'deadline' },
  { name: 'trickle 1 byte / 50 ms', behaviour: { kind: 'trickle', intervalMs: 50 }, check: http(), code: 'L7TOUT', timing: 'deadline' },
  { name: 'RST right after connect', behaviour: { kind: 'reset' }, check: http(), code: 'L7RSP', alt: 'L4CON', timing: 'immediate' },
  { name: 'TLS handshake stall', behaviour: { kind: 'tls-stall' }, check: (ms) => healthCheck('https', https, { timeoutMs: ms }), code: 'L6TOUT', timing: 'deadline' },
  {
    name: 'TLS handshake stall, tcp ssl',
    behaviour: { kind: 'tls-stall' },
    check: (ms) => healthCheck('tcp', https, { timeoutMs: ms }, { ssl: true, insecureSkipVerify: true }),
    code: 'L6TOUT',
    timing: 'deadline',
  },
  { name: 'certificate for another name', behaviour: { kind: 'certificate', certificate: 'wrong-name' }, check: (ms) => healthCheck('https', https, { timeoutMs: ms }), code: 'L6RSP', timing: 'immediate' },
  { name: 'expired certificate', behaviour: { kind: 'certificate', certificate: 'expired' }, check: (ms) => healthCheck('https', https, { timeoutMs: ms }), code: 'L6RSP', timing: 'immediate' },
  { name: '100 MB body with a regexp', behaviour: { kind: 'huge', bytes: 100_000_000 }, check: http({ responseRegexp: 'MARK' }), code: 'L7RSP', timing: 'immediate' },
  { name: 'gzip bomb (1 GiB inflated)', behaviour: { kind: 'gzip-bomb', bytes: 2 ** 30 }, check: http({ responseRegexp: '^\\x00' }), code: 'L7RSP', timing: 'immediate' },
  { name: 'malformed status line', behaviour: { kind: 'raw', response: 'HTTP/1.1 2OO OK\r\n\r\n' }, check: http(), code: 'L7RSP', timing: 'immediate' },
  { name: 'wrong status', behaviour: { kind: 'status', code: 503 }, check: http(), code: 'L7STS', timing: 'immediate' },
  { name: 'black hole, http', behaviour: undefined, check: (ms) => healthCheck('http', hole.port, { timeoutMs: ms }), code: 'L4TOUT', timing: 'deadline' },
  { name: 'black hole, tcp', behaviour: undefined, check: (ms) => healthCheck('tcp', hole.port, { timeoutMs: ms }), code: 'L4TOUT', timing: 'deadline' },
];

/** `count` fleet addresses per fault, created once (the black hole: 127.0.0.1, `count` times). */
async function addressesOf(index: number, count: number): Promise<string[]> {
  const f = faults[index];
  if (f?.behaviour === undefined) return Array.from({ length: count }, () => '127.0.0.1');
  const list = Array.from({ length: count }, (_, i) => `127.13.${index}.${i + 1}`);
  await fleet.add(list, f.behaviour);
  return list;
}

interface Timed {
  readonly result: ProbeResult;
  /** From run() to the result callback on the main thread. */
  readonly wallMs: number;
}

const clients = new WeakMap<ProbeDispatcher, ProbeClient>();

function probe(d: ProbeDispatcher, backend: string, address: string, check: HealthCheck): Promise<Timed> {
  const t0 = performance.now();
  let c = clients.get(d);
  if (c === undefined) {
    c = new ProbeClient(d);
    clients.set(d, c);
  }
  return c.probe({ backend, address, check }).then((result) => ({ result, wallMs: performance.now() - t0 }));
}

function fdTargets(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`).replace(/\d+/g, 'N'));
    } catch {
      // the directory's own fd, closed by now
    }
  }
  return out.sort();
}

/** ` (extra: …)` naming the fds in `after` beyond those in `before`, or ''. */
function extraNote(before: readonly string[], after: readonly string[]): string {
  const left = [...before];
  const extra = after.filter((k) => {
    const i = left.indexOf(k);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
  return extra.length === 0 ? '' : ` (extra: ${kinds(extra)})`;
}

function kinds(list: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of list) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n}×${k}`).join(', ');
}

t.test('each fault yields its code in time, through the dispatcher', async (t) => {
  // 2 s: the 10 % margin (200 ms) must absorb this shared 2-core machine's scheduling noise.
  const timeoutMs = 2000;
  const perFault = 4;
  const runs = await Promise.all(
    faults.map(async (f, i) => {
      const addresses = await addressesOf(i, perFault);
      const check = f.check(timeoutMs);
      return Promise.all(Array.from({ length: perFault }, (_, k) => probe(dispatcher, `timed-${i}-${k}`, addresses[k % addresses.length] ?? '', check)));
    }),
  );
  faults.forEach((f, i) => {
    const timed = runs[i] ?? [];
    const codes = timed.map((x) => x.result.code);
    t.ok(
      codes.every((c) => c === f.code || c === f.alt),
      `${f.name}: ${f.code}${f.alt === undefined ? '' : ` or ${f.alt}`} (got ${codes.join(',')}; ${timed[0]?.result.detail ?? ''})`,
    );
    const probeMs = Math.max(...timed.map((x) => x.result.durationMs));
    const wallMs = Math.max(...timed.map((x) => x.wallMs));
    const ms = `probe ≤ ${probeMs.toFixed(0)} ms, end to end ≤ ${wallMs.toFixed(0)} ms`;
    if (f.timing === 'deadline') {
      t.ok(Math.min(...timed.map((x) => x.result.durationMs)) >= timeoutMs - 1, `${f.name}: not before the deadline`);
      t.ok(probeMs <= 1.1 * timeoutMs && wallMs <= 1.1 * timeoutMs, `${f.name}: within 1.1 × ${timeoutMs} ms (${ms})`);
    } else {
      t.ok(wallMs <= 0.5 * timeoutMs, `${f.name}: well before the deadline (${ms})`);
    }
  });
  t.ok(await waitFor(() => fleet.openConnections() === 0), 'the fleet holds no connection afterwards');
});

// The http prober leaks a socket per connect timeout (see 4): kept out of the mix so the leak
// check stays strict for everything else; the tcp prober covers the black hole in the mix.
const leaksOnConnectTimeout = (f: Fault): boolean => f.behaviour === undefined && f.check(1).type === 'http';

t.test('10 000 faulty probes leak no fd and no connection', async (t) => {
  const timeoutMs = 250;
  const total = 10_000;
  const window = 300;
  const targets: Array<{ fault: Fault; backend: string; address: string; check: HealthCheck }> = [];
  for (const [i, f] of faults.entries()) {
    if (leaksOnConnectTimeout(f)) continue;
    const addresses = await addressesOf(i, 8);
    const check = f.check(timeoutMs);
    for (const [k, address] of addresses.entries()) targets.push({ fault: f, backend: `leak-${i}-${k}`, address, check });
  }
  // Warm-up, one probe per target: registrations, TLS contexts and lazily made state exist
  // before the baseline is taken.
  await Promise.all(targets.map((x) => probe(dispatcher, x.backend, x.address, x.check)));
  t.ok(await waitFor(() => fleet.openConnections() === 0), 'warm-up connections closed');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const before = fdTargets();
  const rssBefore = process.memoryUsage().rss;

  const tally = new Map<string, number>();
  const wrong: string[] = [];
  let issued = 0;
  let peakOpen = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let done = 0;
    const next = (): void => {
      const x = targets[issued++ % targets.length];
      if (x === undefined) return;
      void probe(dispatcher, x.backend, x.address, x.check).then(({ result }) => {
        const key = `${x.fault.code}→${result.code}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        // Under this load an immediate fault may still meet the short deadline first.
        const timeoutCode = result.code === 'L4TOUT' || result.code === 'L6TOUT' || result.code === 'L7TOUT';
        if (result.code !== x.fault.code && result.code !== x.fault.alt && !timeoutCode) wrong.push(`${x.fault.name}: ${result.code} ${result.detail}`);
        peakOpen = Math.max(peakOpen, fleet.openConnections());
        if (++done === total) resolve();
        else if (issued < total) next();
      });
    };
    for (let i = 0; i < window; i++) next();
  });
  const elapsed = performance.now() - started;
  t.comment(`${total} probes in ${(elapsed / 1000).toFixed(1)} s (${Math.round(total / (elapsed / 1000))}/s), ${window} in flight, peak fleet connections ${peakOpen}`);
  t.comment(`expected→got: ${[...tally].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  t.same(wrong.slice(0, 5), [], 'every probe ended with its fault’s code (or a deadline)');
  t.ok(elapsed < 45_000, 'well under a minute');

  t.ok(await waitFor(() => fleet.openConnections() === 0, 5000), `the fleet's open connections are back to 0 (${fleet.openConnections()})`);
  // The probers close at once, the fleet sees it within a few ms: the count must come back.
  // Slack: none is needed on Node 20/24 today; 2 fds are allowed for libuv/V8 internals that may
  // appear lazily under load (an epoll or eventfd of a worker loop, a platform worker pipe).
  const slack = 2;
  const settled = await waitFor(() => fdTargets().length <= before.length + slack, 5000);
  const after = fdTargets();
  t.comment(`fds before ${before.length} (${kinds(before)})`);
  t.comment(`fds after ${after.length}; rss ${(rssBefore / 1048576).toFixed(0)} → ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
  t.ok(settled && after.length <= before.length + slack, `fd count back to baseline: ${before.length} → ${after.length}${extraNote(before, after)}`);
  t.ok(dispatcher.status().every((s) => s.inflight === 0 && s.restarts === 0), 'no probe left in flight, no shard restarted');
});

t.test('a shard killed as hung while holding ICMP watchers is replaced; the process survives', async (t) => {
  // A truly hung shard: its event loop is frozen (a busy loop evaluated through the inspector;
  // response-regexps can no longer do it, RE2 is linear). The dispatcher's own sweep then kills
  // it (abort → Piscina terminates the worker) while its native ICMP watcher is live, and the
  // re-issued probe's new shard is frozen too.
  const a = '127.13.99.1';
  await fleet.add([a], { kind: 'silent' });
  const before = fdTargets();
  const freezer = startWorkerFreezer(3000);
  const d = await createProbeDispatcher({ threads: 1, hangGraceMs: 300, sweepMs: 50 });
  await d.whenReady();
  const icmp = healthCheck('icmp', 0);
  const first = await probe(d, 'icmp-a', '127.0.0.1', icmp);
  t.equal(first.result.code, 'L4OK', `ICMP socket open in the shard (${first.result.detail})`);
  const hanging = probe(d, 'hung', a, healthCheck('http', fleet.httpPort, { timeoutMs: 200 }));
  freezer.freezeAll();
  const hung = await hanging;
  freezer.stop();
  t.match(hung.result, { code: 'SOCKERR', detail: /^probe worker died: /, discarded: true, discardReason: 'shard-lost' }, 'the probe is discarded after its shard hung twice');
  t.equal(d.status()[0]?.restarts, 2, 'two kills, two replacements');
  // Under load the freezer may still catch the newest shard once: what must hold is that the
  // dispatcher recovers and a later incarnation serves.
  let after = await probe(d, 'icmp-b', '127.0.0.1', icmp);
  for (let i = 0; i < 5 && after.result.code !== 'L4OK'; i++) after = await probe(d, `icmp-b${i}`, '127.0.0.1', icmp);
  t.equal(after.result.code, 'L4OK', `a later incarnation serves (${after.result.detail})`);
  await d.close();
  t.ok(await waitFor(() => fleet.openConnections() === 0), 'no fleet connection left');
  // The killed shard's ICMP socket was closed by the addon's teardown, the last shard closed
  // its own; the worker threads and their loops are gone.
  const settled = await waitFor(() => fdTargets().length <= before.length, 5000);
  const now = fdTargets();
  t.ok(settled, `fd count back to baseline: ${before.length} → ${now.length}${extraNote(before, now)}`);
});

t.test('a connect timeout releases its socket (http prober)', async (t) => {
  const check = healthCheck('http', hole.port, { timeoutMs: 100 });
  const before = fdTargets().length;
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => probe(dispatcher, `hole-http-${i % 10}`, '127.0.0.1', check)));
  t.ok(results.every((r) => r.result.code === 'L4TOUT'), 'L4TOUT');
  const released = await waitFor(() => fdTargets().length <= before, 2000);
  t.ok(released, `fds back to ${before} (now ${fdTargets().length})`);
});
