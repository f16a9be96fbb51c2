// Attack: a catastrophic response-regexp (issue "the checker must never drain healthy backends
// because of its own trouble"). With JavaScript's backtracking RegExp, `(a+)+$` against a body of
// 30 `a`s and a `b` kept its probe shard's event loop busy for seconds; the hung-shard detector
// then killed and respawned the shard every ~11 s, so every backend on that shard got a probe
// per ~20 s and a real failure took 17.6 s to detect. Under RE2 (linear time) the hostile
// backend is just down (L7RSP), no shard is restarted, and a real failure of another backend on
// the same single shard is detected within a few probe intervals.
// The real Checker, clock and Piscina dispatcher (one shard: everyone shares it) against the
// loopback fleet.

import t from 'tap';
import { startFleet } from '../../src/fleet/fleet.js';
import { Checker } from '../../src/checker/checker.js';
import { parseConfig } from '../../src/config/loader.js';
import { createProbeDispatcher } from '../../src/checker/probe-dispatcher.js';
import { createRealClock } from '../../src/shared/clock.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { waitFor } from '../support/wait-for.js';

const [evil, good1, good2] = ['127.0.16.1', '127.0.16.2', '127.0.16.3'];

const fleet = await startFleet({ httpPort: 0, backends: [] });
const dispatcher = await createProbeDispatcher({ threads: 1 });
t.teardown(async () => {
  await dispatcher.close();
  await fleet.close();
});
await dispatcher.whenReady();

t.test('(a+)+$ against 30 a and a b: no stalled shard, other backends detected on time', async (t) => {
  await fleet.add([evil], { kind: 'body', body: `${'a'.repeat(30)}b`, framing: 'length' });
  await fleet.add([good1, good2], { kind: 'body', body: 'ok', framing: 'length' });
  const check = (regexp: string): string =>
    `      type: http\n      port: ${fleet.httpPort}\n      interval: 100ms\n      fast-interval: 100ms\n      down-interval: 100ms\n` +
    `      timeout: 1s\n      rise: 2\n      fall: 2\n      params:\n        response-regexp: '${regexp}'\n`;
  const load = parseConfig(
    `maglev:\n  vpp:\n    lb:\n      ipv4-src-address: 192.0.2.254\n` +
      `  healthchecks:\n    redos:\n${check('(a+)+$')}    plain:\n${check('^ok$')}` +
      `  backends:\n    evil: { address: ${evil}, healthcheck: redos }\n    good1: { address: ${good1}, healthcheck: plain }\n    good2: { address: ${good2}, healthcheck: plain }\n` +
      `  frontends:\n    web:\n      address: 192.0.2.1\n      protocol: tcp\n      port: 80\n      pools:\n        - name: p\n          backends: { evil: {}, good1: {}, good2: {} }\n`,
  );
  if (!load.ok) throw new Error(JSON.stringify(load.errors));
  const checker = new Checker({ config: load.config, clock: createRealClock(), logger: new RecordingLogger({ debug: false }), executor: dispatcher });
  t.teardown(() => checker.stop());
  checker.start();
  const state = (b: string): string | undefined => checker.getBackend(b)?.state;
  t.ok(await waitFor(() => state('good1') === 'up' && state('good2') === 'up', 10_000), 'the healthy backends come up');
  t.ok(await waitFor(() => state('evil') === 'down', 10_000), 'the hostile backend is down');
  t.match(checker.getBackend('evil')?.lastProbe, { code: 'L7RSP', detail: 'body did not match (a+)+$' }, 'its body was matched, and did not match');

  // Keep the hostile probes running for a while, then fail good1 for real.
  await new Promise((r) => setTimeout(r, 1500));
  await fleet.set(good1, { kind: 'down' });
  const failedAt = performance.now();
  t.ok(await waitFor(() => state('good1') === 'down', 15_000), 'the real failure is detected');
  const detectMs = performance.now() - failedAt;
  t.comment(`good1 down ${Math.round(detectMs)} ms after it failed (fall 2 × 100 ms)`);
  // Before RE2: 17.6 s. Two 100 ms intervals plus probe time; 8 s is slack for a loaded CI box.
  t.ok(detectMs < 8000, `detected within 8 s (${Math.round(detectMs)} ms)`);
  t.equal(state('good2'), 'up', 'the other healthy backend stayed up');
  t.equal(dispatcher.status()[0]?.restarts, 0, 'the shard never hung, so it was never respawned');
});
