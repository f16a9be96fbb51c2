// The simulator's opt-in forwarding mode: it listens on every live TCP VIP whose address is a
// loopback host address (127.0.0.0/8 or ::1, a /32 or /128 VIP) on the VIP's port, and on a
// configured list of ports for all-port VIPs, and relays each connection (tcp-relay.ts) to the
// AS the lb node picks (lb-dataplane.ts), so the lb counters and route counters count real
// traffic. The listeners follow the model: a VIP added opens one, a VIP deleted closes it. The
// AS port is the VIP's (GRE keeps the destination port) unless mapped (a loopback fleet
// cannot listen on the VIP's port at its own address when that port needs privileges).
// GRE encapsulation itself, UDP and non-loopback VIPs are not simulated.

import net from 'node:net';
import { ipFamily } from '../../shared/ip-address.js';
import { LbDataplane } from './lb-dataplane.js';
import { vipPrefix, type LbModel } from './lb-model.js';
import { relayEnds, TcpRelay, type RelayEnd, type RelayTarget } from './tcp-relay.js';

export interface ForwardOptions {
  /** Ports to listen on for all-port VIPs (a VIP taking every port cannot be listened on whole). */
  readonly allPortPorts?: readonly number[];
  /** VIP port → the port the AS serves it on (default: the VIP's port, as GRE keeps it). */
  readonly asPorts?: ReadonlyMap<number, number>;
  /** One line per listener opened, closed or refused. */
  readonly log?: (line: string) => void;
  /** Called whenever packets moved the counters (to publish them). */
  readonly onCounted?: () => void;
}

export type ListenerStatus = 'opening' | 'listening' | 'failed';

export interface ListenerState {
  readonly address: string;
  readonly port: number;
  readonly status: ListenerStatus;
  /** Why listening failed (an errno code such as EACCES). */
  readonly error?: string;
}

interface Listener {
  readonly address: string;
  readonly port: number;
  readonly server: net.Server;
  status: ListenerStatus;
  error?: string;
  /** Settles when listen() succeeded or failed. */
  readonly opened: Promise<void>;
}

/** IPv4 + TCP headers without options (IPv6: 40 + 20), added to each packet's payload for the route counter. */
const headerBytes = { 4: 40, 6: 60 } as const;
/** Segment sizes of a client on a 1500-byte MTU link. */
const mssBytes = { 4: 1460, 6: 1440 } as const;

function isLoopback(address: string): boolean {
  return (ipFamily(address) === 4 && address.startsWith('127.')) || address === '::1';
}

function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Strips the IPv4-mapped prefix a dual-stack socket may report. */
function plainAddress(a: string): string {
  return a.startsWith('::ffff:') && ipFamily(a.slice(7)) === 4 ? a.slice(7) : a;
}

export class Forwarder {
  readonly #opts: ForwardOptions;
  #model: LbModel | undefined;
  #dataplane: LbDataplane | undefined;
  readonly #listeners = new Map<string, Listener>();
  /** Listeners being closed, by key: a new listener on the key waits for its predecessor. */
  readonly #closing = new Map<string, Promise<void>>();
  readonly #relays = new Set<TcpRelay>();
  readonly #ends = new Map<RelayEnd, number>(relayEnds.map((e) => [e, 0]));
  /** VIPs already reported as not forwarded. */
  readonly #skipped = new Set<string>();
  #closed = false;

  constructor(opts: ForwardOptions = {}) {
    this.#opts = opts;
  }

  /** Forwards for this model from now on (a new one after a simulated VPP restart, with empty sticky tables). */
  attach(model: LbModel): void {
    this.#dataplane?.detach();
    this.#model = model;
    this.#dataplane = new LbDataplane(model, { onCounted: this.#opts.onCounted, onVipsChanged: () => this.#reconcile() });
    this.#reconcile();
  }

  /** The lb node of the attached model. */
  get dataplane(): LbDataplane | undefined {
    return this.#dataplane;
  }

