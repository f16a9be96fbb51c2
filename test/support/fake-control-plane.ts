// An in-memory ControlPlane for API, metrics and maglevc tests: a small fixed config (the
// example: web4 with pools primary/fallback, web6, three health checks),
// operator actions, events a test can emit, and switchable VPP status and errors.

import type { AgentView } from '../../src/checker/agent-loop.js';
import type { BackendView } from '../../src/checker/backend-view.js';
import type { BuildVersion } from '../../src/shared/build-version.js';
import { frontendView, type FrontendView } from '../../src/core/frontend-view.js';
import { frontendState, frontendWeights, type StateOf, type WeightOf } from '../../src/core/weights.js';
import { previewChange } from '../../src/core/disruption-preview.js';
import type { TableWorld } from '../../src/core/proposed-change.js';
import { parseConfig } from '../../src/config/loader.js';
import { vipDigests } from '../../src/control/vip-digests.js';
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
  type VppLbVipView,
  type VppStatus,
  type VppVipDigestView,
  type WatchSubscription,
  type WeightChange,
} from '../../src/control/control-plane.js';
import type { CheckerEvent } from '../../src/checker/events.js';
import type { Subscription } from '../../src/control/event-subscribers.js';
import { WatchEventHub, type WatchHubOptions } from '../../src/control/grpc-watch-hub.js';
import type { Config, Frontend, HealthCheck } from '../../src/shared/config.js';
import { DaemonError, notFound } from '../../src/shared/errors.js';
import type { BackendState, FrontendState, OperatorCode, ProbeCode, ProbeResult, TransitionRecord } from '../../src/shared/health.js';
import { levelRank, type LogLevel } from '../../src/shared/log.js';

export const T0 = Date.UTC(2026, 3, 12, 14, 7, 42, 123);

interface FakeBackend {
  name: string;
  address: string;
  state: BackendState;
  enabled: boolean;
  healthcheck: string | undefined;
  health: number;
  rise: number;
  fall: number;
  transitions: TransitionRecord[];
  lastProbe: ProbeResult | undefined;
  /** The agent check; absent without one. */
  agent?: AgentView;
}

const hc = (h: Partial<HealthCheck> & Pick<HealthCheck, 'name' | 'type'>): HealthCheck => ({
  port: 0,
  intervalMs: 2000,
  fastIntervalMs: 1000,
  downIntervalMs: 5000,
  timeoutMs: 1000,
  rise: 2,
  fall: 3,
  probeIpv4Src: undefined,
  probeIpv6Src: undefined,
  http: undefined,
  tcp: undefined,
  ...h,
});

function fixtureHealthChecks(): Map<string, HealthCheck> {
  return new Map(
    [
      hc({
        name: 'http-healthz',
        type: 'http',
        port: 80,
        http: {
          path: '/healthz',
          host: 'www.example.com',
          responseCodeMin: 200,
          responseCodeMax: 299,
          responseRegexp: undefined,
          serverName: undefined,
          insecureSkipVerify: false,
        },
      }),
      hc({ name: 'icmp', type: 'icmp', intervalMs: 1000, probeIpv4Src: '192.0.2.254' }),
      hc({ name: 'tcp-tls', type: 'tcp', port: 443, tcp: { ssl: true, serverName: 'example.com', insecureSkipVerify: true } }),
    ].map((h) => [h.name, h]),
  );
}

