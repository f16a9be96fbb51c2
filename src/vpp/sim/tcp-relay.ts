// One TCP connection through the simulated load balancer: the client's accepted socket and a
// connection to the AS, bytes copied both ways. Every packet the client sends (the SYN, each
// MSS-sized segment of what it writes, the FIN) is first routed through the lb node; if a
// packet would go to another AS than the connection's (its sticky entry was flushed or idled
// out and the new-flow table now points elsewhere), the real AS would answer it with a RST, so
// the relay resets both sides; if it would be dropped (no VIP, no server), the relay resets too,
// as a stream cannot lose packets. Return traffic bypasses the load balancer (direct server
// return, as with GRE), so it is neither routed nor counted.

import net from 'node:net';

export interface RelayTarget {
  readonly address: string;
  readonly port: number;
}

/**
 * How a relay ended: both sides closed; reset because a packet went to another AS, or was
 * dropped; the AS refused or reset; the client reset; the simulator stopped.
 */
export type RelayEnd = 'closed' | 'moved' | 'dropped' | 'as-failed' | 'client-reset' | 'stopped';

export const relayEnds: readonly RelayEnd[] = ['closed', 'moved', 'dropped', 'as-failed', 'client-reset', 'stopped'];

export interface TcpRelayOptions {
  /** Where a client packet with this many payload bytes goes now; undefined: dropped. */
  readonly route: (payloadBytes: number) => RelayTarget | undefined;
  /** The client's maximum segment size: a write of n bytes is ceil(n / mss) packets. */
  readonly mss: number;
  /** Called once, when the relay is over. */
  readonly onEnd: (end: RelayEnd) => void;
}

function reset(s: net.Socket | undefined): void {
  if (s === undefined || s.destroyed) return;
  if (s.connecting) s.destroy();
  else s.resetAndDestroy();
}

function sameTarget(a: RelayTarget | undefined, b: RelayTarget): boolean {
  return a !== undefined && a.address === b.address && a.port === b.port;
}

export class TcpRelay {
  readonly #client: net.Socket;
  readonly #opts: TcpRelayOptions;
  #upstream: net.Socket | undefined;
  #target: RelayTarget | undefined;
  #end: RelayEnd | undefined;

  /** `client` must be accepted paused (pauseOnConnect) with allowHalfOpen, so no byte is read before the AS is reached. */
  constructor(client: net.Socket, opts: TcpRelayOptions) {
    this.#client = client;
    this.#opts = opts;
  }

  /** The AS the connection was sent to (undefined before start or when the SYN was dropped). */
  get target(): RelayTarget | undefined {
    return this.#target;
  }

  get ended(): RelayEnd | undefined {
    return this.#end;
  }

  /** Routes the SYN and connects to its AS. */
  start(): void {
    const client = this.#client;
    client.on('error', () => this.#abort('client-reset'));
    const target = this.#opts.route(0);
    if (target === undefined) return this.#abort('dropped');
    this.#target = target;
    const up = net.connect({ host: target.address, port: target.port, allowHalfOpen: true });
    this.#upstream = up;
    up.on('error', () => this.#abort('as-failed'));
    up.once('connect', () => client.resume());
    up.on('data', (d: Buffer) => {
      if (!client.write(d)) up.pause();
    });
    client.on('drain', () => up.resume());
    up.on('drain', () => client.resume());
    up.on('end', () => client.end());
    client.on('data', (chunk: Buffer) => {
      if (!this.#routed(chunk.length)) return;
      if (!up.write(chunk)) client.pause();
    });
    client.on('end', () => {
      if (this.#routed(0)) up.end();
    });
    const closed = (): void => {
      if (client.destroyed && up.destroyed) this.#finish('closed');
    };
    client.on('close', () => {
      if (!up.destroyed && !up.connecting && up.writableEnded) return closed();
      // The client went away without a FIN (an RST, or a destroy here): the AS connection goes too.
      up.destroy();
      closed();
    });
    up.on('close', () => {
      if (!client.destroyed && !client.writableEnded) client.destroy();
      closed();
    });
  }

  /** Stops the relay with a RST to both sides (the simulator stopping). */
  abort(): void {
    this.#abort('stopped');
  }

  /** Routes the packets of `bytes` payload bytes (0: a FIN); false when the relay was reset for them. */
  #routed(bytes: number): boolean {
    const packets = bytes === 0 ? 1 : Math.ceil(bytes / this.#opts.mss);
    for (let i = 0; i < packets; i++) {
      const size = bytes === 0 ? 0 : Math.min(this.#opts.mss, bytes - i * this.#opts.mss);
      const t = this.#opts.route(size);
      if (t === undefined) {
        this.#abort('dropped');
        return false;
      }
      if (!sameTarget(this.#target, t)) {
        this.#abort('moved');
        return false;
      }
    }
    return true;
  }

  #abort(end: RelayEnd): void {
    this.#finish(end);
    reset(this.#client);
    reset(this.#upstream);
  }

  #finish(end: RelayEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    this.#opts.onEnd(end);
  }
}
