// The last known state of every frontend (behaviour.md §4.3), so the checker can tell when a
// recomputation is a transition. Pure bookkeeping over weights.ts: no events, no logs.

import type { Config } from '../shared/config.js';
import type { FrontendState } from '../shared/health.js';
import { frontendState, frontendWeights, type StateOf, type WeightOf } from './weights.js';

export interface FrontendChange {
  readonly frontend: string;
  readonly from: FrontendState;
  readonly to: FrontendState;
}

export class FrontendStates {
  readonly #states = new Map<string, FrontendState>();

  /** Takes the initial states silently: nobody has seen a previous state. */
  constructor(config: Config, stateOf: StateOf, weightOf: WeightOf) {
    for (const fe of config.frontends.values()) this.#states.set(fe.name, frontendState(frontendWeights(fe, stateOf, weightOf).members));
  }

  get(name: string): FrontendState | undefined {
    return this.#states.get(name);
  }

  /**
   * Recomputes every frontend of `config` and returns the changes in config order. Frontends
   * not in `config` are dropped; a new one counts as coming from unknown.
   */
  update(config: Config, stateOf: StateOf, weightOf: WeightOf): FrontendChange[] {
    for (const name of [...this.#states.keys()]) if (!config.frontends.has(name)) this.#states.delete(name);
    return this.updateOnly(config, config.frontends.keys(), stateOf, weightOf);
  }

  /**
   * Recomputes only the named frontends (those that reference a backend that just moved), so a
   * transition costs O(its frontends), not O(every frontend): at startup every backend moves.
   */
  updateOnly(config: Config, names: Iterable<string>, stateOf: StateOf, weightOf: WeightOf): FrontendChange[] {
    const changes: FrontendChange[] = [];
    for (const name of names) {
      const fe = config.frontends.get(name);
      if (fe === undefined) continue;
      const from = this.#states.get(fe.name) ?? 'unknown';
      const to = frontendState(frontendWeights(fe, stateOf, weightOf).members);
      this.#states.set(fe.name, to);
      if (from !== to) changes.push({ frontend: fe.name, from, to });
    }
    return changes;
  }
}