function fixtureFrontends(): Map<string, Frontend> {
  const web4: Frontend = {
    name: 'web4',
    address: '198.51.100.1',
    family: 4,
    protocol: 'tcp',
    port: 80,
    description: 'public web, IPv4',
    srcIpSticky: false,
    flushOnDown: true,
    panicThreshold: 0,
    pools: [
      { name: 'primary', members: [{ backend: 'nginx0-ams', weight: 100 }, { backend: 'nginx0-fra', weight: 100 }] },
      { name: 'fallback', members: [{ backend: 'nginx1-zrh', weight: 50 }] },
    ],
  };
  const web6: Frontend = {
    name: 'web6',
    address: '2001:db8::1',
    family: 6,
    protocol: 'any',
    port: 0,
    description: '',
    srcIpSticky: true,
    flushOnDown: false,
    panicThreshold: 0,
    pools: [{ name: 'main', members: [{ backend: 'nginx0-ams', weight: 10 }] }],
  };
  return new Map([
    ['web4', web4],
    ['web6', web6],
  ]);
}

function fixtureBackends(): Map<string, FakeBackend> {
  const b = (x: Partial<FakeBackend> & Pick<FakeBackend, 'name' | 'address' | 'state'>): FakeBackend => ({
    enabled: true,
    healthcheck: 'http-healthz',
    health: 0,
    rise: 2,
    fall: 3,
    transitions: [],
    lastProbe: undefined,
    ...x,
  });
  return new Map(
    [
      b({
        name: 'nginx0-ams',
        address: '192.0.2.10',
        state: 'up',
        health: 4,
        transitions: [{ from: 'unknown', to: 'up', at: T0 - 3_600_000, code: 'L7OK', detail: 'HTTP 200' }],
        lastProbe: { ok: true, layer: 'L7', code: 'L7OK', detail: 'HTTP 200', at: T0 - 1500, durationMs: 12.5 },
      }),
      b({
        name: 'nginx0-fra',
        address: '192.0.2.11',
        state: 'down',
        transitions: [
          { from: 'up', to: 'down', at: Date.UTC(2026, 3, 12, 14, 7, 39, 123), code: 'L4TOUT', detail: 'timeout after 1s during connect' },
          { from: 'unknown', to: 'up', at: Date.UTC(2026, 3, 12, 13, 2, 11, 4), code: 'L7OK', detail: 'HTTP 200' },
        ],
        lastProbe: { ok: false, layer: 'L4', code: 'L4TOUT', detail: 'timeout after 1s during connect', at: T0 - 4000, durationMs: 1000.4 },
      }),
      b({
        name: 'nginx1-zrh',
        address: '192.0.2.12',
        state: 'disabled',
        enabled: false,
        healthcheck: undefined,
        rise: 1,
        fall: 1,
        transitions: [{ from: 'unknown', to: 'disabled', at: T0 - 60_000, code: 'disabled', detail: '' }],
      }),
    ].map((x) => [x.name, x]),
  );
}

/** web4's VIP (198.51.100.1 tcp 80) as VPP would list it, with these in-use ASes and weights. */
export function web4Vip(weights: Readonly<Record<string, number>>, over: Partial<VppLbVipView> = {}): VppLbVipView {
  return {
    prefix: '198.51.100.1/32',
    protocol: 6,
    port: 80,
    encap: 'gre4',
    flowTableLength: 1024,
    srcIpSticky: false,
    index: 1,
    applicationServers: Object.entries(weights).map(([address, weight]) => ({ address, weight, flags: 1, numBuckets: 0, removedAt: undefined })),
    ...over,
  };
}

/** The lb state with one AS of the first VIP at another weight (what another host might hold). */
export function withAsWeight(lb: VppLbStateView, address: string, weight: number): VppLbStateView {
  const [first, ...rest] = lb.vips;
  if (first === undefined) return lb;
  const ases = first.applicationServers.map((a) => (a.address === address ? { ...a, weight } : a));
  return { ...lb, vips: [{ ...first, applicationServers: ases }, ...rest] };
}

