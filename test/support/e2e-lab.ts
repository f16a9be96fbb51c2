// Test helper for the end-to-end scenarios: a VPP simulator in the test process (so the test can
// inspect its lb model and inject faults) with a log of every request it accepted, the BUILT
// maglevd as a child process pointed at it, a gRPC client, and a config builder. Configs are
// written as JSON, which is YAML. Everything started here is stopped at teardown.

import path from 'node:path';
import { MaglevClient } from '../../src/api/maglev-client.js';
import type { VipKey } from '../../src/shared/lb-vip.js';
import { encapByNumber, type MessageName } from '../../src/vpp/messages.js';
import { startVppSim, type SimRequest, type VppSim, type VppSimOptions } from '../../src/vpp/sim/vppsim.js';
import { spawnMaglevd, type LogLine, type MaglevdProcess, type MaglevdSpawnOptions } from './maglevd-process.js';
import { tempDir, type Teardown } from './vpp-sim-harness.js';
import { until } from './wait-for.js';

/** Requests that change VPP state. */
export const writeMessages: ReadonlySet<MessageName> = new Set<MessageName>([
  'lb_conf',
  'lb_add_del_vip',
  'lb_add_del_vip_v2',
  'lb_add_del_as',
  'lb_add_del_as_v2',
  'lb_as_set_weight',
  'lb_flush_vip',
]);

