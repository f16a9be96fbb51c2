// What the dashboard knows about one maglevd (a scope, §10.1): its reachability, VPP info, the
// frontends, backends and health checks in the server's order, and the last GetVPPLBState. Kept in
// the gRPC wire form; turned into proto3 JSON for /view/api/state and the SSE payloads. Every
// mutation reports the `update` event it implies (only changed objects), or undefined. No I/O.

import type { BackendInfo, FrontendInfo, HealthCheckInfo, TransitionRecord, VPPInfo, VPPLBDigest, VPPLBState } from '../api/maglev-messages.js';
import { NamedCollection } from './named-collection.js';
import { toProtoJson } from './proto-json.js';

/** The SSE `update` payload before JSON conversion. */
export interface ScopeUpdate {
  readonly maglevd: string;
  readonly frontends?: readonly FrontendInfo[];
  readonly backends?: readonly BackendInfo[];
  readonly healthchecks?: readonly HealthCheckInfo[];
  /** Present when VPP info changed; null: VPP unavailable. */
  readonly vpp?: VPPInfo | null;
  /** Full name lists of the kinds whose membership or order changed. */
  readonly names?: { readonly frontends?: readonly string[]; readonly backends?: readonly string[]; readonly healthchecks?: readonly string[] };
}

/** One refresh's results; a kind left out (its RPC failed) keeps what was known. */
export interface ScopeObjects {
  readonly frontends?: readonly FrontendInfo[];
  readonly backends?: readonly BackendInfo[];
  readonly healthchecks?: readonly HealthCheckInfo[];
  readonly vpp?: VPPInfo | null;
}

type Kind = 'frontends' | 'backends' | 'healthchecks';

export class ScopeState {
  readonly name: string;
  reachable = false;
  /** Why the maglevd refused our WatchEvents stream (its stream cap), or null while it streams. */
  watchRefused: string | null = null;
  lbState: VPPLBState | null = null;
  /** The last GetVPPLBDigest (with tables), read with the lb state; null: none (no VPP). */
  digest: VPPLBDigest | null = null;
  readonly frontends = new NamedCollection<FrontendInfo>();
  readonly backends = new NamedCollection<BackendInfo>();
  readonly healthchecks = new NamedCollection<HealthCheckInfo>();
  #vpp: VPPInfo | null = null;

  constructor(name: string) {
    this.name = name;
  }

  get vpp(): VPPInfo | null {
    return this.#vpp;
  }

  /** Applies a full refresh. */
  replaceAll(objs: ScopeObjects): ScopeUpdate | undefined {
    const out: Record<string, unknown> = {};
    const names: Partial<Record<Kind, readonly string[]>> = {};
    for (const kind of ['frontends', 'backends', 'healthchecks'] as const) {
      const list = objs[kind];
      if (list === undefined) continue;
      const change = (this[kind] as NamedCollection<{ name: string }>).replaceAll(list);
      if (change.changed.length > 0) out[kind] = change.changed;
      if (change.names !== undefined) names[kind] = change.names;
    }
    if (objs.vpp !== undefined && this.#setVpp(objs.vpp)) out.vpp = objs.vpp;
    return this.#update(out, names);
  }

  /** Stores objects fetched one by one (after a transition or an admin action). */
  upsert(objs: Pick<ScopeObjects, Kind>): ScopeUpdate | undefined {
    const out: Record<string, unknown> = {};
    const names: Partial<Record<Kind, readonly string[]>> = {};
    for (const kind of ['frontends', 'backends', 'healthchecks'] as const) {
      const coll = this[kind] as NamedCollection<{ name: string }>;
      const changed = [];
      for (const value of objs[kind] ?? []) {
        const r = coll.upsert(value);
        if (r !== 'unchanged') changed.push(value);
        if (r === 'added') names[kind] = coll.names;
      }
      if (changed.length > 0) out[kind] = changed;
    }
    return this.#update(out, names);
  }

  setVpp(info: VPPInfo | null): ScopeUpdate | undefined {
    return this.#setVpp(info) ? { maglevd: this.name, vpp: info } : undefined;
  }

  /**
   * A live backend transition (or, with from == to, a snapshot entry): the backend's state and
   * history and its rows in every pool. Effective weights are not known here; the caller refetches.
   */
  applyBackendTransition(backend: string, t: TransitionRecord): void {
    const real = t.from !== t.to;
    this.backends.modify(backend, (b) => ({ ...b, state: t.to, transitions: real ? [t, ...b.transitions] : b.transitions }));
    for (const fe of this.frontendsUsing(backend)) {
      this.frontends.modify(fe, (f) => ({
        ...f,
        pools: f.pools.map((p) => ({
          ...p,
          backends: p.backends.map((m) => (m.name === backend ? { ...m, state: t.to, last_transition_unix_ns: real ? t.at_unix_ns : m.last_transition_unix_ns } : m)),
        })),
      }));
    }
  }

  applyFrontendTransition(frontend: string, to: string): void {
    this.frontends.modify(frontend, (f) => ({ ...f, state: to }));
  }

  /** Frontends with the backend in any pool, in list order. */
  frontendsUsing(backend: string): string[] {
    return this.frontends.values().filter((f) => f.pools.some((p) => p.backends.some((m) => m.name === backend))).map((f) => f.name);
  }

  /** The scope as served by /view/api/state/{name}. */
  snapshot(): unknown {
    return toProtoJson({
      name: this.name,
      reachable: this.reachable,
      watch_refused: this.watchRefused,
      vpp: this.#vpp,
      frontends: this.frontends.values(),
      backends: this.backends.values(),
      healthchecks: this.healthchecks.values(),
      lb_state: this.lbState,
    });
  }

  #setVpp(info: VPPInfo | null): boolean {
    if (JSON.stringify(info) === JSON.stringify(this.#vpp)) return false;
    this.#vpp = info;
    return true;
  }

  #update(out: Record<string, unknown>, names: Partial<Record<Kind, readonly string[]>>): ScopeUpdate | undefined {
    if (Object.keys(names).length > 0) out.names = names;
    return Object.keys(out).length === 0 ? undefined : { maglevd: this.name, ...out };
  }
}
