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

const nonAscii = /[^\x00-\x7f]/;

/** Whether s is ASCII only (its UTF-8 bytes are its char codes). */
export function isAscii(s: string): boolean {
  return !nonAscii.test(s);
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

/**
 * Collects exposition text as UTF-8 in large buffers. A scrape at fleet scale is megabytes:
 * lines are appended to a short string that is encoded every `chunkChars` characters into the
 * current block (off the V8 heap), so the line strings die young (kept alive across the
 * scrape's pauses, as strings or one big join, they made every young-generation collection
 * copy megabytes), and blocks of `blockBytes` keep the buffer allocations few.
 */
export class ExpositionWriter {
  readonly #blocks: Buffer[] = [];
  readonly #chunkChars: number;
  readonly #blockBytes: number;
  #cur = '';
  /** Whether #cur is known to be ASCII only: then it is copied (latin1) rather than encoded. */
  #curAscii = true;
  #block: Buffer | undefined;
  #used = 0;

  constructor(opts: { readonly chunkChars?: number; readonly blockBytes?: number } = {}) {
    this.#chunkChars = opts.chunkChars ?? 16 * 1024;
    this.#blockBytes = opts.blockBytes ?? 1024 * 1024;
  }

  /** One line (without its newline). */
  line(s: string): void {
    this.#cur += s;
    this.#cur += '\n';
    this.#curAscii = false;
    if (this.#cur.length >= this.#chunkChars) this.#flush();
  }

  /** One sample line, `${head}${labels}${tail} ${value}`: head, tail and value are ASCII, and labels too when `ascii`. */
  sample(head: string, labels: string, tail: string, ascii: boolean, value: string | number): void {
    this.#cur += `${head}${labels}${tail} ${value}\n`;
    if (!ascii) this.#curAscii = false;
    if (this.#cur.length >= this.#chunkChars) this.#flush();
  }

  /** Text already made of whole lines with their newlines. */
  text(s: string): void {
    this.#cur += s;
    this.#curAscii = false;
    if (this.#cur.length >= this.#chunkChars) this.#flush();
  }

  /** The text written so far, as buffers; the writer is empty afterwards. */
  take(): Buffer[] {
    this.#flush();
    this.#seal();
    return this.#blocks.splice(0);
  }

  #flush(): void {
    const s = this.#cur;
    if (s === '') return;
    this.#cur = '';
    const ascii = this.#curAscii;
    this.#curAscii = true;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (this.#block === undefined || this.#block.length - this.#used < s.length * 3) {
      this.#seal();
      this.#block = Buffer.allocUnsafe(Math.max(this.#blockBytes, s.length * 3));
    }
    this.#used += this.#block.write(s, this.#used, ascii ? 'latin1' : 'utf8');
  }

  #seal(): void {
    if (this.#block !== undefined && this.#used > 0) this.#blocks.push(this.#block.subarray(0, this.#used));
    this.#block = undefined;
    this.#used = 0;
  }
}
