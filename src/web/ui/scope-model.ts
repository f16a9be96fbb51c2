// The page's model of one maglevd and how each SSE event changes it (event types). Every
// reducer mutates the scope in place, so the store runs them inside Solid's `produce` and tests
// run them on plain objects. Beyond the server's data a scope carries UI-only state: which
// frontends are "settling" (‼️ held back until the next lb-state read), which backends have a
// probe in flight, and counters that make the VPP API arrows flash.

import type {
  BackendEventData,
  FrontendEventData,
  FrontendInfo,
  LbStateEventData,
  ProbeEventData,
  ScopeSnapshot,
  UpdateEventData,
  VppApiEventData,
} from './api-types.js';
import { mergeInto, mergeValue } from './merge-into.js';

export interface ScopeView extends ScopeSnapshot {
  /** Frontend name → settling. */
  settling: Record<string, boolean>;
  /** Backend name → a probe is in flight. */
  probing: Record<string, boolean>;
  /** Bumped on each vpp-api event, per direction. */
  apiSeq: { send: number; recv: number };
}

export function newScopeView(s: ScopeSnapshot): ScopeView {
  return { ...s, settling: {}, probing: {}, apiSeq: { send: 0, recv: 0 } };
}

/** A full snapshot (page load or resync) merged over what is shown; UI state is kept. */
export function applySnapshot(scope: ScopeView, s: ScopeSnapshot): void {
  mergeInto(scope as unknown as Record<string, unknown>, { ...s, settling: scope.settling, probing: scope.probing, apiSeq: scope.apiSeq } as unknown as Record<string, unknown>);
}

function weightsOf(fe: FrontendInfo): string {
  return fe.pools.map((p) => p.backends.map((b) => `${b.name}=${b.weight}`).join(',')).join('|');
}

/** Upserts by name, then applies a new name order when the server sent one. */
function upsertNamed<T extends { name: string }>(list: T[], changed: readonly T[] | undefined, names: readonly string[] | undefined): void {
  for (const item of changed ?? []) {
    const i = list.findIndex((x) => x.name === item.name);
    if (i < 0) list.push(item);
    else list[i] = mergeValue(list[i], item) as T;
  }
  if (names !== undefined) {
    const next = names.map((n) => list.find((x) => x.name === n)).filter((x): x is T => x !== undefined);
    for (let i = 0; i < next.length; i++) if (list[i] !== next[i]) list[i] = next[i]!;
    list.length = next.length;
  }
}

export function applyUpdate(scope: ScopeView, u: UpdateEventData): void {
  for (const fe of u.frontends ?? []) {
    const had = scope.frontends.find((x) => x.name === fe.name);
    // A weight change settles like a transition: VPP is reprogrammed after it.
    if (had !== undefined && weightsOf(had) !== weightsOf(fe)) scope.settling[fe.name] = true;
  }
  upsertNamed(scope.frontends, u.frontends, u.names?.frontends);
  upsertNamed(scope.backends, u.backends, u.names?.backends);
  upsertNamed(scope.healthchecks, u.healthchecks, u.names?.healthchecks);
  if (u.vpp !== undefined) scope.vpp = u.vpp === null ? null : (mergeValue(scope.vpp, u.vpp) as ScopeView['vpp']);
}

export function applyBackendEvent(scope: ScopeView, ev: BackendEventData): void {
  const t = ev.transition;
  const real = t.from !== t.to;
  const be = scope.backends.find((b) => b.name === ev.backend);
  if (be !== undefined) {
    be.state = t.to;
    const newest = be.transitions[0];
    if (real && (newest === undefined || newest.atUnixNs !== t.atUnixNs || newest.to !== t.to)) be.transitions.unshift(t);
  }
  for (const fe of scope.frontends) {
    let uses = false;
    for (const pool of fe.pools) {
      for (const m of pool.backends) {
        if (m.name !== ev.backend) continue;
        uses = true;
        m.state = t.to;
        if (real) m.lastTransitionUnixNs = t.atUnixNs;
      }
    }
    if (uses) scope.settling[fe.name] = true;
  }
}

export function applyFrontendEvent(scope: ScopeView, ev: FrontendEventData): void {
  const fe = scope.frontends.find((f) => f.name === ev.frontend);
  if (fe !== undefined) fe.state = ev.transition.to;
}

export function applyLbState(scope: ScopeView, ev: LbStateEventData): void {
  scope.lbState = ev.lbState === null ? null : (mergeValue(scope.lbState, ev.lbState) as ScopeView['lbState']);
  for (const k of Object.keys(scope.settling)) delete scope.settling[k];
}

export function applyProbe(scope: ScopeView, ev: ProbeEventData): void {
  if (ev.phase === 'start') scope.probing[ev.backend] = true;
  else delete scope.probing[ev.backend];
}

export function applyVppApi(scope: ScopeView, ev: VppApiEventData): void {
  scope.apiSeq[ev.direction]++;
}
