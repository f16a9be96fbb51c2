// The VPP simulator as one object: the api.sock server over an lb model, plus (when a stats
// socket is given) a stats segment publisher kept in step with the model's counters,
// /sys/boottime and /net/route/to. Test hooks: drop connections, stall replies, restart empty
// (new model, pid and boottime, as a VPP restart loses all lb state), a traffic knob, request
// observers (to see what a client wrote, in order) and injected faults (error retvals, drops).
// With `forward`, it also carries TCP traffic to loopback VIPs (forwarder.ts).

import { createRealClock, type Clock } from '../../shared/clock.js';
import type { MessageName } from '../messages.js';
import { ApiServer, type InterceptResult } from './api-server.js';
import { Forwarder, type ForwardOptions } from './forwarder.js';
import type { SimRuntime, SimVersion } from './api-handlers.js';
import { LbModel, type TrafficArgs, type TrafficResult } from './lb-model.js';
import { SimFaults, type SimFault } from './sim-faults.js';
import { startStatsPublisher, type StatsPublisher } from './stats-publisher.js';

/** The part of StatsPublisher the simulator drives (a seam, so tests can inject a fake). */
export type SimStatsPublisher = Pick<StatsPublisher, 'setSimple' | 'addCombined' | 'setScalar' | 'close'>;

/** One request the simulator accepted, as decoded in wire form (IPv4 addresses stay IPv4). */
export interface SimRequest {
  readonly name: MessageName;
  readonly body: Readonly<Record<string, unknown>>;
  /** Clock ms when it arrived. */
  readonly at: number;
  /** Set when an injected fault answered it instead of the model. */
  readonly fault?: 'retval' | 'drop';
}

export type { SimFault } from './sim-faults.js';

export type StatsPublisherFactory = (opts: { socketPath: string; threads: number }) => Promise<SimStatsPublisher>;

export interface VppSimOptions {
  readonly apiSocket: string;
  /** Serve a stats segment here too. */
  readonly statsSocket?: string;
  readonly msgIdBase?: number;
  readonly omitMessages?: readonly MessageName[];
  readonly crcOverrides?: Partial<Record<MessageName, string>>;
  readonly fillerMessages?: number;
  readonly clock?: Clock;
  /** Threads including main (default 1). */
  readonly threads?: number;
  /** VPP's pid (default 4242); each restart adds 1. */
  readonly pid?: number;
  readonly version?: Partial<SimVersion>;
  /** Run the model's 60 s background GC (default true). */
  readonly backgroundGc?: boolean;
  /** How to build the stats publisher (default: stats-publisher.ts's startStatsPublisher). */
  readonly statsPublisher?: StatsPublisherFactory;
  /** Relay TCP connections to loopback VIPs to their ASes (off by default). */
  readonly forward?: Omit<ForwardOptions, 'onCounted'>;
}

export interface VppSim {
  /** The current lb model (a new one after restartEmpty). */
  readonly model: LbModel;
  readonly pid: number;
  /** VPP's boot time, unix seconds (/sys/boottime). */
  readonly bootTimeS: number;
  readonly api: ApiServer;
  /** The forwarding mode's listeners and relays (undefined unless started with `forward`). */
  readonly forwarder: Forwarder | undefined;
  dropConnections(): void;
  stallReplies(delayMs?: number): void;
  resumeReplies(): void;
  /** A VPP restart: connections dropped, all lb state lost, new pid and boottime, new stats segment. */
  restartEmpty(): Promise<void>;
  simulateTraffic(args: TrafficArgs): TrafficResult;
  /** Calls fn for every accepted request (sockclnt_create excepted), before it is handled. Returns an unsubscribe. */
  onRequest(fn: (r: SimRequest) => void): () => void;
  /** Arms a fault for matching requests (see sim-faults.ts). */
  injectFault(fault: SimFault): void;
  clearFaults(): void;
  /** Pushes the model's counters into the stats segment (done after every request and traffic call). */
  syncStats(): void;
  close(): Promise<void>;
}

export const defaultSimVersion: SimVersion = {
  version: '26.10-rc0~42-g1a2b3c4d5',
  buildDate: '2026-05-01T10:00:00',
  buildDirectory: '/home/vpp/build-root',
};

const lbCounterNames = [
  ['packet from existing sessions', 'next'],
  ['first session packet', 'first'],
  ['untracked packet', 'untracked'],
  ['no server configured', 'noServer'],
] as const;

class VppSimulator implements VppSim {
  readonly #opts: VppSimOptions;
  readonly #clock: Clock;
  readonly #threads: number;
  #rt: SimRuntime & { bootTimeS: number };
  #api: ApiServer | undefined;
  #stats: SimStatsPublisher | undefined;
  readonly #faults = new SimFaults();
  readonly #observers = new Set<(r: SimRequest) => void>();
  /** /net/route/to values already pushed (the publisher only adds). */
  #pushedRoutes = new Map<number, { packets: number[]; bytes: number[] }>();
  /** The counters last pushed (their object and version): unchanged ones are not pushed again after every request. */
  #pushed: { counters: LbModel['stats']; version: number } | undefined;
  readonly #forwarder: Forwarder | undefined;
  #statsQueued: NodeJS.Immediate | undefined;

  constructor(opts: VppSimOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? createRealClock();
    this.#threads = Math.max(1, opts.threads ?? 1);
    this.#rt = this.#freshRuntime(opts.pid ?? 4242, 0);
    // Relayed packets move counters one at a time: publish them once per turn of the event loop.
    this.#forwarder = opts.forward === undefined ? undefined : new Forwarder({ ...opts.forward, onCounted: () => this.#queueStats() });
  }

