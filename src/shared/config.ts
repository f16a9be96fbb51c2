// The typed, immutable configuration. Produced only by the config loader
// (src/config/loader.ts); nothing downstream ever sees raw YAML.
// Durations are milliseconds (fractions allowed), addresses are canonical strings.

export type HealthCheckType = 'icmp' | 'tcp' | 'http' | 'https';
export type FrontendProtocol = 'tcp' | 'udp' | 'any';
export type IpFamily = 4 | 6;

export interface HttpCheckParams {
  readonly path: string;
  /** Host header; undefined → backend address (+ :port unless default). */
  readonly host: string | undefined;
  readonly responseCodeMin: number;
  readonly responseCodeMax: number;
  /** RegExp source, already known to compile. */
  readonly responseRegexp: string | undefined;
  /** https only: SNI and verification name. */
  readonly serverName: string | undefined;
  readonly insecureSkipVerify: boolean;
}

export interface TcpCheckParams {
  readonly ssl: boolean;
  readonly serverName: string | undefined;
  readonly insecureSkipVerify: boolean;
}

/**
 * The agent check (HAProxy `agent-check`): a second probe, to a TCP port on the backend, whose
 * one-line answer sets the backend's administrative state and weight (core/agent.ts).
 */
export interface AgentCheck {
  readonly port: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Sent once the connection is up (`\n` appended); undefined → nothing is sent. */
  readonly send: string | undefined;
}

export interface HealthCheck {
  readonly name: string;
  readonly type: HealthCheckType;
  /** 0 for icmp. */
  readonly port: number;
  readonly intervalMs: number;
  readonly fastIntervalMs: number;
  readonly downIntervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  readonly probeIpv4Src: string | undefined;
  readonly probeIpv6Src: string | undefined;
  /** Set for http and https. */
  readonly http: HttpCheckParams | undefined;
  /** Set for tcp. */
  readonly tcp: TcpCheckParams | undefined;
  /**
   * http/https only (`reuse-connection`): probes keep one connection per backend open between
   * probes instead of a new one each time. Absent or false: a new connection per probe.
   */
  readonly reuseConnection?: boolean;
  /** Absent: no agent check (the default). */
  readonly agent?: AgentCheck;
}

/** Slow start, resolved from the backend's keys, else its health check's (core/slow-start.ts). */
export interface SlowStart {
  /** > 0. */
  readonly windowMs: number;
  /** Weight increases after the first weight, 1..20. */
  readonly steps: number;
}

export interface Backend {
  readonly name: string;
  readonly address: string;
  readonly family: IpFamily;
  /** undefined → static backend (always passing). */
  readonly healthcheck: string | undefined;
  readonly enabled: boolean;
  /** Absent: no slow start (the default). */
  readonly slowStart?: SlowStart;
}

export interface PoolMember {
  readonly backend: string;
  readonly weight: number;
}

export interface Pool {
  readonly name: string;
  /** In YAML order. */
  readonly members: readonly PoolMember[];
}

export interface Frontend {
  readonly name: string;
  readonly address: string;
  readonly family: IpFamily;
  readonly protocol: FrontendProtocol;
  /** 0 for all-port VIPs (protocol 'any'). */
  readonly port: number;
  readonly description: string;
  readonly srcIpSticky: boolean;
  readonly flushOnDown: boolean;
  /**
   * Percent 0..100; 0 = off. Below this share of up backends in the serving pool, every backend
   * gets its configured weight, health ignored (core/panic.ts).
   */
  readonly panicThreshold: number;
  /** Priority order: index 0 is the primary. */
  readonly pools: readonly Pool[];
}

export interface HealthCheckerConfig {
  readonly transitionHistory: number;
  /** '' → current namespace. */
  readonly netns: string;
}

export interface LbConfig {
  readonly syncIntervalMs: number;
  readonly ipv4SrcAddress: string | undefined;
  readonly ipv6SrcAddress: string | undefined;
  readonly stickyBucketsPerCore: number;
  readonly flowTimeoutS: number;
  readonly startupMinDelayMs: number;
  readonly startupMaxDelayMs: number;
}

export interface Config {
  readonly healthchecker: HealthCheckerConfig;
  readonly vpp: { readonly lb: LbConfig };
  readonly healthchecks: ReadonlyMap<string, HealthCheck>;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly frontends: ReadonlyMap<string, Frontend>;
}
