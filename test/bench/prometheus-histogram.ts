// Histograms read from /metrics text (label sets summed per bucket), differences of two scrapes
// and quantiles as PromQL's histogram_quantile computes them.

import t from 'tap';
import { histogramDelta, histogramQuantile, readHistogram, type Histogram } from '../../bench/prometheus-histogram.js';

const text = [
  '# HELP lat_seconds lateness',
  '# TYPE lat_seconds histogram',
  'lat_seconds_bucket{le="0.001",shard="0"} 10',
  'lat_seconds_bucket{le="0.01",shard="0"} 18',
  'lat_seconds_bucket{le="+Inf",shard="0"} 20',
  'lat_seconds_bucket{shard="1",le="0.001"} 30',
  'lat_seconds_bucket{shard="1",le="0.01"} 70',
  'lat_seconds_bucket{shard="1",le="+Inf"} 80',
  'lat_seconds_sum{shard="0"} 1',
  'lat_seconds_count{shard="0"} 20',
  'other_bucket{le="1"} 5',
].join('\n');

t.test('reading sums label sets per bound', async (t) => {
  t.same(readHistogram(text, 'lat_seconds'), { bounds: [0.001, 0.01, Infinity], counts: [40, 88, 100] });
  t.equal(readHistogram(text, 'missing_seconds'), undefined);
});

t.test('delta of two scrapes', async (t) => {
  const later = { bounds: [1, 2, Infinity], counts: [15, 30, 31] };
  t.same(histogramDelta({ bounds: [1, 2, Infinity], counts: [10, 10, 10] }, later), { bounds: [1, 2, Infinity], counts: [5, 20, 21] });
  t.same(histogramDelta(undefined, later), later, 'no earlier scrape: everything counts');
});

t.test('quantiles', async (t) => {
  const h = (counts: number[]): Histogram => ({ bounds: [0.001, 0.01, 0.1, Infinity], counts });
  const cases = [
    { name: 'empty', in: { q: 0.99, h: h([0, 0, 0, 0]) }, want: undefined },
    { name: 'inside the first bucket, from 0', in: { q: 0.5, h: h([100, 100, 100, 100]) }, want: 0.0005 },
    { name: 'interpolated in the second bucket', in: { q: 0.99, h: h([90, 100, 100, 100]) }, want: 0.001 + 0.009 * 0.9 },
    { name: 'exactly a bucket edge', in: { q: 0.9, h: h([90, 100, 100, 100]) }, want: 0.001 },
    { name: 'in +Inf: the highest finite bound', in: { q: 0.99, h: h([10, 20, 30, 100]) }, want: 0.1 },
  ];
  for (const c of cases) {
    const got = histogramQuantile(c.in.q, c.in.h);
    if (c.want === undefined) t.equal(got, undefined, c.name);
    else t.ok(got !== undefined && Math.abs(got - c.want) < 1e-12, `${c.name}: ${got} ≈ ${c.want}`);
  }
});