  #queueStats(): void {
    this.#statsQueued ??= setImmediate(() => {
      this.#statsQueued = undefined;
      this.syncStats();
    });
  }

  #freshRuntime(pid: number, lbBase: number): SimRuntime & { bootTimeS: number } {
    const model = new LbModel({ clock: this.#clock, threads: this.#threads, backgroundGc: this.#opts.backgroundGc });
    return { model, pid, version: { ...defaultSimVersion, ...this.#opts.version }, lbBase, bootTimeS: Math.floor(this.#clock.now() / 1000) };
  }

  async start(): Promise<void> {
    this.#api = await ApiServer.start({
      socketPath: this.#opts.apiSocket,
      runtime: () => this.#rt,
      msgIdBase: this.#opts.msgIdBase,
      omitMessages: this.#opts.omitMessages,
      crcOverrides: this.#opts.crcOverrides,
      fillerMessages: this.#opts.fillerMessages,
      afterRequest: () => this.syncStats(),
      intercept: (name, body) => this.#intercept(name, body),
    });
    this.#rt = { ...this.#rt, lbBase: this.#api.messageIds.get('lb_conf')! };
    await this.#startStats();
    this.#forwarder?.attach(this.#rt.model);
  }

  #intercept(name: MessageName, body: Record<string, unknown>): InterceptResult | undefined {
    const action = this.#faults.take(name, body);
    const r: SimRequest = { name, body, at: this.#clock.now(), ...(action === undefined ? {} : { fault: action.kind }) };
    for (const fn of [...this.#observers]) fn(r);
    if (action === undefined) return undefined;
    if (action.kind === 'drop') return 'drop';
    return { replies: [{ name: action.reply, body: { retval: action.retval } }] };
  }

  onRequest(fn: (r: SimRequest) => void): () => void {
    this.#observers.add(fn);
    return () => this.#observers.delete(fn);
  }

  injectFault(fault: SimFault): void {
    this.#faults.add(fault);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  async #startStats(): Promise<void> {
    if (this.#opts.statsSocket === undefined) return;
    const factory = this.#opts.statsPublisher ?? startStatsPublisher;
    this.#stats = await factory({ socketPath: this.#opts.statsSocket, threads: this.#threads });
    this.#pushedRoutes = new Map();
    this.syncStats();
  }

  get model(): LbModel {
    return this.#rt.model;
  }

  get pid(): number {
    return this.#rt.pid;
  }

  get bootTimeS(): number {
    return this.#rt.bootTimeS;
  }

  get forwarder(): Forwarder | undefined {
    return this.#forwarder;
  }

  get api(): ApiServer {
    if (this.#api === undefined) throw new Error('simulator not started');
    return this.#api;
  }

  dropConnections(): void {
    this.api.dropConnections();
  }

  stallReplies(delayMs?: number): void {
    this.api.stallReplies(delayMs);
  }

  resumeReplies(): void {
    this.api.resumeReplies();
  }

  async restartEmpty(): Promise<void> {
    this.api.dropConnections();
    this.#rt.model.dispose();
    this.#rt = this.#freshRuntime(this.#rt.pid + 1, this.#rt.lbBase);
    this.#forwarder?.attach(this.#rt.model);
    if (this.#stats !== undefined) {
      await this.#stats.close();
      this.#stats = undefined;
      await this.#startStats();
    }
  }

  simulateTraffic(args: TrafficArgs): TrafficResult {
    const r = this.#rt.model.simulateTraffic(args);
    this.syncStats();
    return r;
  }

  syncStats(): void {
    const s = this.#stats;
    if (s === undefined) return;
    const m = this.#rt.model;
    s.setScalar('/sys/boottime', this.#rt.bootTimeS);
    if (this.#pushed?.counters === m.stats && this.#pushed.version === m.stats.version) return;
    this.#pushed = { counters: m.stats, version: m.stats.version };
    // The lb counters appear with the first VIP, as in VPP.
    if (m.stats.created) {
      for (const index of m.stats.vipIndices()) {
        m.stats.vip(index).forEach((c, thread) => {
          for (const [name, key] of lbCounterNames) s.setSimple(name, index, thread, BigInt(c[key]));
        });
      }
    }
    for (const [statsIndex, rc] of m.stats.routeCounters()) {
      let pushed = this.#pushedRoutes.get(statsIndex);
      const fresh = pushed === undefined;
      pushed ??= { packets: new Array<number>(this.#threads).fill(0), bytes: new Array<number>(this.#threads).fill(0) };
      this.#pushedRoutes.set(statsIndex, pushed);
      for (let t = 0; t < this.#threads; t++) {
        const dp = (rc.packets[t] ?? 0) - pushed.packets[t]!;
        const db = (rc.bytes[t] ?? 0) - pushed.bytes[t]!;
        if (fresh || dp !== 0 || db !== 0) s.addCombined('/net/route/to', statsIndex, t, BigInt(dp), BigInt(db));
        pushed.packets[t] = rc.packets[t] ?? 0;
        pushed.bytes[t] = rc.bytes[t] ?? 0;
      }
    }
  }

  async close(): Promise<void> {
    this.#rt.model.dispose();
    if (this.#statsQueued !== undefined) clearImmediate(this.#statsQueued);
    this.#statsQueued = undefined;
    await this.#forwarder?.close();
    await this.#api?.close();
    await this.#stats?.close();
    this.#stats = undefined;
  }
}

/** Starts a simulator listening on apiSocket (and statsSocket when given). */
export async function startVppSim(opts: VppSimOptions): Promise<VppSim> {
  const sim = new VppSimulator(opts);
  try {
    await sim.start();
  } catch (e) {
    await sim.close();
    throw e;
  }
  return sim;
}
