// The daemon's ControlPlane: the gRPC API, the metrics and SIGHUP reach the running daemon
// through this one object. It reads live state from the checker, reloads through the config
// loader, and reaches VPP only through the reconciler (writes) and the current VPP session
// (reads). Errors are DaemonErrors with stable codes; grpc-status.ts maps them.

import { DaemonError, notFound } from '../shared/errors.js';
import { thisBuild, type BuildVersion } from '../shared/build-version.js';
import type { Clock } from '../shared/clock.js';
import type { HealthCheck } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { compareIp } from '../shared/ip-address.js';
import type { BackendView } from '../checker/backend-view.js';
import type { Checker } from '../checker/checker.js';
import type { FrontendView } from '../core/frontend-view.js';
import type { ConfigVerdict } from '../config/load-task.js';
import { formatIssue, type ConfigLoad } from '../config/loader.js';
import { previewChange } from '../core/disruption-preview.js';
import type { ProposedChange } from '../core/proposed-change.js';
import {
  type ConfigCheckResult,
  type ConfigReloadResult,
  type ControlPlane,
  type ControlPlaneEvent,
  type PreviewRequestView,
  type PreviewResultView,
  type ProbeWatchdogView,
  type VppLbCountersView,
  type VppLbStateView,
  type VppStatus,
  type VppVipDigestView,
  type WatchSubscription,
  type WeightChange,
} from '../control/control-plane.js';
import type { Subscription } from '../control/event-subscribers.js';
import type { WatchEventHub } from '../control/grpc-watch-hub.js';
import { vipDigests } from '../control/vip-digests.js';
import type { VppSide } from './vpp-side.js';
import { compareVipKeys, inVipOrder } from '../core/desired-state.js';
import { readState } from '../sync/lb-state.js';

export interface MaglevdControlPlaneOptions {
  readonly configPath: string;
  readonly checker: Checker;
  readonly hub: WatchEventHub;
  /** undefined when VPP integration is disabled. */
  readonly vpp: VppSide | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** When the checker started its loops (unix ms): the base of the probe watchdog. */
  readonly startedAt: number;
  /** Moves probing to new workers in another namespace; returns the old pool's closer (NetnsProbeExecutor.switchTo). */
  readonly switchNetns?: (netns: string) => Promise<(() => Promise<void>) | undefined>;
  /** Reads and parses config files off the main thread (OffThreadConfigLoader). */
  readonly configLoader: ConfigFileLoader;
}

/** How the control plane reads configs: load for a reload, check for CheckConfig, parse for a preview. */
export interface ConfigFileLoader {
  load(path: string): Promise<ConfigLoad>;
  check(path: string): Promise<ConfigVerdict>;
  parse(text: string): Promise<ConfigLoad>;
}

/** The answer to a CheckConfig or ReloadConfig while another check or reload runs. */
function configBusy(): DaemonError {
  return new DaemonError('RESOURCE_EXHAUSTED', 'a config check, reload or config preview is already running; try again when it has finished');
}


function issuesText(load: ConfigLoad | ConfigVerdict): { parseError: string; semanticError: string } {
  if (load.ok) return { parseError: '', semanticError: '' };
  const text = load.errors.map(formatIssue).join('\n');
  return load.stage === 'parse' ? { parseError: text, semanticError: '' } : { parseError: '', semanticError: text };
}

export class MaglevdControlPlane implements ControlPlane {
  readonly #o: MaglevdControlPlaneOptions;
  /**
   * Config checks and reloads run one at a time (docs/security.md): each costs a parse of up to
   * 16 MiB. An RPC that finds one running or queued is refused; a SIGHUP waits its turn.
   */
  #configTail: Promise<unknown> = Promise.resolve();
  #configJobs = 0;
  /** A SIGHUP reload that has not started yet: later SIGHUPs join it. */
  #signalReload: Promise<ConfigReloadResult> | undefined;

  constructor(opts: MaglevdControlPlaneOptions) {
    this.#o = opts;
  }

  listFrontends(): readonly string[] {
    return this.#o.checker.listFrontends();
  }

  getFrontend(name: string): FrontendView {
    // The checker's own view: weights.ts over live state, latest transitions without copying histories.
    const fe = this.#o.checker.frontendInfo(name);
    if (fe === undefined) throw notFound('frontend', name);
    return fe;
  }

  listBackends(): readonly string[] {
    return this.#o.checker.listBackends();
  }

  getBackend(name: string): BackendView {
    const b = this.#o.checker.getBackend(name);
    if (b === undefined) throw notFound('backend', name);
    return b;
  }

  async pauseBackend(name: string): Promise<BackendView> {
    return this.#act(name, (n) => this.#o.checker.pause(n));
  }

  async resumeBackend(name: string): Promise<BackendView> {
    return this.#act(name, (n) => this.#o.checker.resume(n));
  }

  async enableBackend(name: string): Promise<BackendView> {
    return this.#act(name, (n) => this.#o.checker.enable(n));
  }

  async disableBackend(name: string): Promise<BackendView> {
    return this.#act(name, (n) => this.#o.checker.disable(n));
  }