export class FakeControlPlane implements ControlPlane {
  readonly frontends = fixtureFrontends();
  readonly backends = fixtureBackends();
  readonly healthchecks = fixtureHealthChecks();
  readonly overrides = new Map<string, number>();
  readonly calls: string[] = [];
  vpp: VppStatus = {
    state: 'connected',
    warmupComplete: true,
    info: {
      version: '26.06-release',
      buildDate: '2026-06-01T10:00:00',
      buildDirectory: '/w/vpp',
      pid: 4242,
      bootTime: T0 - 86_400_000,
      connectTime: T0 - 3_600_000,
    },
  };
  lbState: VppLbStateView = {
    conf: { ip4SrcAddress: '192.0.2.254', ip6SrcAddress: '2001:db8::fe', stickyBucketsPerCore: 65536, flowTimeoutS: 40 },
    vips: [
      {
        prefix: '198.51.100.1/32',
        protocol: 6,
        port: 80,
        encap: 'gre4',
        flowTableLength: 1024,
        srcIpSticky: false,
        index: 1,
        applicationServers: [
          { address: '192.0.2.10', weight: 100, flags: 1, numBuckets: 1024, removedAt: undefined },
          { address: '192.0.2.11', weight: 0, flags: 1, numBuckets: 0, removedAt: undefined },
          { address: '192.0.2.12', weight: 0, flags: 1, numBuckets: 0, removedAt: undefined },
        ],
      },
      {
        prefix: '2001:db8::1/128',
        protocol: 255,
        port: 0,
        encap: 'gre4',
        flowTableLength: 1024,
        srcIpSticky: true,
        index: 0,
        applicationServers: [{ address: '192.0.2.10', weight: 10, flags: 1, numBuckets: 1024, removedAt: undefined }],
      },
    ],
  };
  counters: VppLbCountersView = {
    scrapedAt: T0 - 2000,
    vips: [
      {
        prefix: '198.51.100.1/32',
        protocol: 6,
        port: 80,
        next: 1000,
        first: 10,
        untracked: 0,
        noServer: 2,
        fib: { packets: 1012, bytes: 123456789012n },
        frontend: 'web4',
        index: 1,
      },
      {
        prefix: '2001:db8::1/128',
        protocol: 255,
        port: 0,
        next: 5,
        first: 1,
        untracked: 3,
        noServer: 0,
        fib: undefined,
        frontend: 'web6',
        index: 0,
      },
    ],
  };
  /** Not this build's, so a client can tell the server's version from its own. */
  build: BuildVersion = { version: '9.8.7', commit: 'fedcba987654', date: '2026-04-12T14:07:42+00:00' };
  watchdog: ProbeWatchdogView = { lastProbeAt: T0 - 1500, probesDueSince: undefined, recentDiscards: {} };
  configResult: ConfigReloadResult = { ok: true, parseError: '', semanticError: '', reloadError: '' };
  /** When set, syncVppLbState and vppLbState reject with it. */
  vppError: DaemonError | undefined;
  readonly hub: WatchEventHub;

  constructor(opts: WatchHubOptions = {}) {
    this.hub = new WatchEventHub(opts);
  }

  listFrontends(): string[] {
    return [...this.frontends.keys()].sort();
  }

  readonly #stateOf: StateOf = (b) => this.backends.get(b)?.state;
  readonly #weightOf: WeightOf = (f, p, b) =>
    this.overrides.get(`${f}/${p}/${b}`) ?? this.frontends.get(f)?.pools.find((x) => x.name === p)?.members.find((m) => m.backend === b)?.weight ?? 0;

  /** The fixture as the typed Config the core reads. */
  config(): Config {
    const backends = new Map(
      [...this.backends.values()].map((b) => [b.name, { name: b.name, address: b.address, family: b.address.includes(':') ? 6 : 4, healthcheck: b.healthcheck, enabled: b.enabled } as const]),
    );
    const lb = { syncIntervalMs: 30_000, ipv4SrcAddress: '192.0.2.254', ipv6SrcAddress: undefined, stickyBucketsPerCore: 65536, flowTimeoutS: 40, startupMinDelayMs: 0, startupMaxDelayMs: 0 };
    return { healthchecker: { transitionHistory: 10, netns: '' }, vpp: { lb }, healthchecks: this.healthchecks, backends, frontends: this.frontends };
  }

