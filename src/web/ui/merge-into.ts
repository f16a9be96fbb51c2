// Deep, in-place merge of fresh server data into what the page already holds: objects key by
// key, arrays of named objects by name (in the new order), anything else replaced only when it
// differs. Inside a Solid `produce` this turns a refetched object into fine-grained writes, so
// only cells whose value really changed re-render and flash. Pure apart from the mutation.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNamed(v: unknown): v is Obj & { name: string } {
  return isObj(v) && typeof v.name === 'string';
}

function mergeArray(target: unknown[], source: readonly unknown[]): void {
  const named = source.every(isNamed) && target.every(isNamed);
  const byName = named ? new Map(target.map((t) => [(t as { name: string }).name, t])) : undefined;
  const next = source.map((s, i) => {
    const old = byName !== undefined ? byName.get((s as { name: string }).name) : target[i];
    return mergeValue(old, s);
  });
  for (let i = 0; i < next.length; i++) if (target[i] !== next[i]) target[i] = next[i];
  if (target.length !== next.length) target.length = next.length;
}

/** Returns the value to store: `old` merged in place when both are objects or arrays, else `next`. */
export function mergeValue(old: unknown, next: unknown): unknown {
  if (Array.isArray(old) && Array.isArray(next)) {
    mergeArray(old, next);
    return old;
  }
  if (isObj(old) && isObj(next)) {
    mergeInto(old, next);
    return old;
  }
  return next;
}

/** Makes `target` deep-equal to `source`, touching only what differs. */
export function mergeInto(target: Obj, source: Obj): void {
  for (const [k, v] of Object.entries(source)) {
    const old = target[k];
    const merged = mergeValue(old, v);
    if (merged !== old) target[k] = merged;
  }
  for (const k of Object.keys(target)) if (!(k in source)) delete target[k];
}
