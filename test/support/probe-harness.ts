// Test helper: runs prepared probes in-process against real sockets and returns their results,
// plus the ProbeSpec shorthand the prober tests use.

import type { ProbeResult } from '../../src/shared/health.js';
import type { HttpProbeSpec, ProbeSpec, TcpProbeSpec, TlsSpec } from '../../src/shared/probe-messages.js';
import type { ProbeEnv } from '../../src/workers/probes/probe-env.js';
import { prepareProbe } from '../../src/workers/probes/prepare-probe.js';

/** Runs one probe of `spec` and resolves with its result. */
export function probeOnce(spec: ProbeSpec, env: ProbeEnv): Promise<ProbeResult> {
  const prepared = prepareProbe(spec, env);
  return new Promise((resolve) => {
    prepared.run(resolve);
  });
}

export function httpSpec(address: string, port: number, more: Partial<HttpProbeSpec> = {}): HttpProbeSpec {
  return {
    kind: 'http',
    address,
    family: address.includes(':') ? 6 : 4,
    port,
    timeoutMs: 3000, // generous: tests that want a timeout set a short one
    sourceAddress: undefined,
    tls: undefined,
    path: '/healthz',
    host: `${address}:${port}`,
    codeMin: 200,
    codeMax: 399,
    responseRegexp: undefined,
    ...more,
  };
}

export function tcpSpec(address: string, port: number, more: Partial<TcpProbeSpec> = {}): TcpProbeSpec {
  return { kind: 'tcp', address, family: address.includes(':') ? 6 : 4, port, timeoutMs: 3000, sourceAddress: undefined, tls: undefined, ...more };
}

export function tls(more: Partial<TlsSpec> = {}): TlsSpec {
  return { servername: undefined, verifyName: '127.0.0.1', insecureSkipVerify: false, ...more };
}
