// Test helper: runs prepared probes in-process against real sockets and returns their results,
// plus the ProbeSpec shorthand the prober tests use.

import type { Test } from 'tap';
import { fleetCertificatePem } from '../../src/fleet/fleet-certificate.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { probeCodeLayer, type ProbeCode, type ProbeResult } from '../../src/shared/health.js';
import type { HttpProbeSpec, ProbeSpec, TcpProbeSpec, TlsSpec } from '../../src/shared/probe-messages.js';
import { createProbeEnv, type ProbeEnv } from '../../src/workers/probes/probe-env.js';
import { prepareProbe } from '../../src/workers/probes/prepare-probe.js';

/**
 * A loopback fleet with HTTP and HTTPS listeners, a probe env that trusts the fleet's
 * certificate and one that does not; all closed at teardown.
 */
export async function startProbeFleet(t: Pick<Test, 'teardown'>): Promise<{ fleet: Fleet; env: ProbeEnv; untrusting: ProbeEnv }> {
  const fleet = await startFleet({ httpPort: 0, httpsPort: 0 });
  const env = createProbeEnv({ ca: fleetCertificatePem });
  const untrusting = createProbeEnv();
  t.teardown(async () => {
    await fleet.close();
    env.icmp.close();
    untrusting.icmp.close();
  });
  return { fleet, env, untrusting };
}

/** What a probe must have answered: a code (or, for races the kernel decides, orCode) and its detail. */
export interface ExpectedProbe {
  readonly code: ProbeCode;
  readonly orCode?: ProbeCode;
  readonly detail: string | RegExp;
}

/** Asserts code, detail, layer and ok (ok when the code is one of okCodes); returns the code it matched. */
export function expectProbe(t: Test, r: ProbeResult, want: ExpectedProbe, okCodes: readonly ProbeCode[]): ProbeCode {
  const code = r.code === want.orCode ? want.orCode : want.code;
  t.equal(r.code, code, `code (${r.detail})`);
  t.match(r.detail, want.detail);
  t.equal(r.layer, probeCodeLayer[code]);
  t.equal(r.ok, okCodes.includes(code));
  return code;
}

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
