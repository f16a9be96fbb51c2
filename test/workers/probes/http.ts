// The http and https probers against the loopback fleet: the pass code and every failure code
// each can produce, the request on the wire, TLS verification, SNI and ALPN, source address.
// Every plain-http case runs on both paths: the native prober and the JS prober.

import t from 'tap';
import type { FleetBehaviour } from '../../../src/fleet/fleet-behaviour.js';
import type { HttpProbeSpec } from '../../../src/shared/probe-messages.js';
import { userAgent } from '../../../src/workers/probes/http-request.js';
import { startBlackhole } from '../../support/blackhole-listener.js';
import { expectProbe, httpSpec, pathsFor, probeOnce, probePaths, startProbeFleet, tls, type ExpectedProbe } from '../../support/probe-harness.js';

const { fleet, env, untrusting } = await startProbeFleet(t);

interface Case extends ExpectedProbe {
  readonly name: string;
  readonly behaviour: FleetBehaviour;
  readonly https?: boolean;
  readonly spec?: Partial<HttpProbeSpec>;
  readonly trust?: boolean;
}

const big = 'x'.repeat(70_000);
const cases: Case[] = [
  { name: 'up', behaviour: { kind: 'up' }, code: 'L7OK', detail: 'HTTP 200' },
  { name: 'redirect inside the default range', behaviour: { kind: 'status', code: 302 }, code: 'L7OK', detail: 'HTTP 302' },
  { name: 'status out of range', behaviour: { kind: 'status', code: 503 }, code: 'L7STS', detail: 'HTTP 503' },
  { name: 'status below a custom range', behaviour: { kind: 'up' }, spec: { codeMin: 201, codeMax: 204 }, code: 'L7STS', detail: 'HTTP 200' },
  { name: 'refused', behaviour: { kind: 'down' }, code: 'L4CON', detail: 'connect: ECONNREFUSED' },
  { name: 'silent server', behaviour: { kind: 'silent' }, spec: { timeoutMs: 150 }, code: 'L7TOUT', detail: 'timeout after 150ms during response headers' },
  { name: 'slow beyond the deadline', behaviour: { kind: 'slow', delayMs: 1000 }, spec: { timeoutMs: 150 }, code: 'L7TOUT', detail: 'timeout after 150ms during response headers' },
  { name: 'slow within the deadline', behaviour: { kind: 'slow', delayMs: 30 }, code: 'L7OK', detail: 'HTTP 200' },
  { name: 'malformed status line', behaviour: { kind: 'raw', response: 'HTTP/1.1 2OO OK\r\n\r\n' }, code: 'L7RSP', detail: 'malformed status line' },
  { name: 'not HTTP at all', behaviour: { kind: 'raw', response: 'SSH-2.0-OpenSSH_9.2\r\n\r\n' }, code: 'L7RSP', detail: 'malformed status line' },
  { name: 'malformed header', behaviour: { kind: 'raw', response: 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n' }, code: 'L7RSP', detail: 'malformed header' },
  { name: 'headers over 16 KiB', behaviour: { kind: 'raw', response: `HTTP/1.1 200 OK\r\nX-Big: ${'y'.repeat(17_000)}\r\n\r\n` }, code: 'L7RSP', detail: 'headers exceed 16 KiB' },
  { name: 'closed before headers', behaviour: { kind: 'raw', response: '' }, code: 'L7RSP', detail: 'connection closed before headers' },
  { name: 'reset after accept', behaviour: { kind: 'reset' }, code: 'L4CON', orCode: 'L7RSP', detail: /^(connect|read): ECONNRESET$/ },
  { name: '100 Continue is skipped', behaviour: { kind: 'raw', response: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n' }, code: 'L7OK', detail: 'HTTP 204' },
  { name: '103 then an error status', behaviour: { kind: 'raw', response: 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 500 Oops\r\n\r\n' }, code: 'L7STS', detail: 'HTTP 500' },
  { name: 'body matches (Content-Length)', behaviour: { kind: 'body', body: 'status: healthy', framing: 'length' }, spec: { responseRegexp: 'health(y|ier)' }, code: 'L7OK', detail: 'HTTP 200' },
  { name: 'body does not match', behaviour: { kind: 'body', body: 'status: sick', framing: 'length' }, spec: { responseRegexp: '^status: healthy$' }, code: 'L7RSP', detail: 'body did not match ^status: healthy$' },
  { name: 'body matches (chunked, tiny chunks)', behaviour: { kind: 'body', body: 'all systems go', framing: 'chunked', chunkSize: 3 }, spec: { responseRegexp: 'systems go$' }, code: 'L7OK', detail: 'HTTP 200' },
  { name: 'body matches (until close)', behaviour: { kind: 'body', body: 'ready', framing: 'close' }, spec: { responseRegexp: '^ready$' }, code: 'L7OK', detail: 'HTTP 200' },
  { name: 'match inside the first 64 KiB of a huge body', behaviour: { kind: 'body', body: `MARK${big}`, framing: 'length' }, spec: { responseRegexp: 'MARK' }, code: 'L7OK', detail: 'HTTP 200' },
  { name: 'match beyond 64 KiB is not seen', behaviour: { kind: 'body', body: `${big}MARK`, framing: 'chunked' }, spec: { responseRegexp: 'MARK' }, code: 'L7RSP', detail: 'body did not match MARK' },
  { name: 'status is judged before the body', behaviour: { kind: 'body', status: 500, body: 'ok', framing: 'length' }, spec: { responseRegexp: 'ok' }, code: 'L7STS', detail: 'HTTP 500' },
  {
    name: 'body cut short',
    behaviour: { kind: 'raw', response: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc' },
    spec: { responseRegexp: 'abc' },
    code: 'L7RSP',
    detail: 'connection closed during body',
  },
  { name: 'unbindable source address', behaviour: { kind: 'up' }, spec: { sourceAddress: '192.0.2.1' }, code: 'SOCKERR', detail: 'bind 192.0.2.1: EADDRNOTAVAIL' },
  { name: 'socket refused synchronously', behaviour: { kind: 'up' }, spec: { sourceAddress: 'not-an-ip' }, code: 'SOCKERR', detail: 'connect: ERR_INVALID_IP_ADDRESS' },
  // https
  { name: 'https verified', https: true, behaviour: { kind: 'up' }, code: 'L7OK', detail: 'HTTP 200' },
  { name: 'https self-signed, not trusted', https: true, trust: false, behaviour: { kind: 'up' }, code: 'L6RSP', detail: 'tls: DEPTH_ZERO_SELF_SIGNED_CERT' },
  { name: 'https insecure-skip-verify', https: true, trust: false, behaviour: { kind: 'up' }, spec: { tls: tls({ insecureSkipVerify: true }) }, code: 'L7OK', detail: 'HTTP 200' },
  {
    name: 'https name mismatch',
    https: true,
    behaviour: { kind: 'up' },
    spec: { tls: tls({ servername: 'other.example', verifyName: 'other.example' }) },
    code: 'L6RSP',
    detail: 'tls: ERR_TLS_CERT_ALTNAME_INVALID',
  },
  { name: 'https silent: no handshake', https: true, behaviour: { kind: 'silent' }, spec: { timeoutMs: 150 }, code: 'L6TOUT', detail: 'timeout after 150ms during TLS handshake' },
  { name: 'https slow answer', https: true, behaviour: { kind: 'slow', delayMs: 1000 }, spec: { timeoutMs: 150 }, code: 'L7TOUT', detail: 'timeout after 150ms during response headers' },
  { name: 'https refused', https: true, behaviour: { kind: 'down' }, code: 'L4CON', detail: 'connect: ECONNREFUSED' },
  { name: 'https status', https: true, behaviour: { kind: 'status', code: 404 }, code: 'L7STS', detail: 'HTTP 404' },
  { name: 'https not TLS', https: true, behaviour: { kind: 'up' }, spec: { port: -1 }, code: 'L6RSP', detail: /^tls: / },
];

let n = 0;
for (const c of cases) {
  const address = `127.3.0.${++n}`;
  t.test(c.name, async (t) => {
    await fleet.add([address]);
    await fleet.set(address, c.behaviour);
    const port = c.spec?.port === -1 ? fleet.httpPort : c.https === true ? (fleet.httpsPort ?? 0) : fleet.httpPort;
    const spec = httpSpec(address, port, { ...(c.https === true ? { tls: tls({ verifyName: '127.0.0.1' }) } : {}), ...c.spec, port });
    for (const path of pathsFor(spec)) {
      // The fleet certificate names 127.0.0.1, not 127.3.0.x: verify against the name it has.
      const r = await probeOnce(spec, c.trust === false ? untrusting : env, path);
      t.comment(path);
      expectProbe(t, r, c, ['L7OK']);
      t.ok(r.durationMs >= 0 && r.durationMs < 3500, `${path}: duration`);
      t.notOk(r.discarded, `${path}: not discarded`);
    }
  });
}

for (const path of probePaths) {
  t.test(`the request on the wire (${path})`, async (t) => {
    const address = '127.3.1.1';
    await fleet.add([address]);
    const r = await probeOnce(httpSpec(address, fleet.httpPort, { path: '/health?full=1', host: 'www.example.org' }), env, path);
    t.equal(r.code, 'L7OK');
    t.same(fleet.stats(address)?.lastRequest, {
      method: 'GET',
      path: '/health?full=1',
      headers: { host: 'www.example.org', 'user-agent': userAgent, accept: '*/*', 'accept-encoding': 'identity', connection: 'close' },
    });
    t.match(userAgent, /^vpp-maglev\/\d+\.\d+\.\d+\S* \(\+https:\/\/git\.ipng\.ch\/ipng\/vpp-maglev\)$/);
  });

  t.test(`IPv6 backend (${path})`, async (t) => {
    await fleet.add(['::1']);
    const r = await probeOnce(httpSpec('::1', fleet.httpPort, { host: `[::1]:${fleet.httpPort}` }), env, path);
    t.equal(r.code, 'L7OK');
    t.equal(fleet.stats('::1')?.lastRequest?.headers['host'], `[::1]:${fleet.httpPort}`);
  });

  t.test(`source address is bound (${path})`, async (t) => {
    const address = '127.3.1.2';
    await fleet.add([address]);
    const r = await probeOnce(httpSpec(address, fleet.httpPort, { sourceAddress: '127.9.9.9' }), env, path);
    t.equal(r.code, 'L7OK');
    t.equal(fleet.stats(address)?.lastPeer, '127.9.9.9');
  });
}

t.test('SNI and ALPN on https', async (t) => {
  const address = '127.3.1.3';
  await fleet.add([address]);
  const named = await probeOnce(httpSpec(address, fleet.httpsPort ?? 0, { tls: tls({ servername: 'api.fleet.test', verifyName: 'api.fleet.test' }) }), env);
  t.equal(named.code, 'L7OK');
  t.equal(fleet.stats(address)?.lastServername, 'api.fleet.test');
  t.equal(fleet.stats(address)?.lastAlpn, 'http/1.1');
  const bare = await probeOnce(httpSpec(address, fleet.httpsPort ?? 0, { tls: tls({ verifyName: '127.0.0.1' }) }), env);
  t.equal(bare.code, 'L7OK');
  t.equal(fleet.stats(address)?.lastServername, '', 'no SNI without a name');
});

t.test('connect timeout', async (t) => {
  const hole = await startBlackhole();
  t.teardown(() => hole.close());
  for (const path of probePaths) {
    const r = await probeOnce(httpSpec('127.0.0.1', hole.port, { timeoutMs: 150 }), env, path);
    t.equal(r.code, 'L4TOUT', path);
    t.equal(r.detail, 'timeout after 150ms during connect', path);
  }
  const s = await probeOnce(httpSpec('127.0.0.1', hole.port, { timeoutMs: 150, tls: tls() }), env);
  t.equal(s.code, 'L4TOUT');
});
