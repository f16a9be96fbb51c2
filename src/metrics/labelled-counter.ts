// A counter family whose series keep their label text rendered (flat) from the first increment: an
// increment is one map lookup, and a scrape prints prepared lines (paced by the scrape's
// pauses) instead of escaping and joining labels again. For counters with many series, such as
// per-backend transitions. A prom-client Counter subclass: other Registries read it via get().

import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { familyHeader, flat, labelText, type ExpositionWriter } from './exposition.js';
import { registeredName, type ScrapeContext, type TextFamily } from './registry.js';
import { pacer } from './scrape-gauge.js';

interface Series {
  readonly labels: string;
  readonly values: readonly string[];
  value: number;
}

type CounterSnapshot = Awaited<ReturnType<Counter['get']>>;

export class LabelledCounter extends Counter implements TextFamily {
  readonly #name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #series = new Map<string, Series>();

  constructor(opts: { readonly name: string; readonly help: string; readonly labelNames: readonly string[]; readonly registry: Registry }) {
    super({ name: opts.name, help: opts.help, labelNames: opts.labelNames, registers: [opts.registry] });
    this.#name = opts.name;
    this.#help = opts.help;
    this.#labelNames = opts.labelNames;
  }

  /** Adds n (default 1) to the series of these label values, in labelNames order. */
  add(labelValues: readonly string[], n = 1): void {
    const key = labelValues.join('\u0000');
    let s = this.#series.get(key);
    if (s === undefined) this.#series.set(key, (s = { labels: flat(labelText(this.#labelNames, labelValues)), values: [...labelValues], value: 0 }));
    s.value += n;
  }

  override async get(): Promise<CounterSnapshot> {
    const values = [...this.#series.values()].map((s) => ({ labels: Object.fromEntries(this.#labelNames.map((n, i) => [n, s.values[i] ?? ''])), value: s.value }));
    return Promise.resolve({ name: registeredName(this), help: this.#help, type: 'counter', values, aggregator: 'sum' } as unknown as CounterSnapshot);
  }

  async renderText(ctx: ScrapeContext, out: ExpositionWriter): Promise<void> {
    out.line(familyHeader(this.#name, this.#help, 'counter'));
    const pace = pacer(ctx, 1024);
    const head = flat(`${this.#name}{`);
    for (const s of this.#series.values()) {
      out.sample(head, s.labels, '}', s.value);
      const p = pace();
      if (p !== undefined) await p;
    }
  }
}
