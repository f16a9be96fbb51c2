// The facade the gRPC API and the metrics read the daemon through: plain TS data, no proto
// objects. The daemon (main.ts) implements it over the checker, the config holder and the VPP
// client; tests implement it with test/support/fake-control-plane.ts.
// Failures are DaemonErrors with a stable code (grpc-status.ts maps them to gRPC codes); their
// message is shown to operators verbatim, so it names the object, e.g. `backend "x" not found`.
// Times are unix milliseconds (the proto's nanoseconds are made at the gRPC edge). The backend
// and frontend views are the ones the checker builds (checker/backend-view.ts,
// core/frontend-view.ts), served as they are.

import type { BackendView } from '../checker/backend-view.js';
import type { CheckerEvent } from '../checker/events.js';
import type { CloseReason, Subscription } from './event-subscribers.js';
import type { FrontendView } from '../core/frontend-view.js';
import type { DisruptionPreview } from '../core/disruption-preview.js';
import type { BackendChangeKind } from '../core/proposed-change.js';
import type { HealthCheck } from '../shared/config.js';
import type { DiscardReason } from '../shared/discard-reason.js';
import type { LogLevel, LogRecord } from '../shared/log.js';
import type { Encap, LbConf, VipKey } from '../shared/lb-vip.js';

export interface WeightChange {
  readonly frontend: string;
  readonly pool: string;
  readonly backend: string;
  /** Already checked to be an integer in 0..100. */
  readonly weight: number;
  readonly flush: boolean;
}

export interface ConfigCheckResult {
  readonly ok: boolean;
  /** '' when none; several problems are separated by newlines. */
  readonly parseError: string;
  readonly semanticError: string;
}

export interface ConfigReloadResult extends ConfigCheckResult {
  /** Set only when a valid config could not be applied. */
  readonly reloadError: string;
}

export interface VppInfo {
  readonly version: string;
  readonly buildDate: string;
  readonly buildDirectory: string;
  readonly pid: number;
  /** Unix ms when VPP started; undefined when unknown (no stats segment). */
  readonly bootTime: number | undefined;
  /** Unix ms when the current connection was made. */
  readonly connectTime: number;
}

export type VppStatus =
  | { readonly state: 'disabled' }
  | { readonly state: 'disconnected'; readonly warmupComplete: boolean }
  | { readonly state: 'connected'; readonly warmupComplete: boolean; readonly info: VppInfo };

export interface VppLbAsView {
  readonly address: string;
  readonly weight: number;
  /** Bit 0 (value 1) = in use. */
  readonly flags: number;
  readonly numBuckets: number;
  /** Removed ASes: unix ms of the removal, when known; undefined for ASes in use. */
  readonly removedAt: number | undefined;
}

export interface VppLbVipView extends VipKey {
  readonly encap: Encap;
  readonly flowTableLength: number;
  readonly srcIpSticky: boolean;
  readonly index: number;
  /** Numeric IP order. */
  readonly applicationServers: readonly VppLbAsView[];
}

export interface VppLbStateView {
  readonly conf: LbConf;
  /** Numeric order (address, protocol, port). */
  readonly vips: readonly VppLbVipView[];
}

export interface VppVipCountersView extends VipKey {
  readonly next: number | bigint;
  readonly first: number | bigint;
  readonly untracked: number | bigint;
  readonly noServer: number | bigint;
  /** FIB /net/route/to of the prefix; undefined without the stats segment or ip_route_lookup. */
  readonly fib: { readonly packets: number | bigint; readonly bytes: number | bigint } | undefined;
  /** The configured frontend for this VIP; undefined if none. */
  readonly frontend: string | undefined;
  readonly index: number;
}

export interface VppLbCountersView {
  /** Unix ms of the snapshot; undefined when no scrape has completed since connecting. */
  readonly scrapedAt: number | undefined;
  /** Numeric order. */
  readonly vips: readonly VppVipCountersView[];
}

/** A change to preview; a candidate config is YAML text, parsed by the config loader. */
export type PreviewRequestView =
  | { readonly kind: 'weight'; readonly frontend: string; readonly pool: string; readonly backend: string; readonly weight: number }
  | { readonly kind: BackendChangeKind; readonly backend: string }
  | { readonly kind: 'config'; readonly text: string };

/** A preview, or the candidate config's problems as data (CheckConfig's texts). */
export type PreviewResultView =
  | { readonly ok: true; readonly preview: DisruptionPreview }
  | { readonly ok: false; readonly parseError: string; readonly semanticError: string };

export interface VppVipDigestView extends VipKey {
  /** The configured frontend for this VIP; undefined if none. */
  readonly frontend: string | undefined;
  readonly flowTableLength: number;
  /** Hex SHA-256 (docs/table-digest.md). */
  readonly digest: string;
  /** ASes in the table, ip46 order, with their computed buckets. */
  readonly ases: ReadonlyArray<{ readonly address: string; readonly weight: number; readonly buckets: number }>;
  /** VPP's per-AS bucket counts equal the computed ones. */
  readonly bucketsMatch: boolean;
  /** Bucket → index into `ases`, -1 = none; only when asked for. */
  readonly table: readonly number[] | undefined;
}

