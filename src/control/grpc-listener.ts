// The gRPC port's TCP listener (docs/security.md §5): grpc-js has no connection cap and keeps a
// socket that never speaks HTTP/2 open for as long as the peer likes, and every such socket
// costs a file descriptor that the probes need. So maglevd owns the listening socket: a
// net.Server with `maxConnections` (further connections are closed at once; grpc-go's
// LimitListener is the same idea), a handshake deadline for the HTTP/2 client preface, and
// every accepted socket handed to grpc-js through Server#createConnectionInjector (gRFC L114).
// Idle and age limits of established connections are grpc-js server options (grpc-server.ts).

import { createServer, isIP, type Server as NetServer, type Socket } from 'node:net';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

/** The HTTP/2 client preface ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") is 24 bytes. */
const prefaceBytes = 24;

/** Refused connections are logged at most this often (a flood must not flood the log). */
const dropLogIntervalMs = 10_000;

export interface GrpcListenerOptions {
  /** host '' = every interface (dual-stack when IPv6 is available); port 0 picks one. */
  readonly addr: { readonly host: string; readonly port: number };
  /** Open connections at most; one more is closed at once. */
  readonly maxConnections: number;
  /** A connection that has not sent the HTTP/2 preface by then is closed (0: no deadline). */
  readonly handshakeMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Receives every accepted socket (the grpc-js connection injector). */
  readonly onConnection: (socket: Socket) => void;
}

export interface GrpcListener {
  readonly port: number;
  /** Open connections. */
  readonly connections: number;
  /** Stops accepting; open connections stay (grpc-js drains them). */
  close(): Promise<void>;
  /** Destroys every open socket. */
  destroyAll(): void;
}

/** The address text of a bind target, for messages: IPv6 bracketed, '' as `[::]`. */
export function listenTarget(a: { readonly host: string; readonly port: number }): string {
  if (a.host === '') return `[::]:${a.port}`;
  return isIP(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

export async function startGrpcListener(o: GrpcListenerOptions): Promise<GrpcListener> {
  const sockets = new Set<Socket>();
  let dropped = 0;
  let lastDropLog = -Infinity;
  const server: NetServer = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => {}); // a reset by the peer; grpc-js sees the close
    const deadline =
      o.handshakeMs > 0
        ? o.clock.setTimeout(() => {
            if (socket.bytesRead < prefaceBytes) {
              o.logger.debug('grpc-handshake-timeout', { remote: socket.remoteAddress, bytes: socket.bytesRead });
              socket.destroy();
            }
          }, o.handshakeMs)
        : undefined;
    socket.once('close', () => {
      sockets.delete(socket);
      if (deadline !== undefined) o.clock.clearTimeout(deadline);
    });
    o.onConnection(socket);
  });
  server.maxConnections = o.maxConnections;
  server.on('drop', (d) => {
    dropped += 1;
    const now = o.clock.now();
    if (now - lastDropLog < dropLogIntervalMs) return;
    lastDropLog = now;
    o.logger.warn('grpc-connection-refused', { reason: `at most ${o.maxConnections} connections`, remote: d?.remoteAddress, refused: dropped });
    dropped = 0;
  });
  const target = listenTarget(o.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`grpc listen on ${target}: ${errorMessage(e)}`, { cause: e })));
    server.listen({ port: o.addr.port, ...(o.addr.host === '' ? {} : { host: o.addr.host }) }, () => resolve());
  });
  server.on('error', (e) => o.logger.error('grpc-listener-error', { err: errorMessage(e) }));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.addr.port;
  return {
    port,
    get connections() {
      return sockets.size;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    destroyAll() {
      for (const s of sockets) s.destroy();
    },
  };
}
