// Scrape-time gauges of backend and frontend state, computed from the facade,
// so removed objects disappear at the next scrape. One series per backend or frontend for the
// `state` gauges (value 1, the current state only). Each view is read once per scrape (the
// backend families share one pass over the backends, the frontend families one over the
// frontends) and kept only as the columns they print; the reads yield to the event loop like
// the rendering does.

import type { Registry } from 'prom-client';
import type { ControlPlane } from '../control/control-plane.js';
import type { ScrapeContext } from './registry.js';
import { pacer, ScrapeGauge, type RowEmit } from './scrape-gauge.js';

export type StateSource = Pick<ControlPlane, 'listBackends' | 'getBackend' | 'listFrontends' | 'getFrontend'>;

/**
 * What the backend families print, as columns: read once per scrape and shared by the three
 * families, while the views themselves die young (views kept across the scrape's pauses made
 * the young-generation collections copy them).
 */
interface BackendColumns {
  readonly name: string[];
  readonly state: string[];
  readonly health: number[];
  readonly enabled: number[];
  /** The backends with an agent check: name, verdict state, bad answers. */
  readonly agent: { readonly name: string[]; readonly state: string[]; readonly bad: number[] };
}

/** The frontend families' columns: one row per pool member, and one per frontend. */
interface FrontendColumns {
  readonly member: { readonly frontend: string[]; readonly pool: string[]; readonly backend: string[]; readonly weight: number[]; readonly effective: number[] };
  readonly frontend: { readonly name: string[]; readonly state: string[]; readonly panic: number[] };
}

/**
 * Calls fn for each view readable now; an object removed between the list and the get (a reload)
 * is skipped. The scrape's pause is offered every `every` views: a frontend's view holds all its
 * pool members (100 each at 50 000 backends: 256 of them were 45–70 ms without a yield).
 */
async function eachView<T>(names: readonly string[], get: (name: string) => T, ctx: ScrapeContext | undefined, every: number, fn: (v: T) => void): Promise<void> {
  const pace = pacer(ctx, every);
  for (const name of names) {
    let v: T;
    try {
      v = get(name);
    } catch {
      continue; // removed by a reload between the list and the get
    }
    fn(v);
    const p = pace();
    if (p !== undefined) await p;
  }
}

async function backendColumns(source: StateSource, ctx: ScrapeContext | undefined): Promise<BackendColumns> {
  const c: BackendColumns = { name: [], state: [], health: [], enabled: [], agent: { name: [], state: [], bad: [] } };
  await eachView(source.listBackends(), (n) => source.getBackend(n), ctx, 32, (b) => {
    c.name.push(b.name);
    c.state.push(b.state);
    c.health.push(b.health);
    c.enabled.push(b.enabled ? 1 : 0);
    if (b.agent !== undefined) {
      c.agent.name.push(b.name);
      c.agent.state.push(b.agent.verdict.state);
      c.agent.bad.push(b.agent.badAnswers);
    }
  });
  return c;
}

async function frontendColumns(source: StateSource, ctx: ScrapeContext | undefined): Promise<FrontendColumns> {
  const c: FrontendColumns = { member: { frontend: [], pool: [], backend: [], weight: [], effective: [] }, frontend: { name: [], state: [], panic: [] } };
  await eachView(source.listFrontends(), (n) => source.getFrontend(n), ctx, 1, (f) => {
    c.frontend.name.push(f.name);
    c.frontend.state.push(f.state);
    c.frontend.panic.push(f.panic ? 1 : 0);
    for (const p of f.pools) {
      for (const m of p.members) {
        c.member.frontend.push(f.name);
        c.member.pool.push(p.name);
        c.member.backend.push(m.backend);
        c.member.weight.push(m.weight);
        c.member.effective.push(m.effectiveWeight);
      }
    }
  });
  return c;
}

/** Columns read at most once per scrape; outside a MetricsRegistry scrape, on every call. */
class PerScrape<T> {
  readonly #read: (ctx: ScrapeContext | undefined) => Promise<T>;
  #scrape = -1;
  #value: Promise<T> | undefined;