/** Inputs of the /healthz watchdog. */
export interface ProbeWatchdogView {
  /** Unix ms when the latest real probe (not a static backend's) completed; undefined if none yet. */
  readonly lastProbeAt: number | undefined;
  /**
   * Unix ms at which the oldest probe that is due now (its scheduled start has passed and it has
   * not completed) became due; undefined when no probe is due (no probe loops, or every loop is
   * waiting for its next interval).
   */
  readonly probesDueSince: number | undefined;
  /** Discarded probe results per reason in the last minute (EMFILE, shard-lost, stall …); {} when none. */
  readonly recentDiscards: Partial<Record<DiscardReason, number>>;
}

export interface WatchSubscription {
  /** The gRPC peer, named in `event-drop`. */
  readonly peer: string;
  /** Log records wanted at or above this level; undefined: none. */
  readonly logLevel: LogLevel | undefined;
  /** Only accepted events are queued (kinds, level). */
  readonly accept: (ev: ControlPlaneEvent) => boolean;
  /** Called once, asynchronously, when the subscription ends for any reason. */
  readonly onClosed?: (reason: CloseReason) => void;
}

/** What WatchEvents receives live: checker events (one per transition) and log records. */
export type ControlPlaneEvent = CheckerEvent | { readonly kind: 'log'; readonly record: LogRecord };

export interface ControlPlane {
  /** Every configured frontend, sorted by name. */
  listFrontends(): readonly string[];
  /** NOT_FOUND. */
  getFrontend(name: string): FrontendView;
  /** Active backends, sorted. */
  listBackends(): readonly string[];
  /** NOT_FOUND (also for configured but unreferenced backends). */
  getBackend(name: string): BackendView;
  /** §3.8. NOT_FOUND; FAILED_PRECONDITION for pause/resume of a disabled backend. No-ops return the info. */
  pauseBackend(name: string): Promise<BackendView>;
  resumeBackend(name: string): Promise<BackendView>;
  enableBackend(name: string): Promise<BackendView>;
  disableBackend(name: string): Promise<BackendView>;
  /** Sorted. */
  listHealthChecks(): readonly string[];
  /** Defaults resolved. NOT_FOUND. */
  getHealthCheck(name: string): HealthCheck;
  /** §4.4; resolves once the immediate sync is queued. NOT_FOUND for frontend, pool or member. */
  setFrontendPoolBackendWeight(change: WeightChange): Promise<FrontendView>;
  /**
   * Opens the live event queue of one WatchEvents stream, synchronously (the API takes the
   * snapshot in the same tick). Implement with WatchEventHub.subscribe (grpc-watch-hub.ts): a
   * bounded queue per stream, fed with every checker event and every log record at or above the
   * lowest level an open stream asked for.
   */
  watchEvents(opts: WatchSubscription): Subscription<ControlPlaneEvent>;
  /** Re-reads --config and validates it; problems are data, never a rejection. */
  checkConfig(): Promise<ConfigCheckResult>;
  /** §3.9; problems are data, never a rejection. */
  reloadConfig(): Promise<ConfigReloadResult>;
  vppStatus(): VppStatus;
  /** Live readState(). VPP_DISABLED, VPP_NOT_CONNECTED; VPP_RETVAL/VPP_TIMEOUT on a failed read. */
  vppLbState(): Promise<VppLbStateView>;
  /**
   * Resolves when the sync run covering this request has finished. undefined → full sync.
   * VPP_DISABLED, VPP_NOT_CONNECTED, NOT_FOUND, WARMUP_IN_PROGRESS, VPP_RETVAL (the run failed).
   */
  syncVppLbState(frontend: string | undefined): Promise<void>;
  /** The last scrape snapshot. VPP_DISABLED, VPP_NOT_CONNECTED. */
  vppLbCounters(): VppLbCountersView;
  /**
   * What a change would do to the new-flow tables, from the live state; nothing is applied.
   * `frontend` limits it to that frontend's VIP. NOT_FOUND, INVALID_ARGUMENT and
   * FAILED_PRECONDITION as the change itself would answer; config problems are data.
   */
  previewChange(change: PreviewRequestView, frontend: string | undefined): Promise<PreviewResultView>;
  /**
   * Each VIP's table as VPP holds it (from a live AS dump), numeric order; `frontend` limits it
   * to that frontend's VIP (NOT_FOUND for an unknown frontend). VPP_DISABLED, VPP_NOT_CONNECTED,
   * VPP_RETVAL/VPP_TIMEOUT as vppLbState.
   */
  vppLbDigest(frontend: string | undefined, includeTable: boolean): Promise<VppVipDigestView[]>;
  probeWatchdog(): ProbeWatchdogView;
}
