// The shared probe attempt: one deadline, settle once, cancel, and the stall guard: a
// *TOUT taken while the event loop was stalled for at least half the timeout is discarded.

import t from 'tap';
import type { ProbeResult } from '../../../src/shared/health.js';
import { detailKind } from '../../../src/shared/probe-detail.js';
import { probeResultOf } from '../../../src/shared/probe-outcome.js';
import { LagMonitor, noLag, type LagSource } from '../../../src/workers/probes/lag-monitor.js';
import { ProbeAttempt } from '../../../src/workers/probes/probe-attempt.js';

const fixedLag = (ms: number): LagSource => ({ lagSince: () => ms });

t.test('stall guard', async (t) => {
  const cases = [
    { name: 'timeout, loop stalled for half the timeout', lag: 50, code: 'L4TOUT', discarded: true },
    { name: 'timeout, loop stalled for longer', lag: 500, code: 'L7TOUT', discarded: true },
    { name: 'timeout, short stall', lag: 49, code: 'L6TOUT', discarded: false },
    { name: 'failure that is not a timeout', lag: 500, code: 'L4CON', discarded: false },
    { name: 'pass', lag: 500, code: 'L7OK', discarded: false },
  ] as const;
  for (const c of cases) {
    const got: ProbeResult[] = [];
    const a = new ProbeAttempt(100, fixedLag(c.lag), (o) => got.push(probeResultOf(o)), () => {});
    a.finish(c.code, detailKind.text, 0, 'x');
    t.equal(got.length, 1, c.name);
    t.equal(got[0]?.discarded === true, c.discarded, c.name);
    t.equal(got[0]?.code, c.code, c.name);
  }
  t.end();
});

t.test('deadline, settle once, cancel', async (t) => {
  const got: ProbeResult[] = [];
  const before = Date.now();
  const a: ProbeAttempt = new ProbeAttempt(30, noLag, (o) => got.push(probeResultOf(o)), () => a.timeout('L4TOUT', detailKind.timeoutConnect));
  t.notOk(a.settled);
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.ok(a.settled);
  a.finish('L4OK', detailKind.connected);
  t.equal(got.length, 1, 'only the first finish counts');
  t.match(got[0], { ok: false, layer: 'L4', code: 'L4TOUT', detail: 'timeout after 30ms during connect' });
  t.ok((got[0]?.at ?? 0) >= before && (got[0]?.durationMs ?? 0) >= 25);

  let fired = false;
  const b = new ProbeAttempt(10, noLag, () => (fired = true), () => (fired = true));
  b.cancel();
  b.finish('L4OK', detailKind.connected);
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.notOk(fired, 'a cancelled attempt never reports, and its deadline is disarmed');
  t.end();
});

t.test('lag monitor sees a stall that overlaps the probe', async (t) => {
  const m = new LagMonitor(5, 5).start();
  t.teardown(() => m.stop());
  await new Promise((resolve) => setTimeout(resolve, 20));
  const before = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const start = performance.now();
  const spin = start + 80;
  while (performance.now() < spin); // block the loop
  t.ok(m.lagSince(start) >= 60, `ongoing stall counted (${m.lagSince(start).toFixed(1)} ms)`);
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.ok(m.lagSince(start) >= 60, 'recorded stall counted');
  t.ok(m.lagSince(before) >= 60, 'a probe that started earlier sees it too');
  t.ok(m.lagSince(performance.now()) < 5, 'a probe that starts afterwards does not');
  t.equal(noLag.lagSince(0), 0);
  t.end();
});
