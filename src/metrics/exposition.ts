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
 * Collects exposition text as UTF-8 buffers of about `chunkChars` characters: a scrape at fleet
 * scale is megabytes. Lines are appended to a string that is encoded into a buffer (off the V8
 * heap) every chunk, so the line strings die young: kept alive across the scrape's pauses, as
 * strings or one big join, they made the young-generation collections copy megabytes each time.
 */
export class ExpositionWriter {
  readonly #chunks: Buffer[] = [];
  readonly #chunkChars: number;
  #cur = '';

  constructor(chunkChars = 16 * 1024) {
    this.#chunkChars = chunkChars;
  }

  /** One line (without its newline). */
  line(s: string): void {
    this.#cur += s;
    this.#cur += '\n';
    if (this.#cur.length >= this.#chunkChars) this.#flush();
  }

  /** Text already made of whole lines with their newlines. */
  text(s: string): void {
    this.#cur += s;
    if (this.#cur.length >= this.#chunkChars) this.#flush();
  }

  /** The buffers written so far; the writer is empty afterwards. */
  take(): Buffer[] {
    this.#flush();
    return this.#chunks.splice(0);
  }

  #flush(): void {
    if (this.#cur === '') return;
    this.#chunks.push(Buffer.from(this.#cur, 'utf8'));
    this.#cur = '';
  }
}
