// One fleet backend: a loopback address with its own listeners (plain HTTP port, optional TLS
// port), its current behaviour, and counters of what probes did to it. Listeners exist only
// while the behaviour is not `down`, so a down backend refuses connections for real.
// Fault behaviours act where they belong: at accept (reset, silent), in the TLS handshake
// (tls-stall, certificate) or in the answer (half-open, trickle, streamed bodies).

import net from 'node:net';
import tls, { type SecureContext } from 'node:tls';
import { responseBytes, type FleetBehaviour } from './fleet-behaviour.js';
import { faultSecureContext } from './fleet-fault-certificates.js';
import { streamedBody, writeStreamed } from './fleet-streamed-body.js';

export interface FleetRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case names; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface BackendStats {
  /** Connections accepted on both ports (one per probe). */
  readonly connections: number;
  /** Connections open right now (accepted and not yet closed). */
  readonly open: number;
  /** HTTP requests read (http and https). */
  readonly requests: number;
  /** TLS handshakes completed. */
  readonly handshakes: number;
  readonly lastRequest: FleetRequest | undefined;
  /** SNI of the last TLS handshake ('' when the client sent none). */
  readonly lastServername: string | undefined;
  /** ALPN protocol agreed in the last TLS handshake ('' when none). */
  readonly lastAlpn: string | undefined;
  /** Source address of the last connection. */
  readonly lastPeer: string | undefined;
}

export interface BackendPorts {
  readonly http: number;
  readonly https: number | undefined;
}

const maxRequestHead = 64 * 1024;
const badRequest = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1');
const ignore = (): void => {};