  #act(name: string, fn: (name: string) => BackendView): Promise<BackendView> {
    if (this.#o.checker.getBackend(name) === undefined) return Promise.reject(notFound('backend', name));
    // The transition event it causes reaches the reconciler synchronously: the VIP sync is queued.
    return Promise.resolve(fn(name));
  }

  listHealthChecks(): readonly string[] {
    return [...this.#o.checker.config.healthchecks.keys()].sort();
  }

  getHealthCheck(name: string): HealthCheck {
    const hc = this.#o.checker.config.healthchecks.get(name);
    if (hc === undefined) throw notFound('healthcheck', name);
    return hc;
  }

  setFrontendPoolBackendWeight(change: WeightChange): Promise<FrontendView> {
    const { frontend, pool, backend, weight, flush } = change;
    try {
      this.#o.checker.setWeight(frontend, pool, backend, weight, flush);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const address = this.#o.checker.config.backends.get(backend)?.address;
    // Queue the immediate VIP sync; it does not wait for VPP (and waits for release in warmup).
    this.#o.vpp?.reconciler.requestVip(frontend, flush && address !== undefined ? [address] : []).catch(() => {
      // the reconciler logs its own failures and retries with a full sync
    });
    return Promise.resolve(this.getFrontend(frontend));
  }

  watchEvents(opts: WatchSubscription): Subscription<ControlPlaneEvent> {
    return this.#o.hub.subscribe(opts);
  }

