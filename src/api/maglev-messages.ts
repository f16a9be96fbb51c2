// The wire shapes of proto/maglev.proto as @grpc/proto-loader presents them (maglev-proto.ts
// options): proto field names, int64 as decimal strings, oneof name in `event`.
// Requests are decoded by the server without defaults, so their fields are optional; responses
// are built complete by the server and decoded with defaults by clients (unset messages → null).
// Hand-written (the proto is small and stable); a test round-trips every message through the
// loaded proto so a drift between this file and the .proto fails loudly.

/** int64/uint64 on the wire: a decimal string (longs: String); numbers are accepted when sending. */
export type Int64 = string;

export interface NameRequest {
  name?: string;
}

export interface SetWeightRequest {
  frontend?: string;
  pool?: string;
  backend?: string;
  weight?: number;
  flush?: boolean;
}

export interface WatchRequest {
  log?: boolean;
  log_level?: string;
  backend?: boolean;
  frontend?: boolean;
}

export interface SyncVPPLBStateRequest {
  frontend_name?: string;
}

export type Empty = Record<string, never>;

export interface ListFrontendsResponse {
  frontend_names: string[];
}

export interface ListBackendsResponse {
  backend_names: string[];
}

export interface ListHealthChecksResponse {
  names: string[];
}

export interface PoolBackendInfo {
  name: string;
  weight: number;
  effective_weight: number;
  state: string;
  last_transition_unix_ns: Int64;
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
  src_ip_sticky: boolean;
  flush_on_down: boolean;
  state: string;
}

export interface TransitionRecordMsg {
  from: string;
  to: string;
  at_unix_ns: Int64;
  code: string;
  detail: string;
}

export interface ProbeResultMsg {
  ok: boolean;
  layer: string;
  code: string;
  detail: string;
  at_unix_ns: Int64;
  duration_ns: Int64;
}

export interface BackendInfo {
  name: string;
  address: string;
  state: string;
  transitions: TransitionRecordMsg[];
  enabled: boolean;
  healthcheck: string;
  health: number;
  rise: number;
  fall: number;
  last_probe: ProbeResultMsg | null;
  frontends: string[];
}

export interface HTTPCheckParams {
  path: string;
  host: string;
  response_code_min: number;
  response_code_max: number;
  response_regexp: string;
  server_name: string;
  insecure_skip_verify: boolean;
}

export interface TCPCheckParams {
  ssl: boolean;
  server_name: string;
  insecure_skip_verify: boolean;
}

export interface HealthCheckInfo {
  name: string;
  type: string;
  port: number;
  probe_ipv4_src: string;
  probe_ipv6_src: string;
  interval_ns: Int64;
  fast_interval_ns: Int64;
  down_interval_ns: Int64;
  timeout_ns: Int64;
  rise: number;
  fall: number;
  http: HTTPCheckParams | null;
  tcp: TCPCheckParams | null;
}

export interface CheckConfigResponse {
  ok: boolean;
  parse_error: string;
  semantic_error: string;
}

export interface ReloadConfigResponse extends CheckConfigResponse {
  reload_error: string;
}

export interface VPPInfo {
  version: string;
  build_date: string;
  build_directory: string;
  pid: number;
  boottime_ns: Int64;
  connecttime_ns: Int64;
}

export interface VPPLBConf {
  ip4_src_address: string;
  ip6_src_address: string;
  sticky_buckets_per_core: number;
  flow_timeout: number;
}

export interface VPPLBAS {
  address: string;
  weight: number;
  flags: number;
  num_buckets: number;
  in_use_since_ns: Int64;
}

export interface VPPLBVIP {
  prefix: string;
  protocol: number;
  port: number;
  encap: string;
  flow_table_length: number;
  application_servers: VPPLBAS[];
  src_ip_sticky: boolean;
  index: number;
}

export interface VPPLBState {
  conf: VPPLBConf | null;
  vips: VPPLBVIP[];
}

export interface VPPLBVIPCounters {
  prefix: string;
  protocol: number;
  port: number;
  next_packets: Int64;
  first_packets: Int64;
  untracked_packets: Int64;
  no_server_packets: Int64;
  fib_packets: Int64;
  fib_bytes: Int64;
  frontend: string;
  index: number;
}

export interface VPPLBCounters {
  vips: VPPLBVIPCounters[];
  scraped_at_unix_ns: Int64;
}

export interface LogAttrMsg {
  key: string;
  value: string;
}

export interface LogEventMsg {
  at_unix_ns: Int64;
  level: string;
  msg: string;
  attrs: LogAttrMsg[];
}

export interface BackendEventMsg {
  backend_name: string;
  transition: TransitionRecordMsg | null;
}

export interface FrontendEventMsg {
  frontend_name: string;
  transition: TransitionRecordMsg | null;
}

/** The Event envelope. Sent with exactly one member set; received with `event` naming it. */
export interface EventMsg {
  log?: LogEventMsg | null;
  backend?: BackendEventMsg | null;
  frontend?: FrontendEventMsg | null;
  event?: 'log' | 'backend' | 'frontend';
}