export interface SimLab {
  readonly sim: VppSim;
  readonly apiSocket: string;
  readonly statsSocket: string | undefined;
  /** Every request the simulator accepted, in arrival order. */
  readonly requests: SimRequest[];
  /** Requests from index `from` on that change VPP state. */
  writes(from?: number): SimRequest[];
  /** The in-use ASes of a live VIP, address → weight; undefined when the VIP is not live. */
  weights(vip: VipKey): Record<string, number> | undefined;
  /** True when the VIP's in-use ASes are exactly `want` (any order). */
  weightsAre(vip: VipKey, want: Record<string, number>): boolean;
  /** Polls until cond holds (default 10 s). */
  until(cond: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Starts another simulator on the same sockets (after sim.close(), e.g. a fixed VPP). */
  replaceSim(opts?: Partial<VppSimOptions>): Promise<VppSim>;
}

/** A simulator on fresh sockets under os.tmpdir(), with a stats segment unless `stats: false`. */
export async function startSimLab(t: Teardown, opts: Partial<VppSimOptions> & { readonly stats?: boolean } = {}): Promise<SimLab> {
  const { stats, ...simOpts } = opts;
  const dir = tempDir(t, 'e2e-');
  const apiSocket = path.join(dir, 'api.sock');
  const statsSocket = stats === false ? undefined : path.join(dir, 'stats.sock');
  const requests: SimRequest[] = [];
  const start = async (o: Partial<VppSimOptions>): Promise<VppSim> => {
    const sim = await startVppSim({ fillerMessages: 200, ...o, apiSocket, ...(statsSocket === undefined ? {} : { statsSocket }) });
    sim.onRequest((r) => requests.push(r));
    return sim;
  };
  let sim = await start(simOpts);
  t.teardown(() => sim.close());
  const weights = (vip: VipKey): Record<string, number> | undefined => {
    const v = sim.model.findVip(vip);
    if (v === undefined) return undefined;
    return Object.fromEntries(v.ases.filter((a) => a.used).map((a) => [a.address, a.weight]));
  };
  return {
    get sim() {
      return sim;
    },
    apiSocket,
    statsSocket,
    requests,
    writes: (from = 0) => requests.slice(from).filter((r) => writeMessages.has(r.name)),
    weights,
    weightsAre(vip, want) {
      const have = weights(vip);
      if (have === undefined || Object.keys(have).length !== Object.keys(want).length) return false;
      return Object.entries(want).every(([address, w]) => have[address] === w);
    },
    until: (cond, what, timeoutMs = 10_000) => until(cond, what, timeoutMs),
    async replaceSim(o = {}) {
      sim = await start({ ...simOpts, ...o });
      return sim;
    },
  };
}

export interface LabDaemon {
  readonly d: MaglevdProcess;
  readonly client: MaglevClient;
  /** Resolves with the first log line named msg (and matching attrs) seen since start. */
  log(msg: string, attrs?: Record<string, unknown>, timeoutMs?: number): Promise<LogLine>;
  /**
   * Resolves with the next log line named msg (and matching attrs) that arrives after this call:
   * call it before causing the event.
   */
  next(msg: string, attrs?: Record<string, unknown>, timeoutMs?: number): Promise<LogLine>;
  /** Log lines named msg so far. */
  logs(msg: string): LogLine[];
  /** GET /metrics. */
  metrics(): Promise<string>;
  /** SIGHUP: reload the config file. */
  reload(config?: string): void;
  /** True while the child runs. */
  alive(): boolean;
}

/** Spawns the built maglevd against the lab's simulator; stopped (and its client closed) at teardown. */
export async function spawnLabDaemon(t: Teardown, lab: SimLab, config: string, opts: Partial<MaglevdSpawnOptions> = {}): Promise<LabDaemon> {
  const d = await spawnMaglevd({
    config,
    vppApi: lab.apiSocket,
    ...(lab.statsSocket === undefined ? {} : { vppStats: lab.statsSocket }),
    ...opts,
  });
  const client = new MaglevClient(d.grpcAddr, { deadlineMs: 30_000 });
  t.teardown(async () => {
    client.close();
    await d.stop('SIGTERM');
  });
  const matches = (l: LogLine, msg: string, attrs: Record<string, unknown>): boolean =>
    l.msg === msg && Object.entries(attrs).every(([k, v]) => l[k] === v);
  return {
    d,
    client,
    log: (msg, attrs = {}, timeoutMs = 10_000) => d.waitForLog((l) => matches(l, msg, attrs), timeoutMs),
    next(msg, attrs = {}, timeoutMs = 10_000) {
      const before = d.logs.filter((l) => matches(l, msg, attrs)).length;
      return d.waitForLog((l) => matches(l, msg, attrs) && d.logs.filter((x) => matches(x, msg, attrs)).length > before, timeoutMs);
    },
    logs: (msg) => d.logs.filter((l) => l.msg === msg),
    metrics: async () => (await fetch(`http://${d.metricsAddr}/metrics`)).text(),
    reload(text) {
      if (text !== undefined) d.writeConfig(text);
      d.child.kill('SIGHUP');
    },
    alive: () => d.child.exitCode === null && d.child.signalCode === null,
  };
}

export interface LabBackend {
  readonly address: string;
  /** No health check: always up. */
  readonly static?: boolean;
  readonly enabled?: boolean;
}

export interface LabFrontend {
  readonly address: string;
  readonly protocol?: 'tcp' | 'udp';
  readonly port?: number;
  readonly srcIpSticky?: boolean;
  readonly flushOnDown?: boolean;
  readonly panicThreshold?: number;
  /** In priority order: pool name → backend name → weight. */
  readonly pools: ReadonlyArray<readonly [string, Record<string, number>]>;
}

export interface LabConfigSpec {
  /** Port of the http health check; every non-static backend uses it. */
  readonly checkPort?: number;
  /** Overrides of maglev.vpp.lb (defaults: sync-interval 30s, warmup 0s/1s). */
  readonly lb?: Record<string, string | number>;
  readonly backends: Record<string, string | LabBackend>;
  readonly frontends: Record<string, LabFrontend>;
  /** Slow start of the http health check, e.g. { 'slow-start': '4s', 'slow-start-steps': 4 }. */
  readonly slowStart?: Record<string, string | number>;
  /** The http health check's agent block, e.g. { port: 9999, interval: '200ms' }. */
  readonly agent?: Record<string, string | number>;
}

/** The config text (JSON is YAML): fast http checks (200ms/100ms, timeout 300ms, rise 2, fall 2). */
export function labConfig(spec: LabConfigSpec): string {
  const backends: Record<string, object> = {};
  for (const [name, b] of Object.entries(spec.backends)) {
    const o = typeof b === 'string' ? { address: b } : b;
    backends[name] = {
      address: o.address,
      ...(o.static === true || spec.checkPort === undefined ? {} : { healthcheck: 'http' }),
      ...(o.enabled === undefined ? {} : { enabled: o.enabled }),
    };
  }
  const frontends: Record<string, object> = {};
  for (const [name, f] of Object.entries(spec.frontends)) {
    frontends[name] = {
      address: f.address,
      ...(f.protocol === undefined ? {} : { protocol: f.protocol, port: f.port }),
      ...(f.srcIpSticky === undefined ? {} : { 'src-ip-sticky': f.srcIpSticky }),
      ...(f.flushOnDown === undefined ? {} : { 'flush-on-down': f.flushOnDown }),
      ...(f.panicThreshold === undefined ? {} : { 'panic-threshold': f.panicThreshold }),
      pools: f.pools.map(([pool, members]) => ({
        name: pool,
        backends: Object.fromEntries(Object.entries(members).map(([b, weight]) => [b, { weight }])),
      })),
    };
  }
  const doc = {
    maglev: {
      vpp: {
        lb: { 'sync-interval': '30s', 'ipv4-src-address': '192.0.2.254', 'startup-min-delay': '0s', 'startup-max-delay': '1s', ...spec.lb },
      },
      ...(spec.checkPort === undefined
        ? {}
        : {
            healthchecks: {
              http: {
                type: 'http',
                port: spec.checkPort,
                interval: '200ms',
                'fast-interval': '100ms',
                'down-interval': '200ms',
                timeout: '1s',
                rise: 2,
                fall: 3,
                ...spec.slowStart,
                ...(spec.agent === undefined ? {} : { agent: spec.agent }),
              },
            },
          }),
      backends,
      frontends,
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * A write request as one line, for order assertions: `vip+ 192.0.2.1/32 6 80 gre4 sticky=false`,
 * `as+ 192.0.2.1/32 6 80 10.0.0.2 w=100 flush=false`, `weight … w=0 flush=true`, `conf 192.0.2.254`.
 */
export function describeWrite(r: SimRequest): string {
  const b = r.body as Record<string, string | number | boolean>;
  const vip = `${b.pfx} ${b.protocol} ${b.port}`;
  switch (r.name) {
    case 'lb_conf':
      return `conf ${b.ip4_src_address}`;
    case 'lb_add_del_vip_v2':
      return b.is_del ? `vip- ${vip}` : `vip+ ${vip} ${encapByNumber[b.encap as number]} sticky=${b.src_ip_sticky}`;
    case 'lb_add_del_as_v2':
      return b.is_del ? `as- ${vip} ${b.as_address} flush=${b.is_flush}` : `as+ ${vip} ${b.as_address} w=${b.weight} flush=${b.is_flush}`;
    case 'lb_as_set_weight':
      return `weight ${vip} ${b.as_address} w=${b.weight} flush=${b.is_flush}`;
    default:
      return r.name;
  }
}

/** The value of the first sample of `name` whose labels include `labels`, or undefined. */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter((p) => p !== '');
    if (want.split(',').filter((p) => p !== '').every((p) => have.includes(p))) return Number(m[3]);
  }
  return undefined;
}
