// Test helper: runs probes in-process against real sockets and returns their results, on either
// path: the JS probers (prepareProbe) or the thread's native prober (its records read back
// through the same batch codec the dispatcher uses), plus the ProbeSpec shorthand the prober
// tests use.

import type { Test } from 'tap';
import { fleetCertificatePem } from '../../src/fleet/fleet-certificate.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { probeCodeLayer, type ProbeCode, type ProbeResult } from '../../src/shared/health.js';
import { createResultRing, ResultRingReader } from '../../src/shared/probe-batch.js';
import type { HttpProbeSpec, ProbeSpec, TcpProbeSpec, TlsSpec } from '../../src/shared/probe-messages.js';
import { probeResultOf, specDetailText } from '../../src/shared/probe-outcome.js';
import { NativeProber, nativeEligible } from '../../src/workers/probes/native-prober.js';
import { createProbeEnv, type ProbeEnv } from '../../src/workers/probes/probe-env.js';
import { prepareProbe } from '../../src/workers/probes/prepare-probe.js';

/** Which prober runs a probe. */
export type ProbePath = 'js' | 'native';
export const probePaths: readonly ProbePath[] = ['native', 'js'];

/**
 * A loopback fleet with HTTP and HTTPS listeners, a probe env that trusts the fleet's
 * certificate and one that does not; all closed at teardown.
 */
export async function startProbeFleet(t: Pick<Test, 'teardown'>): Promise<{ fleet: Fleet; env: ProbeEnv; untrusting: ProbeEnv }> {
  const fleet = await startFleet({ httpPort: 0, httpsPort: 0 });
  const env = createProbeEnv({ ca: fleetCertificatePem });
  const untrusting = createProbeEnv();
  t.teardown(async () => {
    closeNativeRunner();
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

/** The thread's native prober, opened on first use, its ring polled every ms while probes wait; each probe gets a target of its own. */
class NativeRunner {
  readonly #ring = createResultRing(64);
  readonly #reader = new ResultRingReader(this.#ring);
  readonly #prober = new NativeProber(this.#ring);
  readonly #waiting = new Map<number, { spec: ProbeSpec; resolve: (r: ProbeResult) => void }>();
  #poll: NodeJS.Timeout | undefined;
  #nextId = 1;

  run(spec: ProbeSpec): Promise<ProbeResult> {
    const id = this.#nextId++;
    if (!this.#prober.register(id, spec)) throw new Error(`not a native spec: ${JSON.stringify(spec)}`);
    return new Promise((resolve) => {
      this.#waiting.set(id, { spec, resolve });
      const left = this.#prober.start(Uint32Array.of(id, id), 1);
      if (left !== 0) throw new Error('the native prober did not take the probe');
      this.#poll ??= setInterval(() => this.#read(), 1);
    });
  }

  close(): void {
    clearInterval(this.#poll);
    this.#prober.close();
  }

  #read(): void {
    this.#reader.begin();
    for (let r = this.#reader.next(); r !== undefined; r = this.#reader.next()) {
      const w = this.#waiting.get(r.probeId);
      if (w === undefined) continue;
      this.#waiting.delete(r.probeId);
      this.#prober.unregister(r.targetId);
      w.resolve(probeResultOf({ ...r, text: r.text ?? specDetailText(r.detail, w.spec) }));
    }
    if (this.#waiting.size > 0) return;
    clearInterval(this.#poll);
    this.#poll = undefined;
  }
}

let nativeRunner: NativeRunner | undefined;

/** Closes the thread's native prober if a test opened it (startProbeFleet does this at teardown). */
export function closeNativeRunner(): void {
  nativeRunner?.close();
  nativeRunner = undefined;
}

/** Runs one probe of `spec` on the given path (default: the JS probers) and resolves with its result. */
export function probeOnce(spec: ProbeSpec, env: ProbeEnv, path: ProbePath = 'js'): Promise<ProbeResult> {
  if (path === 'native') {
    nativeRunner ??= new NativeRunner();
    return nativeRunner.run(spec);
  }
  const prepared = prepareProbe(spec, env);
  return new Promise((resolve) => {
    prepared.run((outcome) => resolve(probeResultOf(outcome)));
  });
}

/** The paths that can run `spec` (the native prober takes plain tcp and http only). */
export function pathsFor(spec: ProbeSpec): readonly ProbePath[] {
  return nativeEligible(spec) ? probePaths : ['js'];
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
