// The fleet's fault behaviours at the socket level, with plain net/tls clients (the probers'
// view is in test/workers/probes/faults.ts): what each sends, when, and that every connection
// the fleet accepted is closed once its client is gone (the open-connection count).

import t from 'tap';
import net from 'node:net';
import tls from 'node:tls';
import type { FleetBehaviour } from '../../src/fleet/fleet-behaviour.js';
import { fleetCertificatePem } from '../../src/fleet/fleet-certificate.js';
import { startFleet } from '../../src/fleet/fleet.js';
import { waitFor } from '../support/wait-for.js';

const fleet = await startFleet({ httpPort: 0, httpsPort: 0 });
t.teardown(() => fleet.close());
const request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
let next = 0;

async function backend(behaviour: FleetBehaviour): Promise<string> {
  const a = `127.11.0.${++next}`;
  await fleet.add([a], behaviour);
  return a;
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ host, port }, () => resolve(c));
    c.once('error', reject);
  });
}

/** Everything the peer sends until it closes (or `maxMs`), with the arrival times. */
function collect(s: net.Socket, maxMs: number): Promise<{ bytes: Buffer; times: number[]; closed: boolean }> {
  const parts: Buffer[] = [];
  const times: number[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ bytes: Buffer.concat(parts), times, closed: false }), maxMs);
    s.on('data', (d: Buffer) => (parts.push(d), times.push(performance.now())));
    s.on('error', () => {});
    s.once('close', () => (clearTimeout(timer), resolve({ bytes: Buffer.concat(parts), times, closed: true })));
  });
}

function tlsConnect(host: string, opts: tls.ConnectionOptions): Promise<{ ok: boolean; code: string }> {
  return new Promise((resolve) => {
    const s = tls.connect({ host, port: fleet.httpsPort, ca: fleetCertificatePem, ...opts }, () => (s.destroy(), resolve({ ok: true, code: '' })));
    s.once('error', (e: Error & { code?: string }) => (s.destroy(), resolve({ ok: false, code: e.code ?? e.message })));
  });
}

t.test('half-open: the request is read, never answered, never closed', async (t) => {
  const a = await backend({ kind: 'half-open' });
  const c = await connect(a, fleet.httpPort);
  c.write(request);
  const got = await collect(c, 200);
  t.same(got, { bytes: Buffer.alloc(0), times: [], closed: false }, 'silence, connection still up');
  t.match(fleet.stats(a), { connections: 1, open: 1, requests: 1 });
  c.destroy();
  t.ok(await waitFor(() => fleet.stats(a)?.open === 0), 'closed once the client left');
  // Over TLS the handshake completes first.
  const s = tls.connect({ host: a, port: fleet.httpsPort, ca: fleetCertificatePem, servername: 'fleet.test' });
  await new Promise((resolve) => s.once('secureConnect', resolve));
  s.write(request);
  const secureGot = await collect(s, 200);
  t.equal(secureGot.bytes.length + Number(secureGot.closed), 0, 'TLS: silence, still up');
  t.ok(await waitFor(() => fleet.stats(a)?.requests === 2), 'the request was read over TLS too');
  s.destroy();
  t.ok(await waitFor(() => fleet.stats(a)?.open === 0));
});

t.test('trickle: the answer one byte per interval', async (t) => {
  const a = await backend({ kind: 'trickle', intervalMs: 5 });
  const c = await connect(a, fleet.httpPort);
  c.setNoDelay(true);
  c.write(request);
  const got = await collect(c, 5000);
  t.ok(got.closed, 'ends after the last byte');
  t.match(got.bytes.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n.*\r\n\r\nok$/s, 'the up answer');
  const span = (got.times.at(-1) ?? 0) - (got.times[0] ?? 0);
  t.ok(got.times.length >= got.bytes.length / 2, `arrives in many pieces (${got.times.length} for ${got.bytes.length} bytes)`);
  t.ok(span >= (got.bytes.length - 1) * 5 * 0.8, `spread over ${span.toFixed(0)} ms`);
});

t.test('trickle stops when the client leaves', async (t) => {
  const a = await backend({ kind: 'trickle', intervalMs: 2 });
  const c = await connect(a, fleet.httpPort);
  c.write(request);
  await new Promise((resolve) => c.once('data', resolve));
  c.resetAndDestroy();
  t.ok(await waitFor(() => fleet.stats(a)?.open === 0), 'closed, timer gone');
});

