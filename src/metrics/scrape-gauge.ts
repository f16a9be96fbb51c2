// A gauge family computed at scrape time by a collect function that emits (label values, value)
// rows: MetricsRegistry has it write its text directly, paced by the scrape's pauses; any other
// prom-client Registry gets the same rows through get(). A prom-client Gauge subclass, so it
// registers like any other metric.

import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { familyHeader, labelText, sampleValue, type ExpositionWriter } from './exposition.js';
import { registeredName, type ScrapeContext, type TextFamily } from './registry.js';

export type RowEmit = (labelValues: readonly string[], value: number) => void;

/** Emits the family's rows; `ctx` is undefined outside a MetricsRegistry scrape (nothing to pause or share). */
export type GaugeCollect = (emit: RowEmit, ctx: ScrapeContext | undefined) => void | Promise<void>;

/**
 * Every `every` calls, the scrape's pause (a promise when the slice is used up): long loops of a
 * scrape await it to yield to the event loop. Loops must test before awaiting (`const p = pace();
 * if (p !== undefined) await p;`): awaiting undefined still costs a microtask per item.
 */
export function pacer(ctx: ScrapeContext | undefined, every = 256): () => Promise<void> | undefined {
  let n = 0;
  return () => (ctx !== undefined && ++n % every === 0 ? ctx.pause() : undefined);
}

type GaugeSnapshot = Awaited<ReturnType<Gauge['get']>>;

export class ScrapeGauge extends Gauge implements TextFamily {
  readonly #name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #collectRows: GaugeCollect;

  constructor(opts: { readonly name: string; readonly help: string; readonly labelNames: readonly string[]; readonly registry: Registry; readonly collect: GaugeCollect }) {
    super({ name: opts.name, help: opts.help, labelNames: opts.labelNames, registers: [opts.registry] });
    this.#name = opts.name;
    this.#help = opts.help;
    this.#labelNames = opts.labelNames;
    this.#collectRows = opts.collect;
  }

  override async get(): Promise<GaugeSnapshot> {
    const values: Array<{ labels: Record<string, string>; value: number }> = [];
    await this.#collectRows((labelValues, value) => values.push({ labels: Object.fromEntries(this.#labelNames.map((n, i) => [n, labelValues[i] ?? ''])), value }), undefined);
    return { name: registeredName(this), help: this.#help, type: 'gauge', values, aggregator: 'sum' } as unknown as GaugeSnapshot;
  }

  async renderText(ctx: ScrapeContext, out: ExpositionWriter): Promise<void> {
    const name = this.#name;
    const names = this.#labelNames;
    out.line(familyHeader(name, this.#help, 'gauge'));
    await this.#collectRows((labelValues, value) => {
      out.line(names.length === 0 ? `${name} ${sampleValue(value)}` : `${name}{${labelText(names, labelValues)}} ${sampleValue(value)}`);
    }, ctx);
  }
}
