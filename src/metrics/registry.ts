// maglevd's prom-client Registry. Per-backend families are many lines at fleet scale (about 20
// per backend), and prom-client formats every sample of a family in one synchronous block,
// escaping and joining its labels each time: at 10 000 backends a scrape took seconds of main
// thread and stalled probes and VPP writes as long. Families that implement TextFamily write
// their own text from state kept ready to print (precomputed label sets, typed arrays), and
// every family may pause between chunks: the scrape yields to the event loop whenever it has run
// for a slice, so its cost is spread instead of landing as one lateness spike. Other metrics go
// through prom-client unchanged. The output is the Prometheus text format, as prom-client's.

import { Registry } from 'prom-client';
import { expositionBlockBytes, ExpositionWriter } from './exposition.js';

/** Yields to the event loop when the scrape has used up its slice; undefined (no await needed) otherwise. */
export type Pause = () => Promise<void> | undefined;

/** What a family gets while a scrape renders it. */
export interface ScrapeContext {
  readonly pause: Pause;
  /** Increases with every scrape: families rendered in one scrape may share what they read. */
  readonly scrape: number;
}

/** A family that writes its own exposition text: HELP, TYPE and sample lines, each with its newline. */
export interface TextFamily {
  renderText(ctx: ScrapeContext, out: ExpositionWriter): Promise<void>;
}

/**
 * The name prom-client keeps on a metric object, which its Registry may rewrite (OpenMetrics
 * drops a counter's `_total` and prints it back): get() must answer under that name.
 */
export function registeredName(metric: object): string {
  return (metric as { name: string }).name;
}

function isTextFamily(m: object): m is TextFamily {
  return typeof (m as Partial<TextFamily>).renderText === 'function';
}

/** Main-thread time a scrape may run before it yields once (setImmediate). */
export const scrapeSliceMs = 4;

/** Blocks kept for the next scrape, at most (64 MiB): more than a scrape of 50 000 backends. */
const maxSpareBlocks = 1024;

export class MetricsRegistry extends Registry {
  readonly #sliceMs: number;
  #scrapes = 0;
  /** Blocks of written scrapes, given back by recycle(), for the next scrapes to fill. */
  readonly #spare = new Set<ArrayBuffer>();

  /** `sliceMs`: main-thread time between yields (default scrapeSliceMs; 0 yields at every chance). */
  constructor(opts: { readonly sliceMs?: number } = {}) {
    super();
    this.#sliceMs = opts.sliceMs ?? scrapeSliceMs;
  }

  override async metrics(): Promise<string> {
    // The fast families speak only the Prometheus text format.
    if (this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return super.metrics();
    const chunks = await this.metricsBuffers();
    const text = Buffer.concat(chunks).toString('utf8');
    this.recycle(chunks);
    return text;
  }

  /**
   * Gives back the chunks of a metricsBuffers() answer once nothing reads them any more (the
   * response has finished): later scrapes write into their memory.
   */
  recycle(chunks: readonly Buffer[]): void {
    for (const c of chunks) {
      // Only whole blocks of ours: a chunk is the start of its own block.
      if (c.byteOffset === 0 && c.buffer.byteLength === expositionBlockBytes && this.#spare.size < maxSpareBlocks) this.#spare.add(c.buffer as ArrayBuffer);
    }
  }

  #alloc(bytes: number): Buffer {
    if (bytes <= expositionBlockBytes) {
      for (const b of this.#spare) {
        this.#spare.delete(b);
        return Buffer.from(b);
      }
    }
    return Buffer.allocUnsafe(bytes);
  }

  /** The Prometheus text of every metric as UTF-8 chunks, for a server to write as they are. */
  async metricsBuffers(): Promise<Buffer[]> {
    if (this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return [Buffer.from(await super.metrics(), 'utf8')];
    let sliceStart = performance.now();
    const pause: Pause = () => {
      if (performance.now() - sliceStart < this.#sliceMs) return undefined;
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          sliceStart = performance.now();
          resolve();
        }),
      );
    };
    const ctx: ScrapeContext = { pause, scrape: ++this.#scrapes };
    const out = new ExpositionWriter({ alloc: (n) => this.#alloc(n) });
    // prom-client's layout: families separated by an empty line, a newline at the end.
    const metrics = this.getMetricsAsArray();
    for (const [i, m] of metrics.entries()) {
      if (i > 0) out.text('\n');
      if (isTextFamily(m)) await m.renderText(ctx, out);
      else out.line(await this.getSingleMetricAsString(m.name));
      await pause();
    }
    return out.take();
  }
}
