// One maglevd as seen by the dashboard ("per maglevd"): the WatchEvents stream
// (watch-connection.ts), a full refresh every 30 s (and after every reconnect or config reload),
// a 5 s reachability probe, the debounced lb-state loop (which also reads the table digests the
// cross-host comparison needs), and the admin actions and their previews. Everything it
// learns lands in ScopeState and goes out through `publish` as SSE events; failures of its own
// RPCs are logged and never thrown into its timers.

import { status as grpcStatus } from '@grpc/grpc-js';
import type { BackendAction } from '../api/maglev-client.js';
import type { BackendInfo, FrontendInfo, PreviewRequest__Input, PreviewResponse, SetWeightRequest, VPPInfo, VPPLBDigest, VPPLBState } from '../api/maglev-messages.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { EdgeDebouncer } from './edge-debouncer.js';
import type { SseEventType } from './event-broker.js';
import type { MaglevdApi } from './maglevd-api.js';
import { toProtoJson } from './proto-json.js';
import { ScopeState, type ScopeUpdate } from './scope-state.js';
import { watchActions, type WatchAction } from './watch-actions.js';
import { WatchConnection } from './watch-connection.js';

export interface ScopeTiming {
  readonly refreshMs: number;
  readonly probeMs: number;
  readonly probeDeadlineMs: number;
  readonly lbDebounceMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** Objects refetched after transitions are collected this long into one batch. */
  readonly batchMs: number;
  /** At most one `vpp-api` event per direction this often (the browser flashes for 250 ms). */
  readonly vppApiThrottleMs: number;
}

export const defaultScopeTiming: ScopeTiming = {
  refreshMs: 30_000,
  probeMs: 5000,
  probeDeadlineMs: 2000,
  lbDebounceMs: 1000,
  reconnectMinMs: 1000,
  reconnectMaxMs: 30_000,
  batchMs: 50,
  vppApiThrottleMs: 100,
};

export interface ScopeOptions {
  /** The address as given to -server. */
  readonly name: string;
  readonly api: MaglevdApi;
  readonly clock: Clock;
  readonly publish: (type: SseEventType, payload: unknown) => void;
  readonly logger: Logger;
  readonly timing?: Partial<ScopeTiming>;
}

function grpcCode(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'number' ? e.code : undefined;
}

export class Scope {
  readonly state: ScopeState;
  readonly #o: ScopeOptions;
  readonly #t: ScopeTiming;
  readonly #log: Logger;
  readonly #lb: EdgeDebouncer;
  readonly #timers = new Map<string, TimerHandle>();
  readonly #dirty = { frontends: new Set<string>(), backends: new Set<string>() };
  readonly #lastVppApi = { send: -Infinity, recv: -Infinity };
  readonly #watch: WatchConnection;
  #stopped = false;
  #probed = false;
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;
  /** Bumped by every vpp connect/disconnect event, so an older VPP answer cannot overwrite it. */
  #vppGen = 0;
  #lbReading = false;
  #lbAgain = false;

