// A VPP-style pool for the simulator: stable integer indices, index 0 a permanent placeholder
// (VPP's default VIP and AS), and freed slots reused last-freed-first like pool_get.

export class SimPool<T> {
  readonly #items: Array<T | undefined> = [undefined];
  readonly #free: number[] = [];

  /** Takes a free index (the most recently freed, else a new one) and stores make(index) there. */
  alloc(make: (index: number) => T): number {
    const index = this.#free.pop() ?? this.#items.length;
    this.#items[index] = make(index);
    return index;
  }

  get(index: number): T | undefined {
    return index === 0 ? undefined : this.#items[index];
  }

  free(index: number): void {
    if (index === 0 || this.#items[index] === undefined) return;
    this.#items[index] = undefined;
    this.#free.push(index);
  }

  /** Occupied slots in index order, the placeholder excluded. */
  entries(): Array<[number, T]> {
    const out: Array<[number, T]> = [];
    this.#items.forEach((v, i) => {
      if (i !== 0 && v !== undefined) out.push([i, v]);
    });
    return out;
  }
}
