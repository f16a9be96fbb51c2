// What an operator change would do to the inputs of the desired state, without doing it: a set
// weight, pause, resume, enable, disable or a whole candidate config turns the live world
// (config, backend states, configured weights) into the world after the change. Backends that
// the change sends back to probing (resumed, enabled, new, moved to a new address) are taken
// once settled, as the health they will most likely report: the preview answers "where will
// the flows go", and each such guess is listed as an assumption. Pure.

import type { Config } from '../shared/config.js';
import { DaemonError, notFound } from '../shared/errors.js';
import type { BackendState } from '../shared/health.js';
import { activeBackends } from './active-backends.js';
import { checkOf, planReload } from './reload-plan.js';
import type { StateOf, WeightOf } from './weights.js';
import { sameAgentCheck, type AgentOf } from './agent.js';

/** Everything the desired VPP state follows from. */
export interface TableWorld {
  readonly config: Config;
  readonly stateOf: StateOf;
  readonly weightOf: WeightOf;
  /** Agent-check verdicts (agent.ts); absent: none. */
  readonly agentOf?: AgentOf;
}

export type BackendChangeKind = 'pause' | 'resume' | 'enable' | 'disable';

export type ProposedChange =
  | { readonly kind: 'weight'; readonly frontend: string; readonly pool: string; readonly backend: string; readonly weight: number }
  | { readonly kind: BackendChangeKind; readonly backend: string }
  | { readonly kind: 'config'; readonly config: Config };

export interface ProjectedChange {
  readonly after: TableWorld;
  /** The frontends whose VIP the change can touch (every frontend of either config for 'config'). */
  readonly frontends: readonly string[];
  /** Guesses the projection made, one sentence each. */
  readonly assumptions: readonly string[];
}

/** The YAML weights of a config (a reload discards runtime overrides). */
function yamlWeightOf(config: Config): WeightOf {
  return (frontend, pool, backend) =>
    config.frontends.get(frontend)?.pools.find((p) => p.name === pool)?.members.find((m) => m.backend === backend)?.weight ?? 0;
}

/** The assumption for a backend taken as up although it must pass its check first. */
function comesUp(config: Config, backend: string, why: string): string | undefined {
  // A static backend is up without a check: nothing to assume.
  return config.backends.get(backend)?.healthcheck === undefined ? undefined : `${backend} passes its health check ${why}`;
}

function withState(world: TableWorld, backend: string, state: BackendState): TableWorld {
  return { ...world, stateOf: (b) => (b === backend ? state : world.stateOf(b)) };
}

function projectWeight(world: TableWorld, c: Extract<ProposedChange, { kind: 'weight' }>): ProjectedChange {
  if (!Number.isInteger(c.weight) || c.weight < 0 || c.weight > 100) throw new DaemonError('INVALID_ARGUMENT', `weight ${c.weight} out of range 0..100`);
  const fe = world.config.frontends.get(c.frontend);
  if (fe === undefined) throw notFound('frontend', c.frontend);
  const pool = fe.pools.find((p) => p.name === c.pool);
  if (pool === undefined) throw notFound('pool', c.pool, ['frontend', c.frontend]);
  if (!pool.members.some((m) => m.backend === c.backend)) throw notFound('backend', c.backend, ['pool', c.pool]);
  const weightOf: WeightOf = (f, p, b) => (f === c.frontend && p === c.pool && b === c.backend ? c.weight : world.weightOf(f, p, b));
  return { after: { ...world, weightOf }, frontends: [c.frontend], assumptions: [] };
}

/** An operator action on the state alone; refuses what the real action refuses. */
function projectAction(world: TableWorld, kind: BackendChangeKind, backend: string): ProjectedChange {
  const state = world.stateOf(backend);
  if (state === undefined || state === 'removed') throw notFound('backend', backend);
  const frontends = activeBackends(world.config).get(backend) ?? [];
  const same: ProjectedChange = { after: world, frontends, assumptions: [] };
  switch (kind) {
    case 'pause':
    case 'resume':
      if (state === 'disabled') throw new DaemonError('FAILED_PRECONDITION', `backend "${backend}" is disabled; cannot ${kind} it`);
      if (kind === 'pause') return state === 'paused' ? same : { ...same, after: withState(world, backend, 'paused') };
      return state === 'paused' ? settledUp(world, backend, 'after resuming', frontends) : same;
    case 'enable':
      return state === 'disabled' ? settledUp(world, backend, 'after enabling', frontends) : same;
    case 'disable':
      return state === 'disabled' ? same : { ...same, after: withState(world, backend, 'disabled') };
    /* c8 ignore next 4: unreachable; the never check fails to compile if a case is missing */
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

function settledUp(world: TableWorld, backend: string, why: string, frontends: readonly string[]): ProjectedChange {
  const assumption = comesUp(world.config, backend, why);
  return { after: withState(world, backend, 'up'), frontends, assumptions: assumption === undefined ? [] : [assumption] };
}

/** The verdicts a reload keeps: those of backends whose agent check and address it leaves alone (checker.ts does the same). */
function keptAgentOf(world: TableWorld, next: Config): AgentOf | undefined {
  const agentOf = world.agentOf;
  if (agentOf === undefined) return undefined;
  return (b) => {
    const same = world.config.backends.get(b)?.address === next.backends.get(b)?.address && sameAgentCheck(checkOf(world.config, b)?.agent, checkOf(next, b)?.agent);
    return same ? agentOf(b) : undefined;
  };
}

/** A reload: each backend's state after the new config is applied and probes have settled. */
function projectConfig(world: TableWorld, next: Config): ProjectedChange {
  const plan = planReload(world.config, next);
  const states = new Map<string, BackendState>();
  const assumptions: string[] = [];
  const up = (name: string, why: string): void => {
    states.set(name, 'up');
    const a = comesUp(next, name, why);
    if (a !== undefined) assumptions.push(a);
  };
  for (const a of plan.added) {
    if (next.backends.get(a.name)?.enabled === false) states.set(a.name, 'disabled');
    else up(a.name, '(new backend)');
  }
  for (const k of plan.kept) {
    const now = world.stateOf(k.name) ?? 'unknown';
    if (k.enabledChange === 'disable') states.set(k.name, 'disabled');
    else if (k.enabledChange === 'enable' && now === 'disabled') up(k.name, '(enabled in config)');
    else if (k.addressChanged && now === 'up') up(k.name, 'at its new address');
    else states.set(k.name, now);
  }
  const frontends = [...new Set([...world.config.frontends.keys(), ...next.frontends.keys()])];
  return { after: { config: next, stateOf: (b) => states.get(b), weightOf: yamlWeightOf(next), agentOf: keptAgentOf(world, next) }, frontends, assumptions };
}

/** The world after `change`. NOT_FOUND, INVALID_ARGUMENT and FAILED_PRECONDITION as the real change would answer. */
export function projectChange(world: TableWorld, change: ProposedChange): ProjectedChange {
  switch (change.kind) {
    case 'weight':
      return projectWeight(world, change);
    case 'config':
      return projectConfig(world, change.config);
    default:
      return projectAction(world, change.kind, change.backend);
  }
}
