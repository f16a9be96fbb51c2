// The Prometheus text format pieces the fast families write themselves, byte for byte as
// prom-client writes them (its Registry escapes and joins every label of every sample on every
// scrape, which costs microseconds per line at fleet scale): label escaping, sample values,
// HELP/TYPE headers and label sets.

const needsEscape = /[\\\n"]/;

/** A label value as it appears between the quotes. */
export function escapeLabelValue(v: string): string {
  return needsEscape.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

/** A sample value: finite numbers as JavaScript prints them, else +Inf, -Inf or NaN. */
export function sampleValue(v: number): string {
  if (Number.isFinite(v)) return `${v}`;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

/**
 * s, as one flat string. A string built by concatenation (templates included) is a tree of
 * pieces that V8 walks again whenever it is copied: label text kept for the life of a series
 * and copied into every scrape is made flat once. A parsed string is always flat, and JSON
 * gives back every string exactly (lone surrogates included).
 */
export function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

export type FamilyType = 'counter' | 'gauge' | 'histogram';

/** `# HELP` and `# TYPE` lines of a family. */
export function familyHeader(name: string, help: string, type: FamilyType): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}`;
}

/** `a="x",b="y"` for label names and values in the same order. */
export function labelText(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) out += `${i === 0 ? '' : ','}${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  return out;
}

/** The size of an ExpositionWriter's blocks (a scrape's chunks), unless told otherwise. */
export const expositionBlockBytes = 64 * 1024;

/**
 * Collects exposition text as UTF-8 in large buffers. A scrape at fleet scale is megabytes:
 * lines are appended to a short string that is encoded every `chunkChars` characters into the
 * current block (off the V8 heap), so the line strings die young (kept alive across the
 * scrape's pauses, as strings or one big join, they made every young-generation collection
 * copy megabytes), and blocks of `blockBytes` keep the buffer allocations few. Blocks come
 * from `alloc` when given one: a registry hands out the blocks of a previous scrape, which spares
 * the page faults of fresh memory (a tenth of a large scrape's time). With `sealed`, each block
 * goes there as soon as it is full (a scrape streamed to its reader) instead of being kept.
 */
export class ExpositionWriter {
  readonly #blocks: Buffer[] = [];
  readonly #chunkChars: number;
  readonly #blockBytes: number;
  readonly #alloc: (bytes: number) => Buffer;
  readonly #sealed: ((chunk: Buffer) => void) | undefined;
  #cur = '';
  #block: Buffer | undefined;
  #used = 0;

  /** `alloc(n)`: a buffer of at least n bytes (default Buffer.allocUnsafe). `sealed(chunk)`: takes each full block (take() then hands out none). */
  constructor(opts: { readonly chunkChars?: number; readonly blockBytes?: number; readonly alloc?: (bytes: number) => Buffer; readonly sealed?: (chunk: Buffer) => void } = {}) {
    this.#chunkChars = opts.chunkChars ?? 16 * 1024;
    this.#blockBytes = opts.blockBytes ?? expositionBlockBytes;
    this.#alloc = opts.alloc ?? ((n) => Buffer.allocUnsafe(n));
    this.#sealed = opts.sealed;
  }

  /** One line (without its newline). */
  line(s: string): void {
    this.#cur += s;
    this.#cur += '\n';
    if (this.#cur.length >= this.#chunkChars) this.#flush();
  }

  /** One sample line, `${head}${labels}${tail} ${value}`: its pieces should be kept flat (see flat()). */
  sample(head: string, labels: string, tail: string, value: number): void {
    this.#cur += `${head}${labels}${tail} ${sampleValue(value)}\n`;
    if (this.#cur.length >= this.#chunkChars) this.#flush();
  }

  /** Text already made of whole lines with their newlines. */
  text(s: string): void {
    this.#cur += s;
    if (this.#cur.length >= this.#chunkChars) this.#flush();
  }

  /** The text written so far, as buffers (none left with `sealed`: the last block goes there); the writer is empty afterwards. */
  take(): Buffer[] {
    this.#flush();
    this.#seal();
    return this.#blocks.splice(0);
  }

  #flush(): void {
    const s = this.#cur;
    if (s === '') return;
    this.#cur = '';
    // UTF-8 needs at most 3 bytes per UTF-16 unit; when that much room is not left, the exact
    // length decides (one more pass over the text, once per block).
    let block = this.#block;
    const room = block === undefined ? 0 : block.length - this.#used;
    if (block === undefined || (room < s.length * 3 && room < Buffer.byteLength(s, 'utf8'))) {
      this.#seal();
      this.#block = block = this.#alloc(Math.max(this.#blockBytes, s.length * 3));
    }
    this.#used += block.write(s, this.#used, 'utf8');
  }

  #seal(): void {
    if (this.#block !== undefined && this.#used > 0) {
      const chunk = this.#block.subarray(0, this.#used);
      if (this.#sealed === undefined) this.#blocks.push(chunk);
      else this.#sealed(chunk);
    }
    this.#block = undefined;
    this.#used = 0;
  }
}
