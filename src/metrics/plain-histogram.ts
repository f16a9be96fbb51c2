// An unlabelled histogram observed on the probe path (maglev_probe_schedule_lateness_seconds, once
// per probe): prom-client's observe() builds a label object, a closure and a result record per
// call, ~200 bytes (the main thread's largest allocation at 10 000 probes/s). Here a probe is a
// bucket search and three additions into typed arrays, and a scrape prints the text itself,
// byte for byte as prom-client would (a test compares the two).

import { Histogram, type Registry } from 'prom-client';
import { familyHeader, type ExpositionWriter } from './exposition.js';
import { registeredName, type ScrapeContext, type TextFamily } from './registry.js';

type HistogramSnapshot = Awaited<ReturnType<Histogram['get']>>;

export class PlainHistogram extends Histogram implements TextFamily {
  readonly #name: string;
  readonly #help: string;
  readonly #bounds: Float64Array;
  /** Observations per bucket (not cumulative); the last cell counts those above every bound. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(opts: { readonly name: string; readonly help: string; readonly buckets: readonly number[]; readonly registry: Registry }) {
    const buckets = [...opts.buckets].sort((a, b) => a - b);
    super({ name: opts.name, help: opts.help, buckets, registers: [opts.registry] });
    this.#name = opts.name;
    this.#help = opts.help;
    this.#bounds = Float64Array.from(buckets);
    this.#counts = new Float64Array(buckets.length + 1);
  }

  /** One observation (prom-client's bucket rule: the first bound it does not exceed). */
  record(value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.#counts[i]!++;
    this.#sum += value;
    this.#count++;
  }

  override async get(): Promise<HistogramSnapshot> {
    const values: Array<{ metricName: string; labels: Record<string, string>; value: number }> = [];
    this.#each((suffix, le, value) => values.push({ metricName: `${this.#name}${suffix}`, labels: le === undefined ? {} : { le }, value }));
    return Promise.resolve({ name: registeredName(this), help: this.#help, type: 'histogram', values, aggregator: 'sum' } as unknown as HistogramSnapshot);
  }

  /** prom-client's Registry formats histograms from this. */
  async getForPromString(): Promise<HistogramSnapshot> {
    return this.get();
  }

  renderText(_ctx: ScrapeContext, out: ExpositionWriter): Promise<void> {
    out.line(familyHeader(this.#name, this.#help, 'histogram'));
    this.#each((suffix, le, value) => (le === undefined ? out.sample(`${this.#name}${suffix}`, '', '', value) : out.sample(`${this.#name}${suffix}{le="`, le, '"}', value)));
    return Promise.resolve();
  }

  /** Cumulative buckets, then sum and count, as prom-client lists them. */
  #each(f: (suffix: string, le: string | undefined, value: number) => void): void {
    let acc = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      acc += this.#counts[i]!;
      f('_bucket', i < this.#bounds.length ? `${this.#bounds[i]}` : '+Inf', acc);
    }
    f('_sum', undefined, this.#sum);
    f('_count', undefined, this.#count);
  }
}
