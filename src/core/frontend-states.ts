// The last known state and panic verdict of every frontend (panic.ts), so
// the checker can tell when a recomputation is a transition or enters or leaves panic. Pure
// bookkeeping over weights.ts: no events, no logs.

import type { Config } from '../shared/config.js';
import type { FrontendState } from '../shared/health.js';
import type { PanicVerdict } from './panic.js';
import { frontendState, frontendWeights, type StateOf, type WeightOf } from './weights.js';
import type { AgentOf } from './agent.js';

/** A frontend whose state changed, or that entered or left panic (or both). */
export interface FrontendChange {
  readonly frontend: string;
  readonly from: FrontendState;
  readonly to: FrontendState;
  readonly wasPanic: boolean;
  /** The new verdict (its `panic` is the new panic flag). */
  readonly panic: PanicVerdict;
}

interface Tracked {
  readonly state: FrontendState;
  readonly panic: boolean;
}

export class FrontendStates {
  readonly #states = new Map<string, Tracked>();

  /** Takes the initial states silently: nobody has seen a previous state. */
  constructor(config: Config, stateOf: StateOf, weightOf: WeightOf, agentOf?: AgentOf) {
    for (const fe of config.frontends.values()) {
      const w = frontendWeights(fe, stateOf, weightOf, undefined, agentOf);
      this.#states.set(fe.name, { state: frontendState(w.members), panic: w.panic.panic });
    }
  }

  get(name: string): FrontendState | undefined {
    return this.#states.get(name)?.state;
  }

  /** Whether the frontend was in panic at its latest recomputation. */
  inPanic(name: string): boolean {
    return this.#states.get(name)?.panic ?? false;
  }

  /**
   * Recomputes every frontend of `config` and returns the changes in config order. Frontends
   * not in `config` are dropped; a new one counts as coming from unknown.
   */
  update(config: Config, stateOf: StateOf, weightOf: WeightOf, agentOf?: AgentOf): FrontendChange[] {
    for (const name of [...this.#states.keys()]) if (!config.frontends.has(name)) this.#states.delete(name);
    return this.updateOnly(config, config.frontends.keys(), stateOf, weightOf, agentOf);
  }

  /**
   * Recomputes only the named frontends (those that reference a backend that just moved), so a
   * transition costs O(its frontends), not O(every frontend): at startup every backend moves.
   */
  updateOnly(config: Config, names: Iterable<string>, stateOf: StateOf, weightOf: WeightOf, agentOf?: AgentOf): FrontendChange[] {
    const changes: FrontendChange[] = [];
    for (const name of names) {
      const fe = config.frontends.get(name);
      if (fe === undefined) continue;
      const before = this.#states.get(fe.name) ?? { state: 'unknown', panic: false };
      const w = frontendWeights(fe, stateOf, weightOf, undefined, agentOf);
      const to = frontendState(w.members);
      this.#states.set(fe.name, { state: to, panic: w.panic.panic });
      if (before.state !== to || before.panic !== w.panic.panic) {
        changes.push({ frontend: fe.name, from: before.state, to, wasPanic: before.panic, panic: w.panic });
      }
    }
    return changes;
  }
}
