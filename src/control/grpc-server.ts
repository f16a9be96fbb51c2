// The gRPC API server (behaviour.md §6): maglev.Maglev on --grpc-addr over plaintext HTTP/2,
// server reflection v1 + v1alpha unless disabled, grpc_server_* metrics through an interceptor,
// and a shutdown that ends every WatchEvents stream with UNAVAILABLE before draining.
// Connections are bounded (docs/security.md): a capped listener with a handshake deadline
// (grpc-listener.ts) feeds grpc-js, which closes idle connections and, when asked, old ones.

import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { Registry } from 'prom-client';
import type { ControlPlane } from './control-plane.js';
import { createGrpcMetrics } from './grpc-metrics.js';
import { loadMaglevProto, maglevServiceName } from '../api/maglev-proto.js';
import { createMaglevHandlers } from './grpc-service.js';
import { WatchSessions } from './grpc-watch-stream.js';
import { listenTarget, startGrpcListener } from './grpc-listener.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';

export interface GrpcServerOptions {
  /** --grpc-addr as parsed by maglevd-options (host '' = every interface; port 0 picks one). */
  readonly addr: { readonly host: string; readonly port: number };
  readonly control: ControlPlane;
  readonly clock: Clock;
  readonly logger: Logger;
  /** --reflection (default true in maglevd). */
  readonly reflection: boolean;
  /** Where grpc_server_* metrics go; none when omitted. */
  readonly registry?: Registry;
  /** Connection limits; each one left out takes its default (defaultGrpcConnectionLimits). */
  readonly limits?: Partial<GrpcConnectionLimits>;
}

/** Bounds on the connections of the gRPC port (maglevd flags --grpc-*; 0 ms means no limit). */
export interface GrpcConnectionLimits {
  /** Open connections at most (--grpc-max-connections). */
  readonly maxConnections: number;
  /** A connection that has not sent the HTTP/2 preface by then is closed (--grpc-handshake-timeout). */
  readonly handshakeMs: number;
  /** A connection without calls for this long is closed with GOAWAY (--grpc-idle-timeout). */
  readonly idleMs: number;
  /** A connection this old gets GOAWAY, ±10 % jitter (--grpc-max-connection-age; 0: never). */
  readonly maxAgeMs: number;
  /** Calls still running that long after the age GOAWAY are cut (--grpc-max-connection-age-grace; 0: never). */
  readonly maxAgeGraceMs: number;
}

export const defaultGrpcConnectionLimits: GrpcConnectionLimits = {
  maxConnections: 256,
  handshakeMs: 10_000,
  idleMs: 5 * 60_000,
  // Off: `maglevc watch events` does not reconnect, so a cut stream would end it.
  maxAgeMs: 0,
  maxAgeGraceMs: 0,
};

/** The grpc-js channel options for the idle and age limits (absent: grpc-js's "never"). */
export function grpcLimitOptions(l: GrpcConnectionLimits): Record<string, number> {
  return {
    ...(l.idleMs > 0 ? { 'grpc.max_connection_idle_ms': l.idleMs } : {}),
    ...(l.maxAgeMs > 0 ? { 'grpc.max_connection_age_ms': l.maxAgeMs } : {}),
    ...(l.maxAgeGraceMs > 0 ? { 'grpc.max_connection_age_grace_ms': l.maxAgeGraceMs } : {}),
  };
}

export interface GrpcServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Open WatchEvents streams. */
  readonly watchStreams: number;
  /** Open TCP connections to the port. */
  readonly connections: number;
  /**
   * Ends every WatchEvents stream (UNAVAILABLE "server shutting down"), stops accepting calls and
   * waits for in-flight ones; after graceMs the remaining calls are cut.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** Largest request message accepted (grpc-js default: 4 MiB). */
export const maxRequestBytes = 64 * 1024;

/** Binds and starts the server. Rejects with the listen error (maglevd exits 3). */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const limits = { ...defaultGrpcConnectionLimits, ...opts.limits };
  const pkg = loadMaglevProto('server');
  const service = pkg[maglevServiceName] as ServiceDefinition;
  // Every request of this API fits in a few hundred bytes: refuse big ones before decoding.
  const options = { 'grpc.max_receive_message_length': maxRequestBytes, ...grpcLimitOptions(limits) };
  const server = new Server(opts.registry === undefined ? options : { ...options, interceptors: [createGrpcMetrics(opts.registry).interceptor] });
  const sessions = new WatchSessions();
  server.addService(
    service,
    createMaglevHandlers({ control: opts.control, clock: opts.clock, sessions }),
  );
  if (opts.reflection) new ReflectionService(pkg).addToServer(server);

  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const listener = await startGrpcListener({
    addr: opts.addr,
    maxConnections: limits.maxConnections,
    handshakeMs: limits.handshakeMs,
    clock: opts.clock,
    logger: opts.logger,
    onConnection: (socket) => injector.injectConnection(socket),
  });
  const port = listener.port;
  opts.logger.info('grpc-listen', { addr: listenTarget({ host: opts.addr.host, port }) });

  let stopping: Promise<void> | undefined;
  return {
    port,
    get watchStreams() {
      return sessions.size;
    },
    get connections() {
      return listener.connections;
    },
    shutdown(graceMs = 4000) {
      stopping ??= new Promise<void>((resolve) => {
        sessions.closeAll();
        void listener.close();
        const done = (): void => {
          listener.destroyAll();
          resolve();
        };
        const timer = opts.clock.setTimeout(() => {
          server.forceShutdown();
          done();
        }, graceMs);
        server.tryShutdown(() => {
          opts.clock.clearTimeout(timer);
          done();
        });
      });
      return stopping;
    },
  };
}

/** The bind target as text: '' → every interface (`[::]`), IPv6 literals bracketed. */
export const grpcBindTarget = listenTarget;
