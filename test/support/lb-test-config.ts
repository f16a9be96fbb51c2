// A compact builder of typed Configs for the sync, reconciler and warmup tests, plus state and
// weight lookups over plain records. Only the fields the VPP side reads are meaningful.

import type { Backend, Config, Frontend, FrontendProtocol, LbConfig } from '../../src/shared/config.js';
import type { BackendState } from '../../src/shared/health.js';
import { ipFamily } from '../../src/shared/ip-address.js';
import type { DesiredInputs } from '../../src/core/desired-state.js';

export interface FrontendSpec {
  readonly address: string;
  readonly protocol?: FrontendProtocol;
  readonly port?: number;
  readonly srcIpSticky?: boolean;
  readonly flushOnDown?: boolean;
  readonly panicThreshold?: number;
  /** Pools in priority order: backend name → weight. */
  readonly pools: ReadonlyArray<Record<string, number>>;
}

export interface ConfigSpec {
  /** backend name → address */
  readonly backends: Record<string, string>;
  readonly frontends: Record<string, FrontendSpec>;
  readonly lb?: Partial<LbConfig>;
}

export const defaultLb: LbConfig = {
  syncIntervalMs: 30_000,
  ipv4SrcAddress: '192.0.2.254',
  ipv6SrcAddress: '2001:db8::fe',
  stickyBucketsPerCore: 65536,
  flowTimeoutS: 40,
  startupMinDelayMs: 5000,
  startupMaxDelayMs: 30_000,
};

export function makeConfig(spec: ConfigSpec): Config {
  const backends = new Map<string, Backend>();
  for (const [name, address] of Object.entries(spec.backends)) {
    backends.set(name, { name, address, family: ipFamily(address) ?? 4, healthcheck: undefined, enabled: true });
  }
  const frontends = new Map<string, Frontend>();
  for (const [name, f] of Object.entries(spec.frontends)) {
    const protocol = f.protocol ?? 'tcp';
    frontends.set(name, {
      name,
      address: f.address,
      family: ipFamily(f.address) ?? 4,
      protocol,
      port: protocol === 'any' ? 0 : (f.port ?? 80),
      description: '',
      srcIpSticky: f.srcIpSticky ?? false,
      flushOnDown: f.flushOnDown ?? true,
      panicThreshold: f.panicThreshold ?? 0,
      pools: f.pools.map((p, i) => ({ name: `pool${i}`, members: Object.entries(p).map(([backend, weight]) => ({ backend, weight })) })),
    });
  }
  return {
    healthchecker: { transitionHistory: 5, netns: '' },
    vpp: { lb: { ...defaultLb, ...spec.lb } },
    healthchecks: new Map(),
    backends,
    frontends,
  };
}

/** Desired-state inputs over a mutable state record and the config's YAML weights (+ overrides). */
export function makeInputs(
  cfg: () => Config,
  states: Record<string, BackendState>,
  overrides: Record<string, number> = {},
): DesiredInputs {
  return {
    stateOf: (b) => states[b],
    weightOf: (fe, pool, b) =>
      overrides[`${fe}/${pool}/${b}`] ?? cfg().frontends.get(fe)?.pools.find((p) => p.name === pool)?.members.find((m) => m.backend === b)?.weight ?? 0,
  };
}
