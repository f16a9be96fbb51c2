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

/**
 * Where a scrape's text goes, block by block, while it is rendered: a response streams it, so a
 * scrape of 50 000 backends (80 MB) never sits in memory whole.
 */
export interface ScrapeSink {
  /** Takes a chunk; `written` is called once nothing reads the chunk's memory any more. */
  write(chunk: Buffer, written: () => void): void;
  /** undefined when more may be written now; else settles once it may (rejects: the reader is gone). */
  ready(): Promise<void> | undefined;
}

/**
 * Blocks kept for the next scrape, at most (4 MiB). A streamed scrape has a few in use at a time
 * (its pace checks come every ~6 blocks at fleet scale); metricsBuffers() callers allocate what
 * they hold beyond that, and it goes back to the GC.
 */
export const maxSpareBlocks = 64;

export class MetricsRegistry extends Registry {
  readonly #sliceMs: number;
  #scrapes = 0;
  /** Blocks of written scrapes, given back by recycle(), for the next scrapes to fill. */
  readonly #spare = new Set<ArrayBuffer>();
  #allocated = 0;

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
    if (bytes === expositionBlockBytes) this.#allocated++;
    return Buffer.allocUnsafe(bytes);
  }

  /** Blocks this registry has allocated for scrapes (recycled ones are not counted again). */
  get allocatedBlocks(): number {
    return this.#allocated;
  }

  /** The Prometheus text of every metric as UTF-8 chunks, held until recycle(). */
  async metricsBuffers(): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    await this.renderTo({ write: (c) => void chunks.push(c), ready: () => undefined });
    return chunks;
  }

  /**
   * Streams the Prometheus text of every metric into `sink` as blocks fill: the render waits
   * while the sink is not ready (a reader slower than the render holds a few blocks, not the
   * scrape), and each block is reused once written. Rejects with what `sink.ready()` rejected.
   */
  async renderTo(sink: ScrapeSink): Promise<void> {
    // The fast families speak only the Prometheus text format.
    if (this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return sink.write(Buffer.from(await super.metrics(), 'utf8'), () => undefined);
    let sliceStart = performance.now();
    const yieldIfDue = (): Promise<void> | undefined => {
      if (performance.now() - sliceStart < this.#sliceMs) return undefined;
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          sliceStart = performance.now();
          resolve();
        }),
      );
    };
    // A drain that comes on the next tick (a socket that took the block at once) is no turn of
    // the event loop: the slice still counts.
    const pause: Pause = () => {
      const waiting = sink.ready();
      return waiting === undefined ? yieldIfDue() : waiting.then(yieldIfDue);
    };
    const ctx: ScrapeContext = { pause, scrape: ++this.#scrapes };
    const out = new ExpositionWriter({ alloc: (n) => this.#alloc(n), sealed: (c) => sink.write(c, () => this.recycle([c])) });
    // prom-client's layout: families separated by an empty line, a newline at the end.
    const metrics = this.getMetricsAsArray();
    for (const [i, m] of metrics.entries()) {
      if (i > 0) out.text('\n');
      if (isTextFamily(m)) await m.renderText(ctx, out);
      else out.line(await this.getSingleMetricAsString(m.name));
      await pause();
    }
    out.take();
  }
}