  checkConfig(): Promise<ConfigCheckResult> {
    if (this.#configJobs > 0) return Promise.reject(configBusy());
    return this.#configJob(async () => {
      const verdict = await this.#o.configLoader.check(this.#o.configPath);
      return { ok: verdict.ok, ...issuesText(verdict) };
    });
  }

  /** ReloadConfig. A bad file keeps the running config. */
  reloadConfig(): Promise<ConfigReloadResult> {
    if (this.#configJobs > 0) return Promise.reject(configBusy());
    return this.#configJob(() => this.#reload());
  }

  /** SIGHUP. Queued behind a running check or reload; SIGHUPs before it starts join it. */
  reloadOnSignal(): Promise<ConfigReloadResult> {
    this.#signalReload ??= this.#configJob(() => {
      this.#signalReload = undefined;
      return this.#reload();
    });
    return this.#signalReload;
  }

  #configJob<T>(job: () => Promise<T>): Promise<T> {
    this.#configJobs += 1;
    const run = this.#configTail.then(job).finally(() => {
      this.#configJobs -= 1;
    });
    this.#configTail = run.catch(() => undefined);
    return run;
  }

  async #reload(): Promise<ConfigReloadResult> {
    const log = this.#o.logger;
    const load = await this.#o.configLoader.load(this.#o.configPath);
    if (!load.ok) {
      const texts = issuesText(load);
      log.error('config-reload-error', load.stage === 'parse' ? { parse_error: texts.parseError } : { semantic_error: texts.semanticError });
      return { ok: false, ...texts, reloadError: '' };
    }
    for (const w of load.warnings) log.warn('config-warning', { path: w.path, warning: formatIssue(w) });
    let counts;
    try {
      // New namespace: new workers first, so the restarted loops probe from there.
      const closeOld = await this.#o.switchNetns?.(load.config.healthchecker.netns);
      counts = this.#o.checker.reload(load.config);
      await closeOld?.();
    } catch (e) {
      const reloadError = e instanceof Error ? e.message : String(e);
      log.error('config-reload-error', { reload_error: reloadError });
      return { ok: false, parseError: '', semanticError: '', reloadError };
    }
    log.info('config-reload', { started: counts.started, stopped: counts.stopped, restarted: counts.restarted });
    // One full sync, unless the warmup still runs (it then uses the new config).
    this.#o.vpp?.reconciler.requestAll().catch(() => {
      // WARMUP_IN_PROGRESS or a logged sync failure (retried by the reconciler)
    });
    return { ok: true, parseError: '', semanticError: '', reloadError: '' };
  }

  vppStatus(): VppStatus {
    const vpp = this.#o.vpp;
    if (vpp === undefined) return { state: 'disabled' };
    const warmupComplete = vpp.warmup.isOpen();
    const s = vpp.link.session;
    if (s === undefined) return { state: 'disconnected', warmupComplete };
    const i = s.info;
    return {
      state: 'connected',
      warmupComplete,
      info: {
        version: i.version,
        buildDate: i.buildDate,
        buildDirectory: i.buildDirectory,
        pid: i.pid,
        bootTime: i.bootTimeS > 0 ? i.bootTimeS * 1000 : undefined,
        connectTime: i.connectTimeMs,
      },
    };
  }

  #session(): NonNullable<VppSide['link']['session']> {
    const vpp = this.#o.vpp;
    if (vpp === undefined) throw new DaemonError('VPP_DISABLED', 'VPP integration is disabled');
    const s = vpp.link.session;
    if (s === undefined) throw new DaemonError('VPP_NOT_CONNECTED', 'VPP is not connected');
    return s;
  }

  async vppLbState(): Promise<VppLbStateView> {
    const s = this.#session();
    const state = await readState(s.lb, { includeRemoved: true });
    return {
      conf: state.conf,
      vips: inVipOrder(state.vips).map((v) => ({
        ...v.key,
        encap: v.encap,
        flowTableLength: v.flowTableLength,
        srcIpSticky: v.srcIpSticky ?? false,
        index: v.index ?? 0,
        applicationServers: [...v.ases.entries()]
          .sort(([a], [b]) => compareIp(a, b))
          .map(([address, as]) => ({ address, weight: as.weight, flags: as.flags, numBuckets: as.numBuckets, removedAt: undefined })),
      })),
    };
  }

  async syncVppLbState(frontend: string | undefined): Promise<void> {
    const vpp = this.#o.vpp;
    if (vpp === undefined) throw new DaemonError('VPP_DISABLED', 'VPP integration is disabled');
    if (frontend !== undefined && !this.#o.checker.config.frontends.has(frontend)) throw notFound('frontend', frontend);
    await vpp.reconciler.requestSync(frontend);
  }

  vppLbCounters(): VppLbCountersView {
    this.#session();
    const snap = this.#o.vpp?.counters();
    if (snap === undefined) return { scrapedAt: undefined, vips: [] };
    const byKey = new Map<string, string>();
    for (const fe of this.#o.checker.config.frontends.values()) {
      const bits = fe.family === 4 ? 32 : 128;
      byKey.set(`${fe.address}/${bits} ${fe.protocol === 'tcp' ? 6 : fe.protocol === 'udp' ? 17 : 255} ${fe.port}`, fe.name);
    }
    const vips = snap.vips
      .map((r) => ({
        prefix: r.prefix,
        protocol: r.protocol,
        port: r.port,
        index: r.index,
        next: r.next,
        first: r.first,
        untracked: r.untracked,
        noServer: r.noServer,
        fib: r.fibPackets === undefined || r.fibBytes === undefined ? undefined : { packets: r.fibPackets, bytes: r.fibBytes },
        frontend: byKey.get(`${r.prefix} ${r.protocol} ${r.port}`),
      }))
      .sort(compareVipKeys);
    return { scrapedAt: snap.scrapedAt, vips };
  }

  /**
   * The preview of a change on the live world (config, backend states, weights). A candidate
   * config goes through the same loader as the config file; it is never applied.
   */
  previewChange(change: PreviewRequestView, frontend: string | undefined): Promise<PreviewResultView> {
    if (change.kind !== 'config') return Promise.resolve().then(() => this.#preview(change, frontend));
    // A candidate config costs a parse like CheckConfig: off the main thread, one job at a time.
    if (this.#configJobs > 0) return Promise.reject(configBusy());
    return this.#configJob(async () => {
      const load = await this.#o.configLoader.parse(change.text);
      if (!load.ok) return { ok: false, ...issuesText(load) };
      return this.#preview({ kind: 'config', config: load.config }, frontend);
    });
  }

  #preview(proposed: ProposedChange, frontend: string | undefined): PreviewResultView {
    const c = this.#o.checker;
    return { ok: true, preview: previewChange({ config: c.config, stateOf: c.stateOf, weightOf: c.weightOf, agentOf: c.agentOf }, proposed, frontend) };
  }

  /** The table of each VIP as VPP holds it: a live AS dump, tables computed from it. */
  async vppLbDigest(frontend: string | undefined, includeTable: boolean): Promise<VppVipDigestView[]> {
    return vipDigests(await this.vppLbState(), this.#o.checker.config.frontends.values(), frontend, includeTable);
  }

  /**
   * The /healthz watchdog inputs. A probing backend's next result is due by its last probe +
   * the longest jittered interval + timeout (or, before its first probe, the daemon start + one
   * full stagger + fast interval + timeout); probes are "due" since the earliest such time passed.
   */
  probeWatchdog(): ProbeWatchdogView {
    const c = this.#o.checker;
    const now = this.#o.clock.now();
    let dueSince: number | undefined;
    for (const name of c.listBackends()) {
      const b = c.getBackend(name);
      if (b === undefined || b.healthcheck === undefined || !['unknown', 'up', 'down'].includes(b.state)) continue;
      const hc = c.config.healthchecks.get(b.healthcheck);
      if (hc === undefined) continue;
      const longest = Math.max(hc.intervalMs, hc.fastIntervalMs, hc.downIntervalMs) * 1.1;
      const last = b.lastProbe === undefined ? undefined : b.lastProbe.at + b.lastProbe.durationMs;
      const base = Math.max(last ?? this.#o.startedAt + hc.intervalMs, b.transitions[0]?.at ?? 0);
      const due = base + longest + hc.timeoutMs;
      if (due <= now && (dueSince === undefined || due < dueSince)) dueSince = due;
    }
    return { lastProbeAt: c.lastProbeAt, probesDueSince: dueSince, recentDiscards: c.recentDiscards() };
  }

  version(): BuildVersion {
    return thisBuild;
  }
}
