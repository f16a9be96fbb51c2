// Which backends are active: those referenced by at least one frontend,
// each with the sorted names of its referencing frontends. Pure; used for probing, the API
// listing, the frontends a transition event names and the start stagger.

import type { Config } from '../shared/config.js';

/** Code-unit order: names are ASCII, and locale order would differ between hosts. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Active backend name → sorted referencing frontend names; the map iterates in name order. */
export function activeBackends(config: Config): ReadonlyMap<string, readonly string[]> {
  const refs = new Map<string, Set<string>>();
  for (const fe of config.frontends.values()) {
    for (const pool of fe.pools) {
      for (const m of pool.members) {
        if (!config.backends.has(m.backend)) continue; // validation forbids it; never probe a ghost
        let set = refs.get(m.backend);
        if (set === undefined) refs.set(m.backend, (set = new Set()));
        set.add(fe.name);
      }
    }
  }
  const out = new Map<string, readonly string[]>();
  for (const name of [...refs.keys()].sort(compareNames)) out.set(name, [...refs.get(name)!].sort(compareNames));
  return out;
}