  constructor(opts: ScopeOptions) {
    this.#o = opts;
    this.#t = { ...defaultScopeTiming, ...opts.timing };
    this.#log = opts.logger.child({ maglevd: opts.name });
    this.state = new ScopeState(opts.name);
    this.#lb = new EdgeDebouncer(opts.clock, this.#t.lbDebounceMs, () => void this.#readLbState());
    this.#watch = new WatchConnection({
      api: opts.api,
      clock: opts.clock,
      logger: this.#log,
      reconnectMinMs: this.#t.reconnectMinMs,
      reconnectMaxMs: this.#t.reconnectMaxMs,
      // Whatever happened while the stream was down is only known after a refetch.
      onConnected: () => {
        this.#setWatchRefused(null);
        void this.refreshAll();
      },
      onRefused: (details) => this.#setWatchRefused(details),
      onEvent: (ev) => {
        for (const a of watchActions(ev)) this.#apply(a);
      },
    });
  }

  get name(): string {
    return this.state.name;
  }

  start(): void {
    void this.#probe();
    this.#watch.start();
    this.#every('refresh', this.#t.refreshMs, () => this.refreshAll());
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) this.#o.clock.clearTimeout(t);
    this.#timers.clear();
    this.#lb.stop();
    this.#watch.stop();
    this.#o.api.close();
  }

  /** Full refresh of every object; single-flight, a request during a run causes one more run. */
  refreshAll(): Promise<void> {
    if (this.#refreshing !== undefined) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#refreshAgain = false;
        await this.#fetchAll();
      } while (this.#refreshAgain && !this.#stopped);
    })().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /** Runs an operator action and folds the result in (lb state re-read afterwards). */
  async backendAction(action: BackendAction, backend: string): Promise<BackendInfo> {
    const info = await this.#o.api.backendAction(action, { name: backend });
    this.#publishUpdate(this.state.upsert({ backends: [info] }));
    this.#markDirty([], this.state.frontendsUsing(backend));
    this.#lb.trigger();
    return info;
  }

  /** What an admin action would move (PreviewChange); nothing is applied. */
  preview(req: PreviewRequest__Input): Promise<PreviewResponse> {
    return this.#o.api.previewChange(req);
  }

  async setWeight(req: SetWeightRequest): Promise<FrontendInfo> {
    const info = await this.#o.api.setFrontendPoolBackendWeight(req);
    this.#publishUpdate(this.state.upsert({ frontends: [info] }));
    // Set-weight emits no transition, so the lb state is only re-read because we ask.
    this.#lb.trigger();
    return info;
  }

  // ---- loops ----

  #every(name: string, ms: number, fn: () => Promise<void>): void {
    this.#timers.set(
      name,
      this.#o.clock.setTimeout(() => {
        void fn().finally(() => {
          if (!this.#stopped) this.#every(name, ms, fn);
        });
      }, ms),
    );
  }

  async #probe(): Promise<void> {
    let reachable: boolean;
    try {
      await this.#o.api.listFrontends({}, { deadlineMs: this.#t.probeDeadlineMs });
      reachable = true;
    } catch (e) {
      reachable = false;
      if (this.state.reachable || !this.#probed) this.#log.warn('maglevd-unreachable', { err: errorMessage(e) });
    }
    this.#probed = true;
    if (this.#stopped) return;
    if (reachable !== this.state.reachable) {
      this.state.reachable = reachable;
      this.#o.publish('maglevd', { maglevd: this.name, reachable, watchRefused: this.state.watchRefused });
      if (reachable) {
        this.#log.info('maglevd-reachable');
        void this.refreshAll();
        // A stream waiting out its backoff need not wait any longer.
        this.#watch.retryNow();
      }
    }
    this.#timers.set('probe', this.#o.clock.setTimeout(() => void this.#probe(), this.#t.probeMs));
  }

  #setWatchRefused(details: string | null): void {
    if (this.state.watchRefused === details) return;
    this.state.watchRefused = details;
    this.#o.publish('maglevd', { maglevd: this.name, reachable: this.state.reachable, watchRefused: details });
  }

  // ---- events ----

  #apply(a: WatchAction): void {
    const publish = this.#o.publish;
    switch (a.kind) {
      case 'backend': {
        const before = this.state.backends.get(a.backend)?.state;
        this.state.applyBackendTransition(a.backend, a.transition);
        // A snapshot entry (from == to) matters only when it corrects what we showed; an agent
        // verdict (code agent-<state>) changes weights without a state change: always refetch.
        const agent = a.transition.code.startsWith('agent-');
        if (!agent && a.transition.from === a.transition.to && (before === undefined || before === a.transition.to)) return;
        publish('backend', { maglevd: this.name, backend: a.backend, transition: toProtoJson(a.transition) });
        this.#markDirty([a.backend], this.state.frontendsUsing(a.backend));
        this.#lb.trigger();
        return;
      }
      case 'frontend': {
        const before = this.state.frontends.get(a.frontend)?.state;
        this.state.applyFrontendTransition(a.frontend, a.transition.to);
        if (a.transition.from === a.transition.to && (before === undefined || before === a.transition.to)) return;
        publish('frontend', { maglevd: this.name, frontend: a.frontend, transition: toProtoJson(a.transition) });
        return;
      }
      case 'probe':
        publish('probe', { maglevd: this.name, backend: a.backend, phase: a.phase, ok: a.ok, code: a.code });
        return;
      case 'vpp-api': {
        const now = this.#o.clock.now();
        if (now - this.#lastVppApi[a.direction] < this.#t.vppApiThrottleMs) return;
        this.#lastVppApi[a.direction] = now;
        publish('vpp-api', { maglevd: this.name, direction: a.direction });
        return;
      }
      case 'vpp':
        this.#vppGen += 1;
        publish('vpp', { maglevd: this.name, connected: a.connected, detail: a.detail });
        if (a.connected) void this.#refreshVppInfo();
        else this.#publishUpdate(this.state.setVpp(null));
        return;
      case 'refetch':
        void this.refreshAll();
        return;
      case 'lb-changed':
        this.#lb.trigger();
        return;
      case 'log':
        publish('log', { maglevd: this.name, ...(toProtoJson(a.record) as object) });
        return;
      default: {
        const exhaustive: never = a;
        return exhaustive;
      }
    }
  }

  #publishUpdate(u: ScopeUpdate | undefined): void {
    if (u !== undefined && !this.#stopped) this.#o.publish('update', toProtoJson(u));
  }

  // ---- fetching ----

  async #fetchList<T>(list: () => Promise<string[]>, get: (name: string) => Promise<T>): Promise<T[] | undefined> {
    let names: string[];
    try {
      names = await list();
    } catch (e) {
      this.#log.debug('refresh-error', { err: errorMessage(e) });
      return undefined;
    }
    let failed = false;
    const got = await Promise.all(
      names.map((n) =>
        get(n).catch((e: unknown) => {
          // NOT_FOUND: removed by a reload between the list and the get; the next refresh settles it.
          // Anything else (maglevd going away mid-refresh): keep what we had for this kind.
          if (grpcCode(e) !== grpcStatus.NOT_FOUND) {
            failed = true;
            this.#log.debug('refresh-error', { object: n, err: errorMessage(e) });
          }
          return undefined;
        }),
      ),
    );
    return failed ? undefined : got.filter((x): x is Awaited<T> => x !== undefined);
  }

  async #fetchVppInfo(): Promise<VPPInfo | null> {
    try {
      return await this.#o.api.getVppInfo();
    } catch {
      return null; // UNAVAILABLE: VPP disabled or disconnected
    }
  }

  async #fetchAll(): Promise<void> {
    const api = this.#o.api;
    const vppGen = this.#vppGen;
    const [frontends, backends, healthchecks, vpp] = await Promise.all([
      this.#fetchList(async () => (await api.listFrontends()).frontend_names, (name) => api.getFrontend({ name })),
      this.#fetchList(async () => (await api.listBackends()).backend_names, (name) => api.getBackend({ name })),
      this.#fetchList(async () => (await api.listHealthChecks()).names, (name) => api.getHealthCheck({ name })),
      this.#fetchVppInfo(),
    ]);
    if (this.#stopped) return;
    // When the maglevd itself is unreachable every call failed: keep the VPP info too. A vpp
    // event that arrived while we fetched is newer than our answer: keep what it set.
    const fresh = frontends !== undefined && vppGen === this.#vppGen;
    this.#publishUpdate(this.state.replaceAll({ frontends, backends, healthchecks, vpp: fresh ? vpp : undefined }));
    this.#lb.trigger();
  }

  async #refreshVppInfo(): Promise<void> {
    const vppGen = this.#vppGen;
    const vpp = await this.#fetchVppInfo();
    if (vppGen === this.#vppGen) this.#publishUpdate(this.state.setVpp(vpp));
  }

  #markDirty(backends: readonly string[], frontends: readonly string[]): void {
    for (const b of backends) this.#dirty.backends.add(b);
    for (const f of frontends) this.#dirty.frontends.add(f);
    if (this.#timers.has('batch') || this.#stopped) return;
    this.#timers.set(
      'batch',
      this.#o.clock.setTimeout(() => {
        this.#timers.delete('batch');
        void this.#fetchDirty();
      }, this.#t.batchMs),
    );
  }

  async #fetchDirty(): Promise<void> {
    const fe = [...this.#dirty.frontends];
    const be = [...this.#dirty.backends];
    this.#dirty.frontends.clear();
    this.#dirty.backends.clear();
    const api = this.#o.api;
    const quiet = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);
    const [frontends, backends] = await Promise.all([
      Promise.all(fe.map((name) => quiet(api.getFrontend({ name })))),
      Promise.all(be.map((name) => quiet(api.getBackend({ name })))),
    ]);
    if (this.#stopped) return;
    this.#publishUpdate(
      this.state.upsert({
        frontends: frontends.filter((x): x is FrontendInfo => x !== undefined),
        backends: backends.filter((x): x is BackendInfo => x !== undefined),
      }),
    );
  }

  async #readLbState(): Promise<void> {
    if (this.#lbReading) {
      this.#lbAgain = true;
      return;
    }
    this.#lbReading = true;
    try {
      do {
        this.#lbAgain = false;
        let lb: VPPLBState | null;
        let digest: VPPLBDigest | null;
        try {
          lb = await this.#o.api.getVppLbState();
        } catch {
          lb = null; // UNAVAILABLE: no VPP; the panel shows it disconnected
        }
        try {
          digest = lb === null ? null : await this.#o.api.getVppLbDigest({ include_table: true });
        } catch {
          digest = null; // no VPP any more, or a maglevd without the RPC: left out of the comparison
        }
        if (this.#stopped) return;
        this.state.lbState = lb;
        this.state.digest = digest;
        // Sent even when unchanged: the browser clears its "settling" flags on every read.
        this.#o.publish('lbstate', { maglevd: this.name, lbState: toProtoJson(lb) });
      } while (this.#lbAgain);
    } finally {
      this.#lbReading = false;
    }
  }
}