  constructor(read: (ctx: ScrapeContext | undefined) => Promise<T>) {
    this.#read = read;
  }

  get(ctx: ScrapeContext | undefined): Promise<T> {
    if (ctx === undefined) return this.#read(undefined);
    if (ctx.scrape !== this.#scrape || this.#value === undefined) {
      this.#scrape = ctx.scrape;
      this.#value = this.#read(ctx);
    }
    return this.#value;
  }
}

export function registerStateGauges(registry: Registry, source: StateSource): void {
  const backends = new PerScrape((ctx) => backendColumns(source, ctx));
  const frontends = new PerScrape((ctx) => frontendColumns(source, ctx));
  /** A gauge of `count` rows over columns read once per scrape. */
  const gauge = <T>(columns: PerScrape<T>, name: string, help: string, labelNames: readonly string[], count: (c: T) => number, row: (c: T, i: number, emit: RowEmit) => void): void => {
    new ScrapeGauge({
      name,
      help,
      labelNames,
      registry,
      async collect(emit, ctx) {
        const c = await columns.get(ctx);
        const pace = pacer(ctx);
        for (let i = 0, n = count(c); i < n; i++) {
          row(c, i, emit);
          const p = pace();
          if (p !== undefined) await p;
        }
      },
    });
  };
  const perBackend = (b: BackendColumns): number => b.name.length;
  gauge(backends, 'maglev_backend_state', 'Current state of each active backend (1 for the current state only).', ['backend', 'state'], perBackend, (b, i, emit) => emit([b.name[i]!, b.state[i]!], 1));
  gauge(backends, 'maglev_backend_health', 'Rise/fall health counter of each active backend (0..rise+fall-1).', ['backend'], perBackend, (b, i, emit) => emit([b.name[i]!], b.health[i]!));
  gauge(backends, 'maglev_backend_enabled', '1 if the backend is enabled, else 0.', ['backend'], perBackend, (b, i, emit) => emit([b.name[i]!], b.enabled[i]!));
  const perAgent = (b: BackendColumns): number => b.agent.name.length;
  gauge(backends, 'maglev_backend_agent_state', 'Agent-check state of each backend that has one (1 for the current state only: up, drain, maint, down).', ['backend', 'state'], perAgent, (b, i, emit) => emit([b.agent.name[i]!, b.agent.state[i]!], 1));
  gauge(backends, 'maglev_backend_agent_bad_answers', 'Bad agent answers (logged and ignored) since the agent check started.', ['backend'], perAgent, (b, i, emit) => emit([b.agent.name[i]!], b.agent.bad[i]!));
  const perMember = (f: FrontendColumns): number => f.member.backend.length;
  const poolGauge = (name: string, help: string, value: (m: FrontendColumns['member'], i: number) => number): void => {
    gauge(frontends, name, help, ['frontend', 'pool', 'backend'], perMember, (f, i, emit) => emit([f.member.frontend[i]!, f.member.pool[i]!, f.member.backend[i]!], value(f.member, i)));
  };
  poolGauge('maglev_frontend_pool_backend_weight', 'Configured weight of a pool member (YAML or runtime override).', (m, i) => m.weight[i]!);
  poolGauge('maglev_frontend_pool_backend_effective_weight', 'Effective weight of a pool member, as programmed into VPP.', (m, i) => m.effective[i]!);
  gauge(frontends, 'maglev_frontend_state', 'Current state of each frontend (1 for the current state only).', ['frontend', 'state'], (f) => f.frontend.name.length, (f, i, emit) => emit([f.frontend.name[i]!, f.frontend.state[i]!], 1));
  gauge(frontends, 'maglev_frontend_panic', '1 while the frontend is in panic (every backend at its configured weight, health ignored), else 0.', ['frontend'], (f) => f.frontend.name.length, (f, i, emit) => emit([f.frontend.name[i]!], f.frontend.panic[i]!));
}
