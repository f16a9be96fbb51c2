// Scrape-time gauges of backend and frontend state (behaviour.md §8), computed from the facade,
// so removed objects disappear at the next scrape. One series per backend or frontend for the
// `state` gauges (value 1, the current state only). Each view is read once per scrape (the
// backend families share one pass over the backends, the frontend families one over the
// frontends), and the reads yield to the event loop like the rendering does.

import type { Registry } from 'prom-client';
import type { BackendView } from '../checker/backend-view.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { FrontendView } from '../core/frontend-view.js';
import type { ScrapeContext } from './registry.js';
import { pacer, ScrapeGauge, type RowEmit } from './scrape-gauge.js';

export type StateSource = Pick<ControlPlane, 'listBackends' | 'getBackend' | 'listFrontends' | 'getFrontend'>;

/** The views readable now; an object removed between the list and the get (a reload) is skipped. */
async function readViews<T>(names: readonly string[], get: (name: string) => T, ctx: ScrapeContext | undefined): Promise<T[]> {
  const out: T[] = [];
  const pace = pacer(ctx);
  for (const name of names) {
    try {
      out.push(get(name));
    } catch {
      continue; // removed by a reload between the list and the get
    }
    const p = pace();
    if (p !== undefined) await p;
  }
  return out;
}

/** Views read at most once per scrape; outside a MetricsRegistry scrape, on every call. */
class ViewsPerScrape<T> {
  readonly #read: (ctx: ScrapeContext | undefined) => Promise<T[]>;
  #scrape = -1;
  #views: Promise<T[]> = Promise.resolve([]);

  constructor(read: (ctx: ScrapeContext | undefined) => Promise<T[]>) {
    this.#read = read;
  }

  get(ctx: ScrapeContext | undefined): Promise<T[]> {
    if (ctx === undefined) return this.#read(undefined);
    if (ctx.scrape !== this.#scrape) {
      this.#scrape = ctx.scrape;
      this.#views = this.#read(ctx);
    }
    return this.#views;
  }
}

export function registerStateGauges(registry: Registry, source: StateSource): void {
  const backends = new ViewsPerScrape<BackendView>((ctx) => readViews(source.listBackends(), (n) => source.getBackend(n), ctx));
  const frontends = new ViewsPerScrape<FrontendView>((ctx) => readViews(source.listFrontends(), (n) => source.getFrontend(n), ctx));
  /** A gauge with a row function over one kind of view, read once per scrape. */
  const gaugeOver = <T>(views: ViewsPerScrape<T>, every: number) => (name: string, help: string, labelNames: readonly string[], row: (v: T, emit: RowEmit) => void): void => {
    new ScrapeGauge({
      name,
      help,
      labelNames,
      registry,
      async collect(emit, ctx) {
        const pace = pacer(ctx, every);
        for (const v of await views.get(ctx)) {
          row(v, emit);
          const p = pace();
          if (p !== undefined) await p;
        }
      },
    });
  };
  const perBackend = gaugeOver(backends, 256);
  // A frontend emits a row per pool member: pause more often.
  const perFrontend = gaugeOver(frontends, 32);
  perBackend('maglev_backend_state', 'Current state of each active backend (1 for the current state only).', ['backend', 'state'], (b, emit) => emit([b.name, b.state], 1));
  perBackend('maglev_backend_health', 'Rise/fall health counter of each active backend (0..rise+fall-1).', ['backend'], (b, emit) => emit([b.name], b.health));
  perBackend('maglev_backend_enabled', '1 if the backend is enabled, else 0.', ['backend'], (b, emit) => emit([b.name], b.enabled ? 1 : 0));
  const poolGauge = (name: string, help: string, value: (m: { weight: number; effectiveWeight: number }) => number): void => {
    perFrontend(name, help, ['frontend', 'pool', 'backend'], (f, emit) => {
      for (const p of f.pools) for (const m of p.members) emit([f.name, p.name, m.backend], value(m));
    });
  };
  poolGauge('maglev_frontend_pool_backend_weight', 'Configured weight of a pool member (YAML or runtime override).', (m) => m.weight);
  poolGauge('maglev_frontend_pool_backend_effective_weight', 'Effective weight of a pool member, as programmed into VPP.', (m) => m.effectiveWeight);
  perFrontend('maglev_frontend_state', 'Current state of each frontend (1 for the current state only).', ['frontend', 'state'], (f, emit) => emit([f.name, f.state], 1));
}
