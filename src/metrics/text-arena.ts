// Label text of many series, encoded once into one growing buffer: a series keeps where its text
// starts and ends, and a scrape copies the bytes. At 10 000 backends that is a few hundred kB,
// where keeping each series' line heads as strings (or as one Buffer each) cost tens of MB.
// Series live until restart, so the arena only grows.

export class TextArena {
  #bytes = Buffer.allocUnsafe(4096);
  #size = 0;

  /** The encoded text so far; read it between `start` and `end` of an add. */
  get bytes(): Buffer {
    return this.#bytes;
  }

  /** Encodes s (UTF-8) and says where it is. */
  add(s: string): { readonly start: number; readonly end: number } {
    const n = Buffer.byteLength(s, 'utf8');
    if (this.#size + n > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#size + n));
      this.#bytes.copy(grown, 0, 0, this.#size);
      this.#bytes = grown;
    }
    const start = this.#size;
    this.#size += this.#bytes.write(s, start, 'utf8');
    return { start, end: this.#size };
  }
}
