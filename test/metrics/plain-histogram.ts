import { Histogram, Registry } from 'prom-client';
import t from 'tap';
import { PlainHistogram } from '../../src/metrics/plain-histogram.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';

const buckets = [0.001, 0.0025, 0.005, 0.01, 0.1, 1];
// On a bound, between bounds, above every bound, zero, negative, and a fraction with a long print.
const values = [0.001, 0.0005, 0.003, 0.0025, 2, 0, -0.5, 0.1 + 0.2, 1, 1.0000001];

void t.test('the same text as a prom-client Histogram, through both registries', async (t) => {
  const reference = new Registry();
  const h = new Histogram({ name: 'lat_seconds', help: 'Lateness.\nSecond line.', buckets, registers: [reference] });
  for (const v of values) h.observe(v);
  const want = await reference.metrics();
  for (const registry of [new Registry(), new MetricsRegistry()]) {
    const p = new PlainHistogram({ name: 'lat_seconds', help: 'Lateness.\nSecond line.', buckets: [...buckets].reverse(), registry });
    for (const v of values) p.record(v);
    t.equal(await registry.metrics(), want, registry.constructor.name);
  }
});

void t.test('empty: zero buckets, sum and count, as prom-client prints them', async (t) => {
  const reference = new Registry();
  new Histogram({ name: 'e', help: 'E.', buckets, registers: [reference] });
  const registry = new MetricsRegistry();
  new PlainHistogram({ name: 'e', help: 'E.', buckets, registry });
  t.equal(await registry.metrics(), await reference.metrics());
});

void t.test('get() answers the snapshot prom-client would', async (t) => {
  const reference = new Registry();
  const h = new Histogram({ name: 'g', help: 'G.', buckets, registers: [reference] });
  const p = new PlainHistogram({ name: 'g', help: 'G.', buckets, registry: new MetricsRegistry() });
  for (const v of values) {
    h.observe(v);
    p.record(v);
  }
  const strip = (s: Awaited<ReturnType<Histogram['get']>>) => s.values.map((x) => ({ metricName: x.metricName, labels: x.labels, value: x.value }));
  t.same(strip(await p.get()), strip(await h.get()));
});
