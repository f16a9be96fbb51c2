// Configured pool-member weights (behaviour.md §4.4): the YAML weight, or a runtime override
// set by SetFrontendPoolBackendWeight until the next reload. The checker owns the only
// instance; readers get `weightOf`, which has the WeightOf shape weights.ts expects.

import type { Config } from '../shared/config.js';
import { DaemonError, notFound } from '../shared/errors.js';

const key = (frontend: string, pool: string, backend: string): string => `${frontend}\0${pool}\0${backend}`;

export class ConfiguredWeights {
  #yaml = new Map<string, number>();
  readonly #overrides = new Map<string, number>();
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
      for (const pool of fe.pools) for (const m of pool.members) this.#yaml.set(key(fe.name, pool.name, m.backend), m.weight);
    }
  }

  /** Override, else YAML; 0 for a member that does not exist. */
  weightOf(frontend: string, pool: string, backend: string): number {
    const k = key(frontend, pool, backend);
    return this.#overrides.get(k) ?? this.#yaml.get(k) ?? 0;
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
    this.#overrides.set(key(frontend, pool, backend), weight);
  }
}
