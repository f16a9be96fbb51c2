// The JSON the dashboard's server sends (src/web/scope-state.ts, scope.ts): proto3 JSON of the
// maglev.proto messages with every field present (int64 as decimal strings), and the payloads
// of the SSE event types. Types only.

export type Int64 = string;

export interface PoolBackendInfo {
  name: string;
  weight: number;
  effectiveWeight: number;
  state: string;
  lastTransitionUnixNs: Int64;
  /** The agent check's state (up, drain, maint, down); '' without an agent check. */
  agentState: string;
}

export interface PoolInfo {
  name: string;
  backends: PoolBackendInfo[];
  active: boolean;
}

export interface FrontendInfo {
  name: string;
  address: string;
  protocol: string;
  port: number;
  pools: PoolInfo[];
  description: string;
  srcIpSticky: boolean;
  flushOnDown: boolean;
  state: string;
  panicThreshold: number;
  panic: boolean;
}

export interface TransitionRecord {
  from: string;
  to: string;
  atUnixNs: Int64;
  code: string;
  detail: string;
}

export interface ProbeResult {
  ok: boolean;
  layer: string;
  code: string;
  detail: string;
  atUnixNs: Int64;
  durationNs: Int64;
}

export interface BackendInfo {
  name: string;
  address: string;
  state: string;
  transitions: TransitionRecord[];
  enabled: boolean;
  healthcheck: string;
  health: number;
  rise: number;
  fall: number;
  lastProbe: ProbeResult | null;
  frontends: string[];
  agent: AgentInfo | null;
}

export interface AgentInfo {
  state: string;
  weightPercent: number;
  port: number;
  lastAnswer: string;
  lastAnswerUnixNs: Int64;
  badAnswers: number;
  lastError: string;
}

export interface HealthCheckInfo {
  name: string;
  type: string;
  port: number;
  intervalNs: Int64;
  timeoutNs: Int64;
  rise: number;
  fall: number;
  /** reuse-connection: probes keep one connection open between probes. */
  reuseConnection: boolean;
}

export interface VppInfo {
  version: string;
  buildDate: string;
  buildDirectory: string;
  pid: number;
  boottimeNs: Int64;
  connecttimeNs: Int64;
}

export interface VppLbAs {
  address: string;
  weight: number;
  flags: number;
  numBuckets: number;
  inUseSinceNs: Int64;
}

export interface VppLbVip {
  prefix: string;
  protocol: number;
  port: number;
  encap: string;
  flowTableLength: number;
  applicationServers: VppLbAs[];
  srcIpSticky: boolean;
  index: number;
}

export interface VppLbState {
  conf: { ip4SrcAddress: string; ip6SrcAddress: string; stickyBucketsPerCore: number; flowTimeout: number } | null;
  vips: VppLbVip[];
}

/** One maglevd as /view/api/state returns it. */
export interface ScopeSnapshot {
  name: string;
  reachable: boolean;
  /** maglevd refused the dashboard's WatchEvents stream (its stream cap), or null. */
  watchRefused?: string | null;
  vpp: VppInfo | null;
  frontends: FrontendInfo[];
  backends: BackendInfo[];
  healthchecks: HealthCheckInfo[];
  lbState: VppLbState | null;
}

export interface StateResponse {
  maglevds: ScopeSnapshot[];
}

/** One VIP compared across the maglevds (src/web/consistency-monitor.ts), plain JSON. */
export interface ConsistencyVip {
  key: string;
  vip: string;
  frontends: string[];
  hosts: string[];
  agreeing: string[];
  differences: Array<{ host: string; share: number; causes: string[] }>;
  text: string;
  /** Unix ms; absent while the hosts agree. */
  divergentSince?: number;
  /** The disagreement outlasted the grace. */
  divergent: boolean;
}

/** /view/api/consistency, and the `consistency` SSE payload. */
export interface ConsistencyResponse {
  vips: ConsistencyVip[];
}

/** POST /admin/api/{name}/preview: the summary lines (the full preview is left unused here). */
export interface PreviewReply {
  lines: string[];
}

export interface VersionResponse {
  version: string;
  commit: string;
  date: string;
}

// ---- SSE payloads, by event type ----

export interface BackendEventData {
  maglevd: string;
  backend: string;
  transition: TransitionRecord;
}

export interface FrontendEventData {
  maglevd: string;
  frontend: string;
  transition: TransitionRecord;
}

export interface ProbeEventData {
  maglevd: string;
  backend: string;
  phase: 'start' | 'done';
  ok: boolean;
  code: string;
}

export interface VppApiEventData {
  maglevd: string;
  direction: 'send' | 'recv';
}

export interface LbStateEventData {
  maglevd: string;
  lbState: VppLbState | null;
}

export interface MaglevdEventData {
  maglevd: string;
  reachable: boolean;
  watchRefused?: string | null;
}

export interface UpdateEventData {
  maglevd: string;
  frontends?: FrontendInfo[];
  backends?: BackendInfo[];
  healthchecks?: HealthCheckInfo[];
  vpp?: VppInfo | null;
  names?: { frontends?: string[]; backends?: string[]; healthchecks?: string[] };
}

export interface LogEventData {
  maglevd: string;
  atUnixNs: Int64;
  level: string;
  msg: string;
  attrs: Array<{ key: string; value: string }>;
}
