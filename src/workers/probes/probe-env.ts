// What probers share within one thread: the event-loop lag source for the stall guard, the TLS
// trust store, and the ICMP sockets (one per family and source address, opened on first use).
// A shard builds one ProbeEnv after entering its namespace; tests build their own.

import tls, { type SecureContext } from 'node:tls';
import { IcmpSockets } from './icmp-sockets.js';
import { noLag, type LagSource } from './lag-monitor.js';

export interface ProbeEnv {
  readonly lag: LagSource;
  /** Verification trust store; Node's root CAs unless a test injects its own. */
  readonly secureContext: SecureContext;
  readonly icmp: IcmpSockets;
}

export interface ProbeEnvOptions {
  readonly lag?: LagSource;
  /** Extra trusted certificates (PEM), for tests against the fleet's self-signed certificate. */
  readonly ca?: string | readonly string[];
  readonly icmp?: IcmpSockets;
}

export function createProbeEnv(opts: ProbeEnvOptions = {}): ProbeEnv {
  const ca = opts.ca === undefined ? undefined : typeof opts.ca === 'string' ? [opts.ca] : [...opts.ca];
  return {
    lag: opts.lag ?? noLag,
    secureContext: tls.createSecureContext(ca === undefined ? {} : { ca: [...tls.rootCertificates, ...ca] }),
    icmp: opts.icmp ?? new IcmpSockets(),
  };
}
