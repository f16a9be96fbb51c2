// The config as the structural stage leaves it: every value has the right type and knows its
// path and line:col, but nothing is checked against other values, nothing is required and no
// default is applied yet. The semantic stage turns a draft into the immutable Config.

import type { HealthCheckType } from '../shared/config.js';
import type { ConfigLocation, Located } from './issue.js';

/** An optional value read from the file. */
type Opt<T> = Located<T> | undefined;

export interface HealthCheckerDraft {
  /** The section's key, or the nearest existing ancestor when the section is absent. */
  at: ConfigLocation;
  transitionHistory?: Opt<number>;
  netns?: Opt<string>;
}

export interface LbDraft {
  at: ConfigLocation;
  /** Durations are milliseconds. */
  syncInterval?: Opt<number>;
  ipv4SrcAddress?: Opt<string>;
  ipv6SrcAddress?: Opt<string>;
  stickyBucketsPerCore?: Opt<number>;
  flowTimeout?: Opt<number>;
  startupMinDelay?: Opt<number>;
  startupMaxDelay?: Opt<number>;
}

export interface ParamsDraft {
  path?: Opt<string>;
  host?: Opt<string>;
  responseCode?: Opt<string>;
  responseRegexp?: Opt<string>;
  serverName?: Opt<string>;
  insecureSkipVerify?: Opt<boolean>;
  ssl?: Opt<boolean>;
}

export interface AgentDraft {
  /** The `agent` key. */
  readonly at: ConfigLocation;
  port?: Opt<number>;
  interval?: Opt<number>;
  timeout?: Opt<number>;
  send?: Opt<string>;
}

export interface HealthCheckDraft {
  readonly name: string;
  readonly at: ConfigLocation;
  type?: Opt<HealthCheckType>;
  port?: Opt<number>;
  interval?: Opt<number>;
  fastInterval?: Opt<number>;
  downInterval?: Opt<number>;
  timeout?: Opt<number>;
  rise?: Opt<number>;
  fall?: Opt<number>;
  probeIpv4Src?: Opt<string>;
  probeIpv6Src?: Opt<string>;
  slowStart?: Opt<number>;
  slowStartSteps?: Opt<number>;
  reuseConnection?: Opt<boolean>;
  agent?: AgentDraft;
  params: ParamsDraft;
}

export interface BackendDraft {
  readonly name: string;
  readonly at: ConfigLocation;
  /** Canonical address text (any family; mapped IPv6 still possible). */
  address?: Opt<string>;
  healthcheck?: Opt<string>;
  enabled?: Opt<boolean>;
  slowStart?: Opt<number>;
  slowStartSteps?: Opt<number>;
}

export interface MemberDraft {
  readonly backend: string;
  /** The member's key in the pool's `backends` map. */
  readonly at: ConfigLocation;
  weight?: Opt<number>;
}

export interface PoolDraft {
  /** The list item `pools[i]`. */
  readonly at: ConfigLocation;
  name?: Opt<string>;
  backends?: Located<MemberDraft[]>;
}

export interface FrontendDraft {
  readonly name: string;
  readonly at: ConfigLocation;
  address?: Opt<string>;
  protocol?: Opt<'tcp' | 'udp'>;
  port?: Opt<number>;
  description?: Opt<string>;
  srcIpSticky?: Opt<boolean>;
  flushOnDown?: Opt<boolean>;
  panicThreshold?: Opt<number>;
  pools?: Located<PoolDraft[]>;
}

export interface ConfigDraft {
  healthchecker: HealthCheckerDraft;
  lb: LbDraft;
  healthchecks: HealthCheckDraft[];
  backends: BackendDraft[];
  frontends: FrontendDraft[];
}