  getFrontend(name: string): FrontendView {
    const fe = this.frontends.get(name);
    if (fe === undefined) throw notFound('frontend', name);
    const stateOf = this.#stateOf;
    const weightOf = this.#weightOf;
    // No tracked state here: the state is always the one the live weights give.
    const state = frontendState(frontendWeights(fe, stateOf, weightOf).members);
    return frontendView(fe, state, stateOf, weightOf, (b) => this.backends.get(b)?.transitions[0]?.at);
  }

  listBackends(): string[] {
    return [...this.backends.keys()].sort();
  }

  getBackend(name: string): BackendView {
    const b = this.backends.get(name);
    if (b === undefined) throw notFound('backend', name);
    const frontends = [...this.frontends.values()]
      .filter((f) => f.pools.some((p) => p.members.some((m) => m.backend === name)))
      .map((f) => f.name)
      .sort();
    return { ...b, agent: b.agent, transitions: [...b.transitions], frontends };
  }

  #backend(name: string): FakeBackend {
    const b = this.backends.get(name);
    if (b === undefined) throw notFound('backend', name);
    return b;
  }

  pauseBackend(name: string): Promise<BackendView> {
    return this.#act('pause', name, (b) => {
      if (b.state === 'disabled') throw new DaemonError('FAILED_PRECONDITION', `backend "${name}" is disabled`);
      if (b.state !== 'paused') this.transition(name, 'paused', 'paused');
    });
  }

  resumeBackend(name: string): Promise<BackendView> {
    return this.#act('resume', name, (b) => {
      if (b.state === 'disabled') throw new DaemonError('FAILED_PRECONDITION', `backend "${name}" is disabled`);
      if (b.state === 'paused') this.transition(name, 'unknown', 'resumed');
    });
  }

  enableBackend(name: string): Promise<BackendView> {
    return this.#act('enable', name, (b) => {
      b.enabled = true;
      if (b.state === 'disabled') this.transition(name, 'unknown', 'enabled');
    });
  }

  disableBackend(name: string): Promise<BackendView> {
    return this.#act('disable', name, (b) => {
      b.enabled = false;
      if (b.state !== 'disabled') this.transition(name, 'disabled', 'disabled');
    });
  }

  #act(what: string, name: string, fn: (b: FakeBackend) => void): Promise<BackendView> {
    this.calls.push(`${what} ${name}`);
    try {
      fn(this.#backend(name));
      return Promise.resolve(this.getBackend(name));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  listHealthChecks(): string[] {
    return [...this.healthchecks.keys()].sort();
  }

  getHealthCheck(name: string): HealthCheck {
    const h = this.healthchecks.get(name);
    if (h === undefined) throw notFound('health check', name);
    return h;
  }

  setFrontendPoolBackendWeight(c: WeightChange): Promise<FrontendView> {
    this.calls.push(`weight ${c.frontend} ${c.pool} ${c.backend} ${c.weight} ${c.flush}`);
    const fe = this.frontends.get(c.frontend);
    if (fe === undefined) return Promise.reject(notFound('frontend', c.frontend));
    const pool = fe.pools.find((p) => p.name === c.pool);
    if (pool === undefined) return Promise.reject(notFound('pool', c.pool, ['frontend', c.frontend]));
    if (!pool.members.some((m) => m.backend === c.backend)) {
      return Promise.reject(notFound('backend', c.backend, ['pool', c.pool]));
    }
    this.overrides.set(`${c.frontend}/${c.pool}/${c.backend}`, c.weight);
    return Promise.resolve(this.getFrontend(c.frontend));
  }

  watchEvents(opts: WatchSubscription): Subscription<ControlPlaneEvent> {
    return this.hub.subscribe(opts);
  }

  checkConfig(): Promise<ConfigCheckResult> {
    this.calls.push('check');
    const { ok, parseError, semanticError } = this.configResult;
    return Promise.resolve({ ok, parseError, semanticError });
  }

  reloadConfig(): Promise<ConfigReloadResult> {
    this.calls.push('reload');
    return Promise.resolve(this.configResult);
  }

  vppStatus(): VppStatus {
    return this.vpp;
  }

  #requireVpp(): void {
    if (this.vpp.state === 'disabled') throw new DaemonError('VPP_DISABLED', 'VPP integration is disabled');
    if (this.vpp.state === 'disconnected') throw new DaemonError('VPP_NOT_CONNECTED', 'VPP not connected');
  }

  async vppLbState(): Promise<VppLbStateView> {
    this.#requireVpp();
    if (this.vppError !== undefined) throw this.vppError;
    return Promise.resolve(this.lbState);
  }

  async syncVppLbState(frontend: string | undefined): Promise<void> {
    this.calls.push(`sync ${frontend ?? '*'}`);
    this.#requireVpp();
    if (frontend !== undefined && !this.frontends.has(frontend)) throw notFound('frontend', frontend);
    if (this.vppError !== undefined) throw this.vppError;
    return Promise.resolve();
  }

  vppLbCounters(): VppLbCountersView {
    this.#requireVpp();
    return this.counters;
  }

  probeWatchdog(): ProbeWatchdogView {
    return this.watchdog;
  }

  version(): BuildVersion {
    return this.build;
  }

  previewChange(change: PreviewRequestView, frontend: string | undefined): Promise<PreviewResultView> {
    this.calls.push(`preview ${change.kind}${frontend === undefined ? '' : ` ${frontend}`}`);
    const world: TableWorld = { config: this.config(), stateOf: this.#stateOf, weightOf: this.#weightOf };
    try {
      if (change.kind !== 'config') return Promise.resolve({ ok: true, preview: previewChange(world, change, frontend) });
      const load = parseConfig(change.text);
      if (!load.ok) {
        const text = load.errors.map((e) => e.message).join('\n');
        return Promise.resolve({ ok: false, parseError: load.stage === 'parse' ? text : '', semanticError: load.stage === 'semantic' ? text : '' });
      }
      return Promise.resolve({ ok: true, preview: previewChange(world, { kind: 'config', config: load.config }, frontend) });
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  async vppLbDigest(frontend: string | undefined, includeTable: boolean): Promise<VppVipDigestView[]> {
    return vipDigests(await this.vppLbState(), this.frontends.values(), frontend, includeTable);
  }

  // ---- test drivers ----

  /** Moves a backend to `to`, records the transition and emits its event, then the frontend transitions it caused. */
  transition(name: string, to: BackendState, code: ProbeCode | OperatorCode, detail = '', at = T0): void {
    const b = this.#backend(name);
    const before = this.#frontendStates();
    const rec: TransitionRecord = { from: b.state, to, at, code, detail };
    b.state = to;
    b.transitions.unshift(rec);
    this.emit({ kind: 'backend', backend: name, frontends: this.getBackend(name).frontends, transition: rec });
    for (const [fe, from] of before) {
      const now = this.getFrontend(fe).state;
      if (now !== from) this.emit({ kind: 'frontend', frontend: fe, from, to: now, at });
    }
  }

  /** A log record, offered to the hub only when some stream wants its level (as the real logger does). */
  log(level: LogLevel, msg: string, attrs: ReadonlyArray<readonly [string, string]> = [], at = T0): void {
    const wanted = this.hub.wantedLevel();
    if (wanted !== undefined && levelRank(level) >= levelRank(wanted)) this.hub.write({ at, level, msg, attrs });
  }

  emit(ev: CheckerEvent): void {
    this.hub.publish(ev);
  }

  #frontendStates(): Map<string, FrontendState> {
    return new Map(this.listFrontends().map((f) => [f, this.getFrontend(f).state]));
  }
}
