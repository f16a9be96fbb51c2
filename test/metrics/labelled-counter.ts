import { Registry } from 'prom-client';
import t from 'tap';
import { LabelledCounter } from '../../src/metrics/labelled-counter.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';

void t.test('series per label values, the same text through prom-client and MetricsRegistry', async (t) => {
  const texts: string[] = [];
  for (const registry of [new Registry(), new MetricsRegistry()]) {
    const c = new LabelledCounter({ name: 'x_total', help: 'X.', labelNames: ['a', 'b'], registry });
    c.add(['1', 'p']);
    c.add(['1', 'p'], 2);
    c.add(['2', 'q"']);
    texts.push(await registry.metrics());
  }
  t.equal(texts[1], texts[0]);
  t.equal(texts[0], '# HELP x_total X.\n# TYPE x_total counter\nx_total{a="1",b="p"} 3\nx_total{a="2",b="q\\""} 1\n');
});
