import t from 'tap';
import { ManualClock } from '../support/manual-clock.js';
import { AnomalyLog } from '../../src/maglevt/anomaly-log.js';
import { jitteredInterval, ProbeLoop } from '../../src/maglevt/probe-loop.js';
import type { ProbeSample } from '../../src/maglevt/probe-sample.js';
import type { VipProbe } from '../../src/maglevt/vip-probe.js';
import { VipStats } from '../../src/maglevt/vip-stats.js';

/** A probe whose runs the test finishes by hand. */
class FakeProbe implements VipProbe {
  readonly startedAt: number[] = [];
  readonly pending: ((s: ProbeSample) => void)[] = [];
  closed = 0;
  readonly clock: ManualClock;
  constructor(clock: ManualClock) {
    this.clock = clock;
  }
  run(): Promise<ProbeSample> {
    this.startedAt.push(this.clock.now());
    return new Promise((resolve) => this.pending.push(resolve));
  }
  close(): void {
    this.closed++;
    for (const r of this.pending.splice(0)) r({ type: 'error', latencyMs: 0, code: 'ESTOPPED', message: 'probe stopped' });
  }
  /** Finishes the oldest run and lets the loop react. */
  async finish(s: ProbeSample): Promise<void> {
    this.pending.shift()?.(s);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function setup(random = 0.5) {
  const clock = new ManualClock(0);
  const probe = new FakeProbe(clock);
  const stats = new VipStats();
  const anomalies = new AnomalyLog();
  const loop = new ProbeLoop({ vip: 'web4', probe, stats, anomalies, clock, random: () => random, intervalMs: 100 });
  return { clock, probe, stats, anomalies, loop };
}

t.test('jitteredInterval stays within ±10 %', async (t) => {
  const cases = [
    { r: 0, want: 90 },
    { r: 0.5, want: 100 },
    { r: 0.999999, want: 110 },
  ];
  for (const c of cases) t.ok(Math.abs(jitteredInterval(100, () => c.r) - c.want) < 1e-3, `r=${c.r} → ${c.want}`);
});

t.test('cadence: staggered start, then every jittered interval from the previous start', async (t) => {
  const { clock, probe, loop } = setup(0.25);
  loop.start();
  clock.advance(24);
  t.same(probe.startedAt, [], 'nothing before the stagger offset (0.25 × 100ms)');
  clock.advance(1);
  t.same(probe.startedAt, [25], 'first probe at 25ms');
  clock.advance(10);
  await probe.finish({ type: 'tcp', latencyMs: 10 });
  clock.advance(84);
  t.same(probe.startedAt, [25], 'next not before 25 + 95');
  clock.advance(1);
  t.same(probe.startedAt, [25, 120], 'next at 25 + 0.95 × 100');
  await loop.stop();
});

t.test('probes never overlap; a late one is followed at once', async (t) => {
  const { clock, probe, loop } = setup(0);
  loop.start();
  clock.advance(0);
  t.same(probe.startedAt, [0]);
  clock.advance(500);
  t.equal(probe.startedAt.length, 1, 'still one run while the first is in flight');
  await probe.finish({ type: 'timeout', latencyMs: 500 });
  clock.advance(0);
  t.same(probe.startedAt, [0, 500], 'the next starts right away');
  await loop.stop();
});

t.test('samples land in the stats, anomalies in the log with the VIP name', async (t) => {
  const { clock, probe, stats, anomalies, loop } = setup(0);
  loop.start();
  clock.advance(0);
  clock.advance(3);
  await probe.finish({ type: 'http', latencyMs: 3, status: 200, header: 'nginx0' });
  clock.advance(87);
  t.same(probe.startedAt, [0, 90], 'second probe at 0.9 × 100ms');
  clock.advance(2);
  await probe.finish({ type: 'http', latencyMs: 2, status: 503, header: 'nginx1' });
  const snap = stats.snapshot(clock.now());
  t.equal(snap.n, 2);
  t.equal(snap.fail, 1);
  t.same(
    snap.tally.map((e) => e.value),
    ['nginx0', 'nginx1'],
  );
  t.same(anomalies.recent(10), [{ seq: 1, atMs: 92, vip: 'web4', kind: 'http-err', detail: 'HTTP 503 from nginx1' }]);
  await loop.stop();
});

t.test('stop closes the probe, drops the in-flight result and probes no more', async (t) => {
  const { clock, probe, stats, loop } = setup(0);
  loop.start();
  clock.advance(0);
  t.equal(probe.pending.length, 1);
  await loop.stop();
  t.equal(probe.closed, 1, 'probe closed');
  t.equal(stats.snapshot(0).n, 0, 'the cancelled probe is not counted');
  clock.advance(10_000);
  t.equal(probe.startedAt.length, 1, 'no probe after stop');
  t.equal(clock.pending, 0, 'no timer left');
});

t.test('stop before the first probe', async (t) => {
  const { clock, probe, loop } = setup(0.5);
  loop.start();
  await loop.stop();
  clock.advance(1000);
  t.equal(probe.startedAt.length, 0);
  t.equal(clock.pending, 0);
});
