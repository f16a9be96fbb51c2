// maglev_probe_total{backend,type,result,code} and maglev_probe_duration_seconds{backend,type},
// kept for fleets of thousands of backends probed every second: each (backend, type) owns a slot
// created at its first probe, with its label text rendered once (flat) and its counts in rows of
// two shared tables (CellTable), so a probe costs two map lookups and a few array increments, and
// a scrape joins constant line heads, the series' labels and its numbers. No per-line text is
// kept between scrapes (the 14 line heads of each per-backend histogram series were 27 MiB at
// 10 000 backends). With perBackendDurations false the histogram is kept per check type only
// (labels {type}): the per-backend histogram is 14 series per backend, most of a large fleet's
// scrape. Series stay until restart, as prom-client counters do.

import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { HealthCheckType } from '../shared/config.js';
import { probeCodeLayer, type ProbeCode } from '../shared/health.js';
import { familyHeader, flat, labelText, type ExpositionWriter } from './exposition.js';
import { registeredName, type ScrapeContext, type TextFamily } from './registry.js';
import { CellTable } from './cell-table.js';
import { pacer } from './scrape-gauge.js';

export type ProbeOutcome = 'recorded' | 'discarded';

/** Upper bounds in seconds. */
export const probeBuckets: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const probeCodes = Object.keys(probeCodeLayer) as ProbeCode[];
const codeIndex = new Map<ProbeCode, number>(probeCodes.map((c, i) => [c, i]));
const okCodes: ReadonlySet<ProbeCode> = new Set(['L4OK', 'L6OK', 'L7OK']);
const results = ['success', 'failure', 'discarded'] as const;
/** `,result="…",code="…"}`, the end of the labels of each (result, code) cell of a slot's counts. */
const cellLabels = results.flatMap((r) => probeCodes.map((c) => flat(`,result="${r}",code="${c}"}`)));

const probeTotalName = 'maglev_probe_total';
const probeTotalHelp = 'Health-check probes by backend, type, result (success, failure, discarded) and code.';
const durationName = 'maglev_probe_duration_seconds';
const durationHelp = 'Duration of recorded health-check probes.';
/** Heads of a histogram's lines, before its labels: buckets (le first), +Inf, sum, count. */
const durationHeads = [
  ...[...probeBuckets.map((b) => `${b}`), '+Inf'].map((le) => `${durationName}_bucket{le="${le}",`),
  `${durationName}_sum{`,
  `${durationName}_count{`,
].map(flat);
const probeHead = flat(`${probeTotalName}{`);

interface DurationSeries {
  /** Label values and their text: [backend, type] or [type]. */
  readonly values: readonly string[];
  readonly labels: string;
  /** Where its row starts in the buckets table: observations per bucket (not cumulative), the last cell those above every bound. */
  readonly at: number;
  sum: number;
  count: number;
}

interface Slot {
  readonly backend: string;
  readonly type: string;
  readonly labels: string;
  /** Where its row of results × codes probe counts starts in the counts table. */
  readonly at: number;
  readonly durations: DurationSeries;
}

/** Label text kept for the life of a series, flat. */
function seriesLabels(names: readonly string[], values: readonly string[]): string {
  return flat(labelText(names, values));
}

const cellsPerSlot = results.length * probeCodes.length;
const bucketCells = probeBuckets.length + 1;

type CounterSnapshot = Awaited<ReturnType<Counter['get']>>;
type HistogramSnapshot = Awaited<ReturnType<Histogram['get']>>;

export class ProbeStats {
  readonly perBackendDurations: boolean;
  readonly #slots = new Map<string, Map<string, Slot>>();
  /** Slots in creation order (the order series are printed). */
  readonly #order: Slot[] = [];
  readonly #byType = new Map<string, DurationSeries>();
  /** Distinct duration series in creation order. */
  readonly #durations: DurationSeries[] = [];
  readonly #counts = new CellTable(cellsPerSlot);
  readonly #buckets = new CellTable(bucketCells);

  constructor(opts: { readonly perBackendDurations?: boolean } = {}) {
    this.perBackendDurations = opts.perBackendDurations ?? true;
  }

  /** One recorded or discarded probe; only recorded ones have a duration observed. */
  observe(backend: string, type: HealthCheckType, code: ProbeCode, outcome: ProbeOutcome, durationMs: number): void {
    const slot = this.#slot(backend, type);
    const result = outcome === 'discarded' ? 2 : okCodes.has(code) ? 0 : 1;
    this.#counts.cells[slot.at + result * probeCodes.length + (codeIndex.get(code) ?? 0)]!++;
    if (outcome === 'discarded') return;
    const d = slot.durations;
    const s = durationMs / 1000;
    let i = 0;
    while (i < probeBuckets.length && s > probeBuckets[i]!) i++;
    this.#buckets.cells[d.at + i]!++;
    d.sum += s;
    d.count++;
  }

  #slot(backend: string, type: string): Slot {
    let byType = this.#slots.get(backend);
    if (byType === undefined) this.#slots.set(backend, (byType = new Map<string, Slot>()));
    let slot = byType.get(type);
    if (slot !== undefined) return slot;
    const labels = seriesLabels(['backend', 'type'], [backend, type]);
    let durations: DurationSeries;
    if (this.perBackendDurations) {
      // The same labels: one string for both families.
      durations = this.#durationSeries([backend, type], labels);
      this.#durations.push(durations);
    } else {
      durations = this.#byType.get(type) ?? this.#durationSeries([type], seriesLabels(['type'], [type]));
      if (!this.#byType.has(type)) {
        this.#byType.set(type, durations);
        this.#durations.push(durations);
      }
    }
    slot = { backend, type, labels, at: this.#counts.add(), durations };
    byType.set(type, slot);
    this.#order.push(slot);
    return slot;
  }

