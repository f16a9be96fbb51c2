import { Registry } from 'prom-client';
import t from 'tap';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { pacer, ScrapeGauge } from '../../src/metrics/scrape-gauge.js';

void t.test('rows computed at scrape time, the same text through prom-client and MetricsRegistry', async (t) => {
  let rows: Array<[string, number]> = [['a', 1]];
  const texts: string[] = [];
  for (const registry of [new Registry(), new MetricsRegistry()]) {
    new ScrapeGauge({ name: 'g', help: 'G.', labelNames: ['k'], registry, collect: (emit) => rows.forEach(([k, v]) => emit([k], v)) });
    new ScrapeGauge({ name: 'bare', help: 'No labels.', labelNames: [], registry, collect: (emit) => emit([], 7) });
    texts.push(await registry.metrics());
  }
  t.equal(texts[1], texts[0]);
  t.equal(texts[0], '# HELP g G.\n# TYPE g gauge\ng{k="a"} 1\n\n# HELP bare No labels.\n# TYPE bare gauge\nbare 7\n');
  rows = [];
  const empty = new MetricsRegistry();
  new ScrapeGauge({ name: 'g', help: 'G.', labelNames: ['k'], registry: empty, collect: (emit) => rows.forEach(([k, v]) => emit([k], v)) });
  t.equal(await empty.metrics(), '# HELP g G.\n# TYPE g gauge\n', 'rows gone at the next scrape');
});

void t.test('pacer: awaits the pause every n calls, and never outside a scrape', async (t) => {
  let pauses = 0;
  const pace = pacer({ scrape: 1, pause: () => (pauses++, undefined) }, 3);
  for (let i = 0; i < 10; i++) {
    const p = pace();
    if (p !== undefined) await p;
  }
  t.equal(pauses, 3);
  const outside = pacer(undefined, 1);
  t.equal(outside(), undefined);
});
