// Rows of numeric cells, all in one Float64Array that grows by doubling. A typed array per
// series costs its own backing store, ArrayBuffer and bookkeeping (hundreds of bytes beside
// its cells); at 10 000 backends with two arrays each that was megabytes. Rows are never removed
// (series stay until restart). Capacity not yet used is zero pages the kernel has not mapped.

export class CellTable {
  readonly width: number;
  #cells: Float64Array;
  #rows = 0;

  constructor(width: number, initialRows = 64) {
    this.width = width;
    this.#cells = new Float64Array(width * initialRows);
  }

  /** The cells: row r is cells[r * width] to cells[(r + 1) * width - 1]. Read it again after add(). */
  get cells(): Float64Array {
    return this.#cells;
  }

  /** A new row of zeros; returns where it starts in cells. */
  add(): number {
    const at = this.#rows * this.width;
    if (at + this.width > this.#cells.length) {
      const grown = new Float64Array(Math.max(this.#cells.length * 2, at + this.width));
      grown.set(this.#cells);
      this.#cells = grown;
    }
    this.#rows++;
    return at;
  }
}
