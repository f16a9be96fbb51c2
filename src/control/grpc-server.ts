// The gRPC API server (behaviour.md §6): maglev.Maglev on --grpc-addr over plaintext HTTP/2,
// server reflection v1 + v1alpha unless disabled, grpc_server_* metrics through an interceptor,
// and a shutdown that ends every WatchEvents stream with UNAVAILABLE before draining.

import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { Registry } from 'prom-client';
import type { ControlPlane } from './control-plane.js';
import { createGrpcMetrics } from './grpc-metrics.js';
import { loadMaglevProto, maglevServiceName } from '../api/maglev-proto.js';
import { createMaglevHandlers } from './grpc-service.js';
import { WatchSessions } from './grpc-watch-stream.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import { isIP } from 'node:net';
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
}

export interface GrpcServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Open WatchEvents streams. */
  readonly watchStreams: number;
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
  const target = grpcBindTarget(opts.addr);
  const pkg = loadMaglevProto('server');
  const service = pkg[maglevServiceName] as ServiceDefinition;
  // Every request of this API fits in a few hundred bytes: refuse big ones before decoding.
  const limits = { 'grpc.max_receive_message_length': maxRequestBytes };
  const server = new Server(opts.registry === undefined ? limits : { ...limits, interceptors: [createGrpcMetrics(opts.registry).interceptor] });
  const sessions = new WatchSessions();
  server.addService(
    service,
    createMaglevHandlers({ control: opts.control, clock: opts.clock, sessions }),
  );
  if (opts.reflection) new ReflectionService(pkg).addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(target, ServerCredentials.createInsecure(), (err, p) => {
      if (err !== null) reject(new Error(`grpc listen on ${target}: ${errorMessage(err)}`, { cause: err }));
      else resolve(p);
    });
  });
  opts.logger.info('grpc-listen', { addr: target.replace(/:\d+$/, `:${port}`) });

  let stopping: Promise<void> | undefined;
  return {
    port,
    get watchStreams() {
      return sessions.size;
    },
    shutdown(graceMs = 4000) {
      stopping ??= new Promise<void>((resolve) => {
        sessions.closeAll();
        const timer = opts.clock.setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          opts.clock.clearTimeout(timer);
          resolve();
        });
      });
      return stopping;
    },
  };
}

/** The grpc-js bind target: '' → every interface (dual-stack `[::]`), IPv6 literals bracketed. */
export function grpcBindTarget(a: { readonly host: string; readonly port: number }): string {
  if (a.host === '') return `[::]:${a.port}`;
  return isIP(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
