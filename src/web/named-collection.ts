// An ordered set of named gRPC objects (frontends, backends or health checks of one maglevd) that
// reports what a refresh changed, so the dashboard sends only changed objects and, when the set
// or its order changed, the new list of names. Equality is by serialised content.

export interface CollectionChange<T> {
  /** New or changed objects, in list order. */
  readonly changed: readonly T[];
  /** The full name list, only when names were added, removed or reordered. */
  readonly names: readonly string[] | undefined;
}

export class NamedCollection<T extends { readonly name: string }> {
  #order: string[] = [];
  readonly #items = new Map<string, { value: T; json: string }>();

  get names(): readonly string[] {
    return this.#order;
  }

  get(name: string): T | undefined {
    return this.#items.get(name)?.value;
  }

  values(): T[] {
    return this.#order.map((n) => this.#items.get(n)!.value);
  }

  /** Replaces everything with `list` (the server's order). */
  replaceAll(list: readonly T[]): CollectionChange<T> {
    const changed: T[] = [];
    const next = new Map<string, { value: T; json: string }>();
    for (const value of list) {
      const json = JSON.stringify(value);
      if (this.#items.get(value.name)?.json !== json) changed.push(value);
      next.set(value.name, { value, json });
    }
    const order = list.map((v) => v.name);
    const namesChanged = order.length !== this.#order.length || order.some((n, i) => n !== this.#order[i]);
    this.#items.clear();
    for (const [k, v] of next) this.#items.set(k, v);
    this.#order = order;
    return { changed, names: namesChanged ? order : undefined };
  }

  /** Stores one object; an unknown name is appended to the order. */
  upsert(value: T): 'unchanged' | 'changed' | 'added' {
    const json = JSON.stringify(value);
    const had = this.#items.get(value.name);
    if (had?.json === json) return 'unchanged';
    if (had === undefined) this.#order = [...this.#order, value.name];
    this.#items.set(value.name, { value, json });
    return had === undefined ? 'added' : 'changed';
  }

  /** Changes an object in place (e.g. a live state transition); true when it exists. */
  modify(name: string, fn: (value: T) => T): boolean {
    const had = this.#items.get(name);
    if (had === undefined) return false;
    const value = fn(had.value);
    this.#items.set(name, { value, json: JSON.stringify(value) });
    return true;
  }
}
