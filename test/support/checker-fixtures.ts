// Test helper (not a test): builds typed Configs for checker tests from a compact description,
// with the spec defaults for everything left out. No YAML, so checker tests do not depend on
// the config loader.

import type { Backend, Config, Frontend, HealthCheck, SlowStart } from '../../src/shared/config.js';

export interface FixtureSpec {
  readonly healthchecks?: Record<string, Partial<HealthCheck>>;
  /** name → address (static) or details. */
  readonly backends: Record<string, string | { address: string; healthcheck?: string; enabled?: boolean; slowStart?: SlowStart }>;
  /** name → pools as [poolName, {backend: weight}] pairs, or with options. */
  readonly frontends: Record<string, Array<[string, Record<string, number>]> | { pools: Array<[string, Record<string, number>]>; flushOnDown?: boolean; panicThreshold?: number }>;
  readonly transitionHistory?: number;
  readonly netns?: string;
}

export function healthCheck(name: string, over: Partial<HealthCheck> = {}): HealthCheck {
  return {
    name,
    type: 'tcp',
    port: 80,
    intervalMs: 2000,
    fastIntervalMs: 500,
    downIntervalMs: 10_000,
    timeoutMs: 1000,
    rise: 2,
    fall: 3,
    probeIpv4Src: undefined,
    probeIpv6Src: undefined,
    http: undefined,
    tcp: { ssl: false, serverName: undefined, insecureSkipVerify: false },
    ...over,
  };
}

export function makeConfig(spec: FixtureSpec): Config {
  const healthchecks = new Map<string, HealthCheck>();
  for (const [name, over] of Object.entries(spec.healthchecks ?? {})) healthchecks.set(name, healthCheck(name, over));
  const backends = new Map<string, Backend>();
  for (const [name, b] of Object.entries(spec.backends)) {
    const d = typeof b === 'string' ? { address: b } : b;
    backends.set(name, {
      name,
      address: d.address,
      family: d.address.includes(':') ? 6 : 4,
      healthcheck: d.healthcheck,
      enabled: d.enabled ?? true,
      ...('slowStart' in d && d.slowStart !== undefined ? { slowStart: d.slowStart } : {}),
    });
  }
  const frontends = new Map<string, Frontend>();
  let n = 1;
  for (const [name, f] of Object.entries(spec.frontends)) {
    const pools = Array.isArray(f) ? f : f.pools;
    frontends.set(name, {
      name,
      address: `198.51.100.${n++}`,
      family: 4,
      protocol: 'tcp',
      port: 80,
      description: '',
      srcIpSticky: false,
      flushOnDown: Array.isArray(f) ? true : (f.flushOnDown ?? true),
      panicThreshold: Array.isArray(f) ? 0 : (f.panicThreshold ?? 0),
      pools: pools.map(([poolName, members]) => ({
        name: poolName,
        members: Object.entries(members).map(([backend, weight]) => ({ backend, weight })),
      })),
    });
  }
  return {
    healthchecker: { transitionHistory: spec.transitionHistory ?? 5, netns: spec.netns ?? '' },
    vpp: {
      lb: {
        syncIntervalMs: 30_000,
        ipv4SrcAddress: '192.0.2.254',
        ipv6SrcAddress: undefined,
        stickyBucketsPerCore: 65536,
        flowTimeoutS: 40,
        startupMinDelayMs: 5000,
        startupMaxDelayMs: 30_000,
      },
    },
    healthchecks,
    backends,
    frontends,
  };
}
