// `--server` as a gRPC target: a host without a port dials maglevd's default gRPC port, as grpc-js
// would otherwise pick 443. Targets with a scheme (dns:, unix:, ipv4:, …) are left as given.

import { ipFamily } from '../shared/ip-address.js';

/** maglevd's default --grpc-addr port. */
export const maglevdGrpcPort = 9090;

export function serverTarget(text: string): string {
  if (/^[a-z][a-z0-9+.-]*:(?![0-9]+$)/i.test(text) && ipFamily(text) !== 6) return text; // a scheme, not host:port
  if (/^\[[^\]]*\]$/.test(text)) return `${text}:${maglevdGrpcPort}`; // [v6]
  if (ipFamily(text) === 6) return `[${text}]:${maglevdGrpcPort}`; // bare v6
  if (/:[0-9]*$/.test(text)) return text; // host:port or [v6]:port
  return `${text}:${maglevdGrpcPort}`;
}