function parseRequest(head: string): FleetRequest {
  const [first = '', ...lines] = head.split('\r\n');
  const [method = '', path = ''] = first.split(' ');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { method, path, headers };
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 1024 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export class FleetBackend {
  readonly address: string;
  readonly #ports: BackendPorts;
  readonly #tls: SecureContext | undefined;
  /** Live connections, destroyed when the backend goes down or the fleet closes. */
  readonly #sockets = new Set<net.Socket>();
  #behaviour: FleetBehaviour = { kind: 'down' };
  #servers: net.Server[] = [];
  #settled: Promise<void> = Promise.resolve();
  #connections = 0;
  #open = 0;
  #requests = 0;
  #handshakes = 0;
  #lastHead: string | undefined;
  #lastServername: string | undefined;
  #lastAlpn: string | undefined;
  #lastPeer: string | undefined;

  constructor(address: string, ports: BackendPorts, tlsContext: SecureContext | undefined) {
    this.address = address;
    this.#ports = ports;
    this.#tls = tlsContext;
  }

  get behaviour(): FleetBehaviour {
    return this.#behaviour;
  }

  /** Switches behaviour; opens or closes the listeners when entering or leaving `down`. Calls are serialised. */
  set(b: FleetBehaviour): Promise<void> {
    const next = this.#settled.then(async () => {
      const wasDown = this.#behaviour.kind === 'down';
      this.#behaviour = b;
      if (b.kind === 'down' && !wasDown) await this.closeListeners();
      if (b.kind !== 'down' && wasDown) await this.#openListeners();
    });
    this.#settled = next.catch(() => undefined);
    return next;
  }

  stats(): BackendStats {
    return {
      connections: this.#connections,
      open: this.#open,
      requests: this.#requests,
      handshakes: this.#handshakes,
      lastRequest: this.#lastHead === undefined ? undefined : parseRequest(this.#lastHead),
      lastServername: this.#lastServername,
      lastAlpn: this.#lastAlpn,
      lastPeer: this.#lastPeer,
    };
  }

  get connections(): number {
    return this.#connections;
  }

  /** Connections open right now. */
  get open(): number {
    return this.#open;
  }

  resetCounts(): void {
    this.#connections = 0;
    this.#requests = 0;
    this.#handshakes = 0;
    this.#lastHead = undefined;
    this.#lastServername = undefined;
    this.#lastAlpn = undefined;
    this.#lastPeer = undefined;
  }

  /** Stops listening and resets open connections, as a backend that died would. */
  async closeListeners(): Promise<void> {
    const servers = this.#servers;
    this.#servers = [];
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const c of this.#sockets) c.destroy();
    this.#sockets.clear();
    await Promise.all(closed);
  }

  async #openListeners(): Promise<void> {
    try {
      const plain = net.createServer((c) => this.#onPlain(c));
      this.#servers.push(plain);
      await listen(plain, this.address, this.#ports.http);
      if (this.#ports.https !== undefined) {
        const secure = net.createServer((c) => this.#onSecure(c));
        this.#servers.push(secure);
        await listen(secure, this.address, this.#ports.https);
      }
    } catch (e) {
      this.#behaviour = { kind: 'down' };
      await this.closeListeners();
      throw e;
    }
  }

  #track(s: net.Socket): void {
    this.#sockets.add(s);
    s.on('error', ignore);
    s.once('close', () => this.#sockets.delete(s));
  }

  /** Behaviours that act at accept time; true when the connection is taken care of. */
  #atAccept(c: net.Socket): boolean {
    this.#connections++;
    this.#open++;
    c.once('close', () => this.#open--);
    this.#lastPeer = c.remoteAddress;
    this.#track(c);
    const kind = this.#behaviour.kind;
    if (kind === 'reset' || kind === 'down') c.resetAndDestroy();
    else if (kind === 'silent') c.resume();
    else return false;
    return true;
  }

  #onPlain(c: net.Socket): void {
    if (!this.#atAccept(c)) this.#readRequest(c);
  }

  #onSecure(c: net.Socket): void {
    if (this.#atAccept(c) || this.#tls === undefined) return;
    const b = this.#behaviour;
    if (b.kind === 'tls-stall') {
      c.resume(); // the ClientHello is read and never answered
      return;
    }
    const secureContext = b.kind === 'certificate' ? faultSecureContext(b.certificate) : this.#tls;
    const s = new tls.TLSSocket(c, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    this.#track(s);
    s.once('secure', () => {
      this.#handshakes++;
      this.#lastServername = typeof s.servername === 'string' ? s.servername : '';
      this.#lastAlpn = typeof s.alpnProtocol === 'string' ? s.alpnProtocol : '';
    });
    this.#readRequest(s);
  }

  #readRequest(s: net.Socket): void {
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!/^[A-Z]/.test(head)) {
        // Not HTTP (say, a TLS ClientHello on the plain port): answer like a web server would.
        s.off('data', onData);
        s.end(badRequest);
        return;
      }
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > maxRequestHead) s.destroy();
        return;
      }
      s.off('data', onData);
      s.resume();
      this.#answer(s, head.slice(0, end));
    };
    s.on('data', onData);
  }

  #answer(s: net.Socket, head: string): void {
    this.#requests++;
    this.#lastHead = head;
    const b = this.#behaviour;
    if (b.kind === 'silent' || b.kind === 'half-open') return;
    if (b.kind === 'reset' || b.kind === 'down') {
      s.destroy();
      return;
    }
    const streamed = streamedBody(b);
    if (streamed !== undefined) {
      writeStreamed(s, streamed);
      return;
    }
    const bytes = responseBytes(b) ?? Buffer.alloc(0);
    if (b.kind === 'slow') {
      const timer = setTimeout(() => s.end(bytes), b.delayMs);
      s.once('close', () => clearTimeout(timer));
    } else if (b.kind === 'trickle') {
      trickle(s, bytes, b.intervalMs);
    } else {
      s.end(bytes);
    }
  }
}

/** Writes `bytes` one byte every intervalMs, then ends; stops when the socket closes. */
function trickle(s: net.Socket, bytes: Buffer, intervalMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (s.destroyed) return;
    s.write(bytes.subarray(at, at + 1));
    if (++at < bytes.length) return;
    clearInterval(timer);
    s.end();
  }, intervalMs);
  s.once('close', () => clearInterval(timer));
}
