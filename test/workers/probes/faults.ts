// The http/https and tcp probers, in-process, against the fleet's fault behaviours:
// half-open, trickle, TLS stall, expired and wrong-name certificates, a 100 MB body and a gzip
// bomb. Exact codes and details; the deadline cases finish close to the timeout, the others
// before theirs; the body cap holds (64 KiB read, the backend sees the connection go).
// The plain cases run on both paths: the native prober and the JS prober.
// The same faults through the real dispatcher, with fd-leak checks: test/e2e/backend-faults.ts.

import t from 'tap';
import type { FleetBehaviour } from '../../../src/fleet/fleet-behaviour.js';
import { probeCodeLayer, type ProbeCode } from '../../../src/shared/health.js';
import type { ProbeSpec } from '../../../src/shared/probe-messages.js';
import { httpSpec, pathsFor, probeOnce, probePaths, startProbeFleet, tcpSpec, tls } from '../../support/probe-harness.js';
import { waitFor } from '../../support/wait-for.js';

/** How late a deadline timer may fire on a busy 2-core CI box (the tests run three at a time). */
const lateTimerSlackMs = 150;

const { fleet, env } = await startProbeFleet(t);

const timeoutMs = 300;
/** The timeout of the cases that must end before their deadline. */
const generousTimeoutMs = 3000;
const verified = tls({ verifyName: '127.0.0.1' });

interface Case {
  readonly name: string;
  readonly behaviour: FleetBehaviour;
  /** Builds the spec for the backend's address and the fleet's ports. */
  readonly spec: (address: string) => ProbeSpec;
  readonly code: ProbeCode;
  readonly detail: string | RegExp;
}

const http = (more: Parameters<typeof httpSpec>[2] = {}) => (a: string) => httpSpec(a, fleet.httpPort, { timeoutMs, ...more });
const https = (more: Parameters<typeof httpSpec>[2] = {}) => (a: string) => httpSpec(a, fleet.httpsPort ?? 0, { timeoutMs, tls: verified, ...more });
const tcp = (ssl: boolean) => (a: string) => tcpSpec(a, ssl ? (fleet.httpsPort ?? 0) : fleet.httpPort, { timeoutMs, tls: ssl ? verified : undefined });
const headersTimeout = `timeout after ${timeoutMs}ms during response headers`;
const handshakeTimeout = `timeout after ${timeoutMs}ms during TLS handshake`;

const cases: Case[] = [
  { name: 'half-open: http times out waiting for headers', behaviour: { kind: 'half-open' }, spec: http(), code: 'L7TOUT', detail: headersTimeout },
  { name: 'half-open: https handshakes, then times out', behaviour: { kind: 'half-open' }, spec: https(), code: 'L7TOUT', detail: headersTimeout },
  { name: 'half-open: a connect-only tcp check passes (why http checks exist)', behaviour: { kind: 'half-open' }, spec: tcp(false), code: 'L4OK', detail: 'connected' },
  { name: 'half-open: tcp with ssl passes too', behaviour: { kind: 'half-open' }, spec: tcp(true), code: 'L6OK', detail: /^TLS TLSv1\.[23] established$/ },
  { name: 'trickle past the deadline', behaviour: { kind: 'trickle', intervalMs: 20 }, spec: http(), code: 'L7TOUT', detail: headersTimeout },
  { name: 'trickle past the deadline, https', behaviour: { kind: 'trickle', intervalMs: 20 }, spec: https(), code: 'L7TOUT', detail: headersTimeout },
  { name: 'trickle within the deadline', behaviour: { kind: 'trickle', intervalMs: 1 }, spec: http({ timeoutMs: 3000 }), code: 'L7OK', detail: 'HTTP 200' },
  { name: 'TLS stall: https', behaviour: { kind: 'tls-stall' }, spec: https(), code: 'L6TOUT', detail: handshakeTimeout },
  { name: 'TLS stall: tcp with ssl', behaviour: { kind: 'tls-stall' }, spec: tcp(true), code: 'L6TOUT', detail: handshakeTimeout },
  { name: 'TLS stall: the plain port still answers', behaviour: { kind: 'tls-stall' }, spec: http(), code: 'L7OK', detail: 'HTTP 200' },
  { name: 'expired certificate: https', behaviour: { kind: 'certificate', certificate: 'expired' }, spec: https(), code: 'L6RSP', detail: 'tls: CERT_HAS_EXPIRED' },
  { name: 'expired certificate: tcp with ssl', behaviour: { kind: 'certificate', certificate: 'expired' }, spec: tcp(true), code: 'L6RSP', detail: 'tls: CERT_HAS_EXPIRED' },
  {
    name: 'expired certificate, insecure-skip-verify',
    behaviour: { kind: 'certificate', certificate: 'expired' },
    spec: https({ tls: tls({ verifyName: '127.0.0.1', insecureSkipVerify: true }) }),
    code: 'L7OK',
    detail: 'HTTP 200',
  },
  { name: 'certificate for another name', behaviour: { kind: 'certificate', certificate: 'wrong-name' }, spec: https(), code: 'L6RSP', detail: 'tls: ERR_TLS_CERT_ALTNAME_INVALID' },
  {
    name: 'certificate for another name, verified against that name',
    behaviour: { kind: 'certificate', certificate: 'wrong-name' },
    spec: https({ tls: tls({ servername: 'not-this-backend.example', verifyName: 'not-this-backend.example' }) }),
    code: 'L7OK',
    detail: 'HTTP 200',
  },
  { name: '100 MB body, regexp not in the first 64 KiB', behaviour: { kind: 'huge', bytes: 100_000_000 }, spec: http({ responseRegexp: 'MARK' }), code: 'L7RSP', detail: 'body did not match MARK' },
  { name: '100 MB body over TLS', behaviour: { kind: 'huge', bytes: 100_000_000 }, spec: https({ responseRegexp: 'MARK' }), code: 'L7RSP', detail: 'body did not match MARK' },
  // A whole-body RE2 match costs ~10 ms per 64 KiB, and the first one in a thread ~0.15 s while re2js warms up: a longer deadline.
  { name: '100 MB body, regexp matches the 64 KiB read', behaviour: { kind: 'huge', bytes: 100_000_000 }, spec: http({ responseRegexp: '^x+\\z', timeoutMs: 2000 }), code: 'L7OK', detail: 'HTTP 200' },
  { name: '100 MB body, no regexp: headers suffice', behaviour: { kind: 'huge', bytes: 100_000_000 }, spec: http(), code: 'L7OK', detail: 'HTTP 200' },
  // Inflated, the bomb is zeros and would match; as bytes it starts with the gzip magic.
  { name: 'gzip bomb is never inflated', behaviour: { kind: 'gzip-bomb', bytes: 2 ** 30 }, spec: http({ responseRegexp: '^\\x00' }), code: 'L7RSP', detail: 'body did not match ^\\x00' },
  { name: 'gzip bomb over TLS', behaviour: { kind: 'gzip-bomb', bytes: 2 ** 30 }, spec: https({ responseRegexp: '^\\x00' }), code: 'L7RSP', detail: 'body did not match ^\\x00' },
  { name: 'gzip bomb, no regexp', behaviour: { kind: 'gzip-bomb', bytes: 2 ** 30 }, spec: http(), code: 'L7OK', detail: 'HTTP 200' },
];

