// Test helper for traffic through the simulator's forwarding mode: line backends on loopback
// addresses (one port for all, as a health check has one port) that answer every line with
// "<their address> <line>", so a client sees which AS served it, over connections that stay
// open; a line client that asks over one connection and reports how it ended; and a lab of
// both with the simulator forwarding and maglevd health-checking the backends over TCP (they
// do not speak HTTP).

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { labConfig, spawnLabDaemon, startSimLab, type LabConfigSpec, type LabDaemon, type SimLab } from './e2e-lab.js';
import type { Teardown } from './vpp-sim-harness.js';

export interface LineBackends {
  /** The port every backend listens on. */
  readonly port: number;
  /** Stops accepting (connections are refused); with `drop`, open connections are destroyed too. */
  stop(address: string, drop?: boolean): Promise<void>;
  /** Accepts again. */
  start(address: string): Promise<void>;
  /** Connections open at this backend now. */
  open(address: string): number;
}

interface Backend {
  server: net.Server | undefined;
  readonly sockets: Set<net.Socket>;
}

function serve(address: string, sockets: Set<net.Socket>): net.Server {
  return net.createServer((s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    s.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        s.write(`${address} ${buf.slice(0, nl)}\n`);
        buf = buf.slice(nl + 1);
      }
    });
    s.on('end', () => s.end());
  });
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** One backend per address on one port (the first picks a free one); all closed at teardown. */
export async function startLineBackends(t: Teardown, addresses: readonly string[]): Promise<LineBackends> {
  const backends = new Map<string, Backend>();
  let port = 0;
  const start = async (address: string): Promise<void> => {
    const b = backends.get(address) ?? { server: undefined, sockets: new Set<net.Socket>() };
    backends.set(address, b);
    if (b.server !== undefined) return;
    b.server = serve(address, b.sockets);
    port = await listen(b.server, address, port);
  };
  const stop = async (address: string, drop = false): Promise<void> => {
    const b = backends.get(address);
    if (b === undefined) throw new Error(`no backend ${address}`);
    const server = b.server;
    b.server = undefined;
    // close() stops accepting at once; its callback waits for the open connections to end.
    const closed = server === undefined ? undefined : new Promise<void>((resolve) => server.close(() => resolve()));
    if (!drop) return;
    for (const s of b.sockets) s.destroy();
    await closed;
  };
  t.teardown(() => Promise.all([...backends.keys()].map((a) => stop(a, true))));
  for (const a of addresses) await start(a);
  return { port, stop, start, open: (a) => backends.get(a)?.sockets.size ?? 0 };
}

export interface LineClient {
  readonly socket: net.Socket;
  /** Sends a line and resolves with the answer line; rejects with the error code if the connection ends first. */
  ask(line: string): Promise<string>;
  /** Resolves when the connection is gone: with the error code (ECONNRESET for a RST), or 'closed'. */
  readonly ended: Promise<string>;
}

/** Connects (from `localAddress` when given); resolves once connected, or once the connection is gone. */
export async function lineClient(t: Teardown, host: string, port: number, localAddress?: string): Promise<LineClient> {
  const socket = net.connect({ host, port, ...(localAddress === undefined ? {} : { localAddress }) });
  t.teardown(() => socket.destroy());
  let error: string | undefined;
  const ended = new Promise<string>((resolve) => {
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.once('close', () => resolve(error ?? 'closed'));
  });
  // A connection the far side resets at once may report the reset before 'connect': callers
  // that expect that look at `ended`.
  await Promise.race([new Promise((resolve) => socket.once('connect', resolve)), ended]);
  let buf = '';
  const waiting: Array<(line: string) => void> = [];
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      waiting.shift()?.(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  return {
    socket,
    ended,
    ask: (line) =>
      new Promise<string>((resolve, reject) => {
        waiting.push(resolve);
        void ended.then((why) => reject(new Error(why)));
        socket.write(`${line}\n`);
      }),
  };
}

/** The address in an answer line. */
export function servedBy(answer: string): string {
  return answer.split(' ')[0] ?? '';
}

/**
 * Opens connections to host:port until one is served by each of `want` (new flows spread by
 * hash, so this takes a few tries); the others are closed. Throws after 64 tries.
 */
export async function clientsOn(t: Teardown, host: string, port: number, want: readonly string[]): Promise<Map<string, LineClient>> {
  const out = new Map<string, LineClient>();
  for (let i = 0; i < 64 && out.size < want.length; i++) {
    const c = await lineClient(t, host, port);
    const by = servedBy(await c.ask(`hello ${i}`));
    if (want.includes(by) && !out.has(by)) out.set(by, c);
    else c.socket.end();
  }
  if (out.size < want.length) throw new Error(`no connection to ${host}:${port} landed on each of ${want.join(', ')}`);
  return out;
}

/** labConfig with TCP connect checks on checkPort instead of HTTP ones, for line backends. */
function lineLabConfig(spec: LabConfigSpec): string {
  const doc = JSON.parse(labConfig(spec)) as { maglev: { healthchecks?: { http: Record<string, unknown> } } };
  if (doc.maglev.healthchecks !== undefined) doc.maglev.healthchecks.http.type = 'tcp';
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export interface TrafficLab {
  readonly lab: SimLab;
  readonly backends: LineBackends;
  readonly m: LabDaemon;
  /** The backends' port, also the VIP's. */
  readonly port: number;
  readonly web: { readonly prefix: string; readonly protocol: number; readonly port: number };
}

/**
 * A forwarding simulator, line backends a and b, and the built maglevd with one TCP VIP (the
 * frontend `web`, backends named `a` and `b` at weight 100) on their port; resolves once both
 * ASes are programmed and the VIP listens. Sticky entries do not idle out during a test.
 */
export async function startTrafficLab(t: Teardown, a: string, b: string, vipAddress: string): Promise<TrafficLab> {
  const lab = await startSimLab(t, { forward: {} });
  const backends = await startLineBackends(t, [a, b]);
  const port = backends.port;
  const web = { prefix: `${vipAddress}/32`, protocol: 6, port };
  const config = lineLabConfig({
    checkPort: port,
    lb: { 'flow-timeout': '120s' },
    backends: { a, b },
    frontends: { web: { address: vipAddress, protocol: 'tcp', port, pools: [['primary', { a: 100, b: 100 }]] } },
  });
  const m = await spawnLabDaemon(t, lab, config);
  await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100 }), 'both backends in');
  await lab.until(() => lab.sim.forwarder?.listeners()[0]?.status === 'listening', 'the VIP listener');
  return { lab, backends, m, port, web };
}
