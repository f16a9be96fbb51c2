// Configured pool-member weights: the YAML weight, or a runtime override
// set by SetFrontendPoolBackendWeight until the next reload. The checker owns the only
// instance; readers get `weightOf`, which has the WeightOf shape weights.ts expects.

import type { Config } from '../shared/config.js';
import { DaemonError, notFound } from '../shared/errors.js';

// frontend → pool → backend → weight. Nested rather than one joined key: the names' hashes are
// cached, while a joined key is a new string to hash on every call, and a transition makes 3–4
// calls per member of each frontend it touches.
type WeightTable = Map<string, Map<string, Map<string, number>>>;

function lookup(table: WeightTable, frontend: string, pool: string, backend: string): number | undefined {
  return table.get(frontend)?.get(pool)?.get(backend);
}

function store(table: WeightTable, frontend: string, pool: string, backend: string, weight: number): void {
  let pools = table.get(frontend);
  if (pools === undefined) table.set(frontend, (pools = new Map<string, Map<string, number>>()));
  let members = pools.get(pool);
  if (members === undefined) pools.set(pool, (members = new Map<string, number>()));
  members.set(backend, weight);
}

export class ConfiguredWeights {
  #yaml: WeightTable = new Map();
  readonly #overrides: WeightTable = new Map();
  #config: Config;

  constructor(config: Config) {
    this.#config = config;
    this.reset(config);
  }

  /** A new config: YAML weights re-read, every override discarded. */
  reset(config: Config): void {
    this.#config = config;
    this.#yaml = new Map();
    this.#overrides.clear();
    for (const fe of config.frontends.values()) {
      for (const pool of fe.pools) for (const m of pool.members) store(this.#yaml, fe.name, pool.name, m.backend, m.weight);
    }
  }

  /** Override, else YAML; 0 for a member that does not exist. */
  weightOf(frontend: string, pool: string, backend: string): number {
    const o = this.#overrides.size === 0 ? undefined : lookup(this.#overrides, frontend, pool, backend);
    return o ?? lookup(this.#yaml, frontend, pool, backend) ?? 0;
  }

  /** Sets an override. Throws INVALID_ARGUMENT (weight) or NOT_FOUND (frontend, pool, member). */
  set(frontend: string, pool: string, backend: string, weight: number): void {
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new DaemonError('INVALID_ARGUMENT', `weight ${weight} is outside 0..100`);
    }
    const fe = this.#config.frontends.get(frontend);
    if (fe === undefined) throw notFound('frontend', frontend);
    const p = fe.pools.find((x) => x.name === pool);
    if (p === undefined) throw notFound('pool', pool, ['frontend', frontend]);
    if (!p.members.some((m) => m.backend === backend)) {
      throw notFound('backend', backend, ['pool', pool]);
    }
    store(this.#overrides, frontend, pool, backend, weight);
  }
}