  #durationSeries(values: readonly string[], labels: string): DurationSeries {
    return { values, labels, at: this.#buckets.add(), sum: 0, count: 0 };
  }

  /** Every non-zero (backend, type, result, code) count, for prom-client's get(). */
  probeValues(): Array<{ labels: Record<string, string>; value: number }> {
    const out: Array<{ labels: Record<string, string>; value: number }> = [];
    for (const slot of this.#order) {
      const counts = this.#counts.cells;
      for (let cell = 0; cell < cellsPerSlot; cell++) {
        const v = counts[slot.at + cell]!;
        if (v === 0) continue;
        const result = results[Math.floor(cell / probeCodes.length)]!;
        out.push({ labels: { backend: slot.backend, type: slot.type, result, code: probeCodes[cell % probeCodes.length]! }, value: v });
      }
    }
    return out;
  }

  async renderProbes(ctx: ScrapeContext, out: ExpositionWriter): Promise<void> {
    const pace = pacer(ctx);
    for (const slot of this.#order) {
      // Read again after each pause: a probe in between may have grown the table.
      const counts = this.#counts.cells;
      for (let cell = 0; cell < cellsPerSlot; cell++) {
        const v = counts[slot.at + cell]!;
        if (v === 0) continue;
        out.sample(probeHead, slot.labels, cellLabels[cell]!, v);
      }
      const p = pace();
      if (p !== undefined) await p;
    }
  }

  /** The histogram samples as prom-client lists them: buckets (cumulative, le first), +Inf, sum, count. */
  durationValues(name: string): Array<{ metricName: string; labels: Record<string, string>; value: number }> {
    const out: Array<{ metricName: string; labels: Record<string, string>; value: number }> = [];
    const names = this.perBackendDurations ? ['backend', 'type'] : ['type'];
    for (const d of this.#durations) {
      if (d.count === 0) continue;
      const labels = Object.fromEntries(names.map((n, i) => [n, d.values[i] ?? '']));
      const buckets = this.#buckets.cells;
      let acc = 0;
      for (let i = 0; i < bucketCells; i++) {
        acc += buckets[d.at + i]!;
        out.push({ metricName: `${name}_bucket`, labels: { le: i < probeBuckets.length ? `${probeBuckets[i]}` : '+Inf', ...labels }, value: acc });
      }
      out.push({ metricName: `${name}_sum`, labels, value: d.sum }, { metricName: `${name}_count`, labels, value: d.count });
    }
    return out;
  }

  async renderDurations(ctx: ScrapeContext, out: ExpositionWriter): Promise<void> {
    const pace = pacer(ctx, 64);
    for (const d of this.#durations) {
      if (d.count === 0) continue;
      const labels = d.labels;
      const buckets = this.#buckets.cells;
      let acc = 0;
      for (let i = 0; i < bucketCells; i++) {
        acc += buckets[d.at + i]!;
        out.sample(durationHeads[i]!, labels, '}', acc);
      }
      out.sample(durationHeads[bucketCells]!, labels, '}', d.sum);
      out.sample(durationHeads[bucketCells + 1]!, labels, '}', d.count);
      const p = pace();
      if (p !== undefined) await p;
    }
  }
}


class ProbeTotal extends Counter implements TextFamily {
  readonly #stats: ProbeStats;

  constructor(stats: ProbeStats, registry: Registry) {
    super({ name: probeTotalName, help: probeTotalHelp, labelNames: ['backend', 'type', 'result', 'code'], registers: [registry] });
    this.#stats = stats;
  }

  override async get(): Promise<CounterSnapshot> {
    return Promise.resolve({ name: registeredName(this), help: probeTotalHelp, type: 'counter', values: this.#stats.probeValues(), aggregator: 'sum' } as unknown as CounterSnapshot);
  }

  async renderText(ctx: ScrapeContext, out: ExpositionWriter): Promise<void> {
    out.line(familyHeader(probeTotalName, probeTotalHelp, 'counter'));
    await this.#stats.renderProbes(ctx, out);
  }
}

class ProbeDuration extends Histogram implements TextFamily {
  readonly #stats: ProbeStats;

  constructor(stats: ProbeStats, registry: Registry) {
    const labelNames = stats.perBackendDurations ? ['backend', 'type'] : ['type'];
    super({ name: durationName, help: durationHelp, labelNames, buckets: [...probeBuckets], registers: [registry] });
    this.#stats = stats;
  }

  override async get(): Promise<HistogramSnapshot> {
    return Promise.resolve({ name: registeredName(this), help: durationHelp, type: 'histogram', values: this.#stats.durationValues(durationName), aggregator: 'sum' } as unknown as HistogramSnapshot);
  }

  /** prom-client's Registry formats histograms from this. */
  async getForPromString(): Promise<HistogramSnapshot> {
    return this.get();
  }

  async renderText(ctx: ScrapeContext, out: ExpositionWriter): Promise<void> {
    out.line(familyHeader(durationName, durationHelp, 'histogram'));
    await this.#stats.renderDurations(ctx, out);
  }
}

/** Registers both probe families over one ProbeStats and returns it. */
export function registerProbeMetrics(registry: Registry, opts: { readonly perBackendDurations?: boolean } = {}): ProbeStats {
  const stats = new ProbeStats(opts);
  new ProbeTotal(stats, registry);
  new ProbeDuration(stats, registry);
  return stats;
}
