import { Registry } from 'prom-client';
import t from 'tap';
import { probeBuckets, registerProbeMetrics } from '../../src/metrics/probe-metrics.js';

void t.test('a probe is a count per (result, code) and, when recorded, one histogram observation', async (t) => {
  const registry = new Registry();
  const stats = registerProbeMetrics(registry);
  t.ok(stats.perBackendDurations, 'per backend by default');
  const cases: Array<{ ms: number; le: string }> = [
    { ms: 0.5, le: '0.001' },
    { ms: 1, le: '0.001' },
    { ms: 1.0001, le: '0.0025' },
    { ms: 2500, le: '2.5' },
    { ms: 2500.1, le: '+Inf' },
  ];
  for (const c of cases) {
    const r = new Registry();
    const s = registerProbeMetrics(r);
    s.observe('b', 'tcp', 'L4OK', 'recorded', c.ms);
    const firstHit = s.durationValues('d').find((v) => v.metricName === 'd_bucket' && v.value === 1);
    t.equal(firstHit?.labels.le, c.le, `${c.ms} ms`);
  }
  stats.observe('b', 'http', 'L7OK', 'recorded', 3);
  stats.observe('b', 'http', 'L6TOUT', 'recorded', 3);
  stats.observe('b', 'http', 'L7TOUT', 'discarded', 3);
  t.same(
    stats.probeValues().map((v) => [v.labels.result, v.labels.code, v.value]),
    [
      ['success', 'L7OK', 1],
      ['failure', 'L6TOUT', 1],
      ['discarded', 'L7TOUT', 1],
    ],
  );
  t.equal(stats.durationValues('d').find((v) => v.metricName === 'd_count')?.value, 2, 'the discarded probe has no duration');
  t.equal(stats.durationValues('d').filter((v) => v.metricName === 'd_bucket').length, probeBuckets.length + 1);
});
