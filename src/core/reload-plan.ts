// What a reload does to each backend, decided purely from the old and new
// configs: removed, added (with its stagger position), or kept with what changed. The checker
// applies the plan; keeping the decision here makes every row of the reload table testable alone.

import type { Config, HealthCheck } from '../shared/config.js';
import { activeBackends } from './active-backends.js';
import { sameHealthCheck } from './config-queries.js';

export interface AddedBackend {
  readonly name: string;
  /** Index in the name-sorted active list of the new config (stagger position). */
  readonly pos: number;
}

export interface KeptBackend extends AddedBackend {
  readonly addressChanged: boolean;
  /** The health-check definition differs in any field (the name does not count). */
  readonly checkChanged: boolean;
  /** The YAML `enabled` value changed: apply it as Enable or Disable. */
  readonly enabledChange: 'enable' | 'disable' | undefined;
}

export interface ReloadPlan {
  /** Active before, not after; sorted. */
  readonly removed: readonly string[];
  readonly added: readonly AddedBackend[];
  readonly kept: readonly KeptBackend[];
  /** Number of active backends in the new config (stagger total). */
  readonly total: number;
  /** `healthchecker.netns` changed: every probe loop restarts, state kept. */
  readonly netnsChanged: boolean;
}

/** The resolved check of a backend; undefined for a static backend. */
export function checkOf(config: Config, backend: string): HealthCheck | undefined {
  const hc = config.backends.get(backend)?.healthcheck;
  return hc === undefined ? undefined : config.healthchecks.get(hc);
}

/** Static on both sides, or the same definition in every field but the name. */
export function sameCheckDefinition(a: HealthCheck | undefined, b: HealthCheck | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameHealthCheck(a, b);
}

export function planReload(oldCfg: Config, newCfg: Config): ReloadPlan {
  const before = activeBackends(oldCfg);
  const after = [...activeBackends(newCfg).keys()];
  const afterSet = new Set(after);
  const removed = [...before.keys()].filter((n) => !afterSet.has(n));
  const added: AddedBackend[] = [];
  const kept: KeptBackend[] = [];
  after.forEach((name, pos) => {
    const prev = before.has(name) ? oldCfg.backends.get(name) : undefined;
    const next = newCfg.backends.get(name)!;
    if (prev === undefined) {
      added.push({ name, pos });
      return;
    }
    kept.push({
      name,
      pos,
      addressChanged: prev.address !== next.address,
      checkChanged: !sameCheckDefinition(checkOf(oldCfg, name), checkOf(newCfg, name)),
      enabledChange: prev.enabled === next.enabled ? undefined : next.enabled ? 'enable' : 'disable',
    });
  });
  return { removed, added, kept, total: after.length, netnsChanged: oldCfg.healthchecker.netns !== newCfg.healthchecker.netns };
}
