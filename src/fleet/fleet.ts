// The test fleet: thousands of probe-able backends on loopback in one process, for tests,
// benchmarks and the demo. Each backend is a 127.x.y.z address (or ::1) with its own listener
// per port: a socket bound to 127.0.0.1 accepts only 127.0.0.1, and binding 0.0.0.0 would expose
// the fleet on every interface, so one listener per (address, port) is the loopback-only way
// (measured: 10 000 listeners take ≈ 0.3 s and ≈ 40 MB) and lets a `down` backend truly refuse.
// In-process API here; the HTTP control endpoint (fleet-control.ts) serves other processes.

import net from 'node:net';
import tls from 'node:tls';
import { isLoopbackAddress } from './fleet-addresses.js';
import { FleetBackend, type BackendStats } from './fleet-backend.js';
import type { FleetBehaviour } from './fleet-behaviour.js';
import { fleetCertificatePem, fleetPrivateKeyPem } from './fleet-certificate.js';
import { startFleetControl, type FleetControl } from './fleet-control.js';
import { FleetAgents } from './fleet-agents.js';

export interface FleetOptions {
  /** Plain HTTP (and TCP) port of every backend; 0 → a free port chosen at start. */
  readonly httpPort: number;
  /** TLS port (https, tcp with ssl); 0 → a free port; undefined → no TLS listeners. */
  readonly httpsPort?: number;
  /** Backends to start with, all `up`. */
  readonly backends?: readonly string[];
  /** HTTP control endpoint on 127.0.0.1; 0 → a free port; undefined → none. */
  readonly controlPort?: number;
  /** Agent-check port of every backend (fleet-agents.ts); 0 → a free port; undefined → no agents. */
  readonly agentPort?: number;
}

export interface Fleet {
  readonly httpPort: number;
  readonly httpsPort: number | undefined;
  readonly controlPort: number | undefined;
  /** The agents' port; undefined when the fleet runs no agents. */
  readonly agentPort: number | undefined;
  /** Sets one backend's agent answer line (e.g. `drain`, `50%`); throws without agents or for an unknown address. */
  setAgentAnswer(address: string, answer: string): void;
  setAllAgentAnswers(answer: string): void;
  /** Every backend's agent answer (empty without agents). */
  agentAnswers(): Record<string, string>;
  /** Adds backends (default behaviour `up`); known addresses are left alone. */
  add(addresses: readonly string[], behaviour?: FleetBehaviour): Promise<void>;
  /** Switches one backend's behaviour; throws for an unknown address. */
  set(address: string, behaviour: FleetBehaviour): Promise<void>;
  setAll(behaviour: FleetBehaviour): Promise<void>;
  behaviour(address: string): FleetBehaviour | undefined;
  /** Connections the backend accepted since start or the last resetCounts (0 when unknown). */
  count(address: string): number;
  stats(address: string): BackendStats | undefined;
  /** Connections open right now on every backend (a leak check: 0 once every client is gone). */
  openConnections(): number;
  resetCounts(): void;
  addresses(): string[];
  close(): Promise<void>;
}

/** `n` distinct ports that are free on 127.0.0.1 right now. */
async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => net.createServer());
  await Promise.all(servers.map((s) => new Promise<void>((resolve, reject) => s.once('error', reject).listen({ host: '127.0.0.1', port: 0 }, resolve))));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

class LoopbackFleet implements Fleet {
  readonly httpPort: number;
  readonly httpsPort: number | undefined;
  #control: FleetControl | undefined;
  readonly #backends = new Map<string, FleetBackend>();
  readonly #tls: tls.SecureContext | undefined;
  readonly #agents: FleetAgents | undefined;

  constructor(httpPort: number, httpsPort: number | undefined, agentPort: number | undefined) {
    this.httpPort = httpPort;
    this.httpsPort = httpsPort;
    this.#agents = agentPort === undefined ? undefined : new FleetAgents(agentPort);
    this.#tls = httpsPort === undefined ? undefined : tls.createSecureContext({ key: fleetPrivateKeyPem, cert: fleetCertificatePem });
  }

  get controlPort(): number | undefined {
    return this.#control?.port;
  }

  get agentPort(): number | undefined {
    return this.#agents?.port;
  }

  setAgentAnswer(address: string, answer: string): void {
    if (this.#agents === undefined) throw new RangeError('the fleet runs no agents (no agentPort)');
    this.#agents.set(address, answer);
  }

  setAllAgentAnswers(answer: string): void {
    if (this.#agents === undefined) throw new RangeError('the fleet runs no agents (no agentPort)');
    this.#agents.setAll(answer);
  }

  agentAnswers(): Record<string, string> {
    return this.#agents?.answers() ?? {};
  }

  async startControl(port: number): Promise<void> {
    this.#control = await startFleetControl(this, port);
  }

  async add(addresses: readonly string[], behaviour: FleetBehaviour = { kind: 'up' }): Promise<void> {
    const fresh: FleetBackend[] = [];
    for (const a of addresses) {
      if (!isLoopbackAddress(a)) throw new RangeError(`fleet backends must be loopback addresses, not ${a}`);
      if (this.#backends.has(a)) continue;
      const b = new FleetBackend(a, { http: this.httpPort, https: this.httpsPort }, this.#tls);
      this.#backends.set(a, b);
      fresh.push(b);
    }
    await Promise.all(fresh.map((b) => b.set(behaviour)));
    const agents = this.#agents;
    if (agents !== undefined) await Promise.all(fresh.map((b) => agents.add(b.address)));
  }

  async set(address: string, behaviour: FleetBehaviour): Promise<void> {
    const b = this.#backends.get(address);
    if (b === undefined) throw new RangeError(`unknown fleet backend ${address}`);
    await b.set(behaviour);
  }

  async setAll(behaviour: FleetBehaviour): Promise<void> {
    await Promise.all([...this.#backends.values()].map((b) => b.set(behaviour)));
  }

  behaviour(address: string): FleetBehaviour | undefined {
    return this.#backends.get(address)?.behaviour;
  }

  count(address: string): number {
    return this.#backends.get(address)?.connections ?? 0;
  }

  stats(address: string): BackendStats | undefined {
    return this.#backends.get(address)?.stats();
  }

  openConnections(): number {
    let n = 0;
    for (const b of this.#backends.values()) n += b.open;
    return n;
  }

  resetCounts(): void {
    for (const b of this.#backends.values()) b.resetCounts();
  }

  addresses(): string[] {
    return [...this.#backends.keys()];
  }

  async close(): Promise<void> {
    await this.#control?.close();
    await this.#agents?.close();
    await Promise.all([...this.#backends.values()].map((b) => b.closeListeners()));
  }
}

/** Starts a fleet; the returned object owns every listener and socket until close(). */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const [freeHttp = 0, freeHttps = 0, freeAgent = 0] = await freePorts(3);
  const httpPort = opts.httpPort === 0 ? freeHttp : opts.httpPort;
  const httpsPort = opts.httpsPort === 0 ? freeHttps : opts.httpsPort;
  const agentPort = opts.agentPort === 0 ? freeAgent : opts.agentPort;
  const fleet = new LoopbackFleet(httpPort, httpsPort, agentPort);
  try {
    await fleet.add(opts.backends ?? []);
    if (opts.controlPort !== undefined) await fleet.startControl(opts.controlPort);
  } catch (e) {
    await fleet.close();
    throw e;
  }
  return fleet;
}
