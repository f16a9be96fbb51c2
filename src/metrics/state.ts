// Scrape-time gauges of backend and frontend state (behaviour.md §8), computed by collectors
// from the facade, so removed objects disappear at the next scrape. One series per backend or
// frontend for the `state` gauges (value 1, the current state only).

import { Gauge, type Registry } from 'prom-client';
import type { ControlPlane } from '../control/control-plane.js';

export type StateSource = Pick<ControlPlane, 'listBackends' | 'getBackend' | 'listFrontends' | 'getFrontend'>;

/** Calls fn for each item that can still be read; an object removed mid-scrape is skipped. */
function each<T>(names: readonly string[], get: (name: string) => T, fn: (v: T) => void): void {
  for (const name of names) {
    let v: T;
    try {
      v = get(name);
    } catch {
      continue; // removed by a reload between the list and the get
    }
    fn(v);
  }
}

export function registerStateGauges(registry: Registry, source: StateSource): void {
  new Gauge({
    name: 'maglev_backend_state',
    help: 'Current state of each active backend (1 for the current state only).',
    labelNames: ['backend', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      each(source.listBackends(), (n) => source.getBackend(n), (b) => this.set({ backend: b.name, state: b.state }, 1));
    },
  });
  new Gauge({
    name: 'maglev_backend_health',
    help: 'Rise/fall health counter of each active backend (0..rise+fall-1).',
    labelNames: ['backend'] as const,
    registers: [registry],
    collect() {
      this.reset();
      each(source.listBackends(), (n) => source.getBackend(n), (b) => this.set({ backend: b.name }, b.health));
    },
  });
  new Gauge({
    name: 'maglev_backend_enabled',
    help: '1 if the backend is enabled, else 0.',
    labelNames: ['backend'] as const,
    registers: [registry],
    collect() {
      this.reset();
      each(source.listBackends(), (n) => source.getBackend(n), (b) => this.set({ backend: b.name }, b.enabled ? 1 : 0));
    },
  });
  const poolGauge = (name: string, help: string, value: (m: { weight: number; effectiveWeight: number }) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['frontend', 'pool', 'backend'] as const,
      registers: [registry],
      collect() {
        this.reset();
        each(source.listFrontends(), (n) => source.getFrontend(n), (f) => {
          for (const p of f.pools) for (const m of p.members) this.set({ frontend: f.name, pool: p.name, backend: m.backend }, value(m));
        });
      },
    });
  };
  poolGauge('maglev_frontend_pool_backend_weight', 'Configured weight of a pool member (YAML or runtime override).', (m) => m.weight);
  poolGauge('maglev_frontend_pool_backend_effective_weight', 'Effective weight of a pool member, as programmed into VPP.', (m) => m.effectiveWeight);
  new Gauge({
    name: 'maglev_frontend_state',
    help: 'Current state of each frontend (1 for the current state only).',
    labelNames: ['frontend', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      each(source.listFrontends(), (n) => source.getFrontend(n), (f) => this.set({ frontend: f.name, state: f.state }, 1));
    },
  });
  new Gauge({
    name: 'maglev_frontend_panic',
    help: '1 while the frontend is in panic (every backend at its configured weight, health ignored), else 0.',
    labelNames: ['frontend'] as const,
    registers: [registry],
    collect() {
      this.reset();
      each(source.listFrontends(), (n) => source.getFrontend(n), (f) => this.set({ frontend: f.name }, f.panic ? 1 : 0));
    },
  });
}