  listeners(): ListenerState[] {
    return [...this.#listeners.values()].map((l) => ({ address: l.address, port: l.port, status: l.status, ...(l.error === undefined ? {} : { error: l.error }) }));
  }

  /** Resolves once every listener being opened or closed is done. */
  async settled(): Promise<void> {
    await Promise.all([...[...this.#listeners.values()].map((l) => l.opened), ...this.#closing.values()]);
  }

  /** Relays open now, and how the others ended. */
  stats(): { open: number; ends: Record<RelayEnd, number> } {
    return { open: this.#relays.size, ends: Object.fromEntries(this.#ends) as Record<RelayEnd, number> };
  }

  /** Closes every listener and resets every relayed connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#dataplane?.detach();
    for (const r of [...this.#relays]) r.abort();
    for (const key of [...this.#listeners.keys()]) this.#stopListening(key);
    await this.settled();
  }

  /** Listeners wanted by the live VIPs: "address|port" → [address, port]. */
  #wanted(): Map<string, [string, number]> {
    const out = new Map<string, [string, number]>();
    for (const vip of this.#model?.liveVips() ?? []) {
      const [address = ''] = vipPrefix(vip).split('/');
      const label = `${vipPrefix(vip)} ${vip.protocol}/${vip.port}`;
      const skip = (why: string): void => {
        if (this.#skipped.has(label)) return;
        this.#skipped.add(label);
        this.#opts.log?.(`not forwarding VIP ${label}: ${why}`);
      };
      if (vip.plen !== 128) skip('not a host prefix');
      else if (!isLoopback(address)) skip('not a loopback address');
      else if (vip.protocol === 6) out.set(`${address}|${vip.port}`, [address, vip.port]);
      else if (vip.protocol === 255) for (const p of this.#opts.allPortPorts ?? []) out.set(`${address}|${p}`, [address, p]);
      else skip('only TCP is forwarded');
    }
    return out;
  }

  #reconcile(): void {
    if (this.#closed) return;
    const wanted = this.#wanted();
    for (const key of [...this.#listeners.keys()]) if (!wanted.has(key)) this.#stopListening(key);
    for (const [key, [address, port]] of wanted) if (!this.#listeners.has(key)) this.#listen(key, address, port);
  }

  #asPort(vipPort: number): number {
    return this.#opts.asPorts?.get(vipPort) ?? vipPort;
  }

  #listen(key: string, address: string, port: number): void {
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (s) => this.#accept(s));
    const where = hostPort(address, port);
    const opened = new Promise<void>((resolve) => {
      server.once('listening', () => {
        l.status = 'listening';
        const asPort = this.#asPort(port);
        this.#opts.log?.(`forwarding ${where}${asPort === port ? '' : ` to AS port ${asPort}`}`);
        resolve();
      });
      server.once('error', (e: NodeJS.ErrnoException) => {
        l.status = 'failed';
        l.error = e.code ?? e.message;
        const hint = e.code === 'EACCES' && port < 1024 ? ' (ports below 1024 need root, CAP_NET_BIND_SERVICE or a lower net.ipv4.ip_unprivileged_port_start)' : '';
        this.#opts.log?.(`cannot forward ${where}: listen ${l.error}${hint}`);
        resolve();
      });
    });
    const l: Listener = { address, port, server, status: 'opening', opened };
    this.#listeners.set(key, l);
    void (this.#closing.get(key) ?? Promise.resolve()).then(() => server.listen({ host: address, port }));
  }

  #stopListening(key: string): void {
    const l = this.#listeners.get(key);
    if (l === undefined) return;
    this.#listeners.delete(key);
    // close() stops accepting at once; connections already relayed go on (the server's close
    // callback would wait for them).
    const done = l.opened.then(() => {
      if (l.status !== 'listening') return;
      l.server.close();
      this.#opts.log?.(`stopped forwarding ${hostPort(l.address, l.port)}`);
    });
    this.#closing.set(key, done);
    void done.then(() => {
      if (this.#closing.get(key) === done) this.#closing.delete(key);
    });
  }

  #accept(client: net.Socket): void {
    const { remoteAddress, remotePort, localAddress, localPort } = client;
    if (this.#closed || remoteAddress === undefined || remotePort === undefined || localAddress === undefined || localPort === undefined) {
      client.destroy();
      return;
    }
    const src = plainAddress(remoteAddress);
    const dst = plainAddress(localAddress);
    const family = ipFamily(dst) === 6 ? 6 : 4;
    const tuple = { src, srcPort: remotePort, dst, dstPort: localPort };
    const route = (payload: number): RelayTarget | undefined => {
      const as = this.#dataplane?.packet({ ...tuple, bytes: headerBytes[family] + payload })?.as;
      return as === undefined ? undefined : { address: as.address, port: this.#asPort(localPort) };
    };
    const relay = new TcpRelay(client, {
      route,
      mss: mssBytes[family],
      onEnd: (end) => {
        this.#relays.delete(relay);
        this.#ends.set(end, (this.#ends.get(end) ?? 0) + 1);
      },
    });
    this.#relays.add(relay);
    relay.start();
  }
}