const timeoutCodes = new Set<ProbeCode>(['L4TOUT', 'L6TOUT', 'L7TOUT']);
let n = 0;
for (const c of cases) {
  const address = `127.12.0.${++n}`;
  t.test(c.name, async (t) => {
    await fleet.add([address], c.behaviour);
    // Only the deadline cases keep the short timeout: a loaded CI box can stretch a probe that
    // ends on its own (a refused TLS name, a gzip bomb read to its cap) past 300 ms.
    const built = c.spec(address);
    const spec = timeoutCodes.has(c.code) ? built : { ...built, timeoutMs: Math.max(built.timeoutMs, generousTimeoutMs) };
    for (const path of pathsFor(spec)) {
      const r = await probeOnce(spec, env, path);
      t.equal(r.code, c.code, `${path}: code (${r.detail})`);
      t.match(r.detail, c.detail);
      t.equal(r.layer, probeCodeLayer[c.code]);
      if (timeoutCodes.has(c.code)) t.ok(r.durationMs >= spec.timeoutMs - 1 && r.durationMs <= spec.timeoutMs + lateTimerSlackMs, `${path}: at the deadline: ${r.durationMs.toFixed(1)} ms`);
      else t.ok(r.durationMs < spec.timeoutMs, `${path}: before the deadline: ${r.durationMs.toFixed(1)} ms`);
      t.ok(await waitFor(() => fleet.stats(address)?.open === 0), `${path}: the backend saw the connection close`);
    }
  });
}

for (const path of probePaths) {
  t.test(`the body cap bounds what is read and held (${path})`, async (t) => {
    const address = path === 'js' ? '127.12.1.1' : '127.12.1.2';
    await fleet.add([address], { kind: 'huge', bytes: 2 ** 40 });
    const before = process.memoryUsage().rss;
    const results = await Promise.all(Array.from({ length: 50 }, () => probeOnce(httpSpec(address, fleet.httpPort, { responseRegexp: 'MARK' }), env, path)));
    const grown = process.memoryUsage().rss - before;
    t.ok(results.every((r) => r.code === 'L7RSP' && r.detail === 'body did not match MARK'), 'every probe stopped at the cap');
    t.ok(grown < 64 * 1024 * 1024, `50 concurrent 1 TiB bodies grew RSS by ${(grown / 1048576).toFixed(1)} MiB`);
    t.ok(await waitFor(() => fleet.stats(address)?.open === 0), 'every connection closed');
  });
}
