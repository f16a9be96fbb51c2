// The file-descriptor budget (docs/security.md §6): probes, listeners and clients share one
// RLIMIT_NOFILE, and a probe that cannot get a socket says nothing about its backend. So the
// probes get a reserve first (one socket per backend in flight and one closing, plus headroom)
// and the connection caps of the gRPC and metrics listeners are cut to what is left. Pure: the
// caller passes the limit (after raising the soft limit to the hard one) and the backend count.

/** Node, libuv, the worker threads' loops, stdio, VPP's sockets, the config file: about 35 in practice. */
export const baseFds = 64;
/** Probe sockets beyond two per backend (ICMP sockets per thread, TLS close grace, reloads). */
export const probeHeadroomFds = 32;
/** Open /metrics connections at most (Prometheus keeps one alive per scraper). */
export const metricsMaxConnections = 32;
/** The gRPC cap is never cut below this, so an operator can still connect. */
export const minGrpcConnections = 8;

export interface FdBudgetInput {
  /** The soft RLIMIT_NOFILE (Infinity: none). */
  readonly limit: number;
  /** Backends with a health check (at most one probe each in flight). */
  readonly probedBackends: number;
  /** --grpc-max-connections. */
  readonly grpcMaxConnections: number;
}

export interface FdBudget {
  /** Descriptors kept for probes. */
  readonly probeReserve: number;
  /** The gRPC connection cap in force: the configured one, or less if the limit is short. */
  readonly grpcMaxConnections: number;
  readonly metricsMaxConnections: number;
  /** The configured gRPC cap had to be lowered. */
  readonly grpcCapped: boolean;
  /** Even the lowered caps and the reserve do not fit: probes may run short (raise LimitNOFILE). */
  readonly short: boolean;
}

export function fdBudget(i: FdBudgetInput): FdBudget {
  const probeReserve = 2 * i.probedBackends + probeHeadroomFds;
  const left = i.limit - baseFds - probeReserve - metricsMaxConnections;
  const grpc = Math.min(i.grpcMaxConnections, Math.max(minGrpcConnections, left));
  return {
    probeReserve,
    grpcMaxConnections: grpc,
    metricsMaxConnections,
    grpcCapped: grpc < i.grpcMaxConnections,
    short: left < minGrpcConnections,
  };
}