t.test('tls-stall: the ClientHello is never answered; the plain port answers', async (t) => {
  const a = await backend({ kind: 'tls-stall' });
  const s = tls.connect({ host: a, port: fleet.httpsPort, ca: fleetCertificatePem });
  s.on('error', () => {});
  const secured = await Promise.race([new Promise((r) => s.once('secureConnect', () => r(true))), new Promise((r) => setTimeout(() => r(false), 250))]);
  t.equal(secured, false, 'no handshake within 250 ms');
  t.equal(fleet.stats(a)?.open, 1, 'the connection is held');
  s.destroy();
  const c = await connect(a, fleet.httpPort);
  c.write(request);
  t.match((await collect(c, 2000)).bytes.toString(), /^HTTP\/1\.1 200 OK/);
  t.ok(await waitFor(() => fleet.stats(a)?.open === 0));
});

t.test('certificate: expired or for another name, trusted otherwise', async (t) => {
  const expired = await backend({ kind: 'certificate', certificate: 'expired' });
  const wrong = await backend({ kind: 'certificate', certificate: 'wrong-name' });
  const up = await backend({ kind: 'up' });
  const cases = [
    { name: 'expired', host: expired, opts: { servername: 'fleet.test' }, want: { ok: false, code: 'CERT_HAS_EXPIRED' } },
    { name: 'wrong name', host: wrong, opts: { servername: 'fleet.test' }, want: { ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID' } },
    { name: 'wrong name, asked for its own name', host: wrong, opts: { servername: 'not-this-backend.example' }, want: { ok: true, code: '' } },
    { name: 'expired, not verified', host: expired, opts: { servername: 'fleet.test', rejectUnauthorized: false }, want: { ok: true, code: '' } },
    { name: 'the fleet certificate', host: up, opts: { servername: 'fleet.test' }, want: { ok: true, code: '' } },
  ];
  for (const c of cases) t.same(await tlsConnect(c.host, c.opts), c.want, c.name);
  const plain = await connect(expired, fleet.httpPort);
  plain.write(request);
  t.match((await collect(plain, 2000)).bytes.toString(), /^HTTP\/1\.1 200 OK/, 'the plain port answers');
});

t.test('huge: Content-Length declared, body produced as read, stopped when the reader leaves', async (t) => {
  const a = await backend({ kind: 'huge', bytes: 100_000_000 });
  const c = await connect(a, fleet.httpPort);
  c.write(request);
  let got = Buffer.alloc(0);
  await new Promise<void>((resolve) =>
    c.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length > 256 * 1024) resolve();
    }),
  );
  c.resetAndDestroy();
  t.match(got.subarray(0, 200).toString('latin1'), /^HTTP\/1\.1 200 Fleet\r\n.*Content-Length: 100000000\r\n/s);
  t.ok(got.subarray(got.indexOf('\r\n\r\n') + 4).every((b) => b === 0x78), "the body is 'x'");
  t.ok(await waitFor(() => fleet.stats(a)?.open === 0), 'the writer stopped and the socket closed');
});

t.test('gzip-bomb: compressed bytes on the wire, gzip declared', async (t) => {
  const a = await backend({ kind: 'gzip-bomb', bytes: 1 << 30 });
  const c = await connect(a, fleet.httpPort);
  c.write(request);
  const got = await collect(c, 5000);
  const text = got.bytes.toString('latin1');
  const bodyAt = text.indexOf('\r\n\r\n') + 4;
  const length = Number(/Content-Length: (\d+)/.exec(text)?.[1]);
  t.match(text.slice(0, bodyAt), /Content-Encoding: gzip\r\n/);
  t.ok(length > 0 && length < 2 * 1024 * 1024, `1 GiB of zeros in ${length} bytes`);
  t.equal(got.bytes.length - bodyAt, length, 'the whole body, then close');
  t.same([...got.bytes.subarray(bodyAt, bodyAt + 2)], [0x1f, 0x8b], 'gzip magic');
});

t.test('the fleet counts open connections across backends', async (t) => {
  const a = await backend({ kind: 'silent' });
  const held = await Promise.all([connect(a, fleet.httpPort), connect(a, fleet.httpPort), connect(a, fleet.httpsPort ?? 0)]);
  t.ok(await waitFor(() => fleet.openConnections() === 3), `three open (${fleet.openConnections()})`);
  for (const c of held) c.destroy();
  t.ok(await waitFor(() => fleet.openConnections() === 0), 'none left');
});
