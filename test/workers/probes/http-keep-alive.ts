// The reuse-connection prober against a scripted keep-alive server on 127.0.0.1 that counts
// connections: probes share one connection; a connection the server closed while idle, or that
// it drops under the next request, is replaced within the probe (which passes); `Connection:
// close`, close-delimited bodies and HTTP/1.0 are never reused; a timeout and close() destroy
// the connection; https keeps its TLS connection too.

import net from 'node:net';
import tls from 'node:tls';
import { fleetCertificatePem, fleetPrivateKeyPem } from '../../../src/fleet/fleet-certificate.js';
import t, { type Test } from 'tap';
import { probeResultOf, type ProbeOutcome } from '../../../src/shared/probe-outcome.js';
import type { HttpProbeSpec } from '../../../src/shared/probe-messages.js';
import { KeepAliveHttpProbe, prepareKeepAliveHttpProbe } from '../../../src/workers/probes/http-keep-alive.js';
import { prepareProbe } from '../../../src/workers/probes/prepare-probe.js';
import { createProbeEnv } from '../../../src/workers/probes/probe-env.js';
import { httpSpec, tls as tlsSpec } from '../../support/probe-harness.js';
import { until } from '../../support/wait-for.js';

const env = createProbeEnv();
t.teardown(() => env.icmp.close());
const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** What the server does with the n-th request (from 0) on the c-th connection (from 0): a response, or drop or silent. */
type Script = (request: number, connection: number) => string;

interface ScriptedServer {
  readonly port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Connections the client has closed (or reset). */
  closed: number;
  readonly requests: string[];
  /** Closes every open connection from the server side (an idle timeout). */
  closeIdle(): void;
  /** Writes bytes nobody asked for on every open connection. */
  writeIdle(bytes: string): void;
}

/** A server on 127.0.0.1 that answers as `script` says; over TLS (the fleet's certificate) with `secure`. */
async function scriptedServer(t: Test, script: Script, secure = false): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket): void => {
    const c = s.connections++;
    sockets.add(socket);
    let n = 0;
    let buf = '';
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      s.closed++;
    });
    socket.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        s.requests.push(buf.slice(0, end));
        buf = buf.slice(end + 4);
        const answer = script(n++, c);
        if (answer === 'drop') socket.destroy();
        else if (answer !== 'silent') socket.write(answer);
      }
    });
  };
  const server = secure ? tls.createServer({ key: fleetPrivateKeyPem, cert: fleetCertificatePem }, onConnection) : net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const s: ScriptedServer = {
    port: (server.address() as net.AddressInfo).port,
    connections: 0,
    closed: 0,
    requests: [],
    closeIdle: () => {
      for (const socket of sockets) socket.end();
    },
    writeIdle: (bytes) => {
      for (const socket of sockets) socket.write(bytes);
    },
  };
  return s;
}

function probe(p: KeepAliveHttpProbe): Promise<ProbeOutcome> {
  return new Promise((resolve) => p.run(resolve));
}

function keepAlive(port: number, more: Partial<HttpProbeSpec> = {}, probeEnv = env): KeepAliveHttpProbe {
  const p = prepareKeepAliveHttpProbe(httpSpec('127.0.0.1', port, { reuseConnection: true, ...more }), probeEnv);
  if (!(p instanceof KeepAliveHttpProbe)) throw new Error('not a keep-alive prober');
  return p;
}

/** code, detail and connection of an outcome. */
function summary(o: ProbeOutcome): string {
  return `${o.code} ${probeResultOf(o).detail} ${o.connection ?? '-'}`;
}

t.test('prepareProbe picks the keep-alive prober for reuse-connection specs only', async (t) => {
  t.ok(prepareProbe(httpSpec('127.0.0.1', 1, { reuseConnection: true }), env) instanceof KeepAliveHttpProbe);
  t.notOk(prepareProbe(httpSpec('127.0.0.1', 1), env) instanceof KeepAliveHttpProbe);
});

t.test('several probes share one connection, asking for keep-alive', async (t) => {
  const server = await scriptedServer(t, () => ok);
  const p = keepAlive(server.port);
  t.teardown(() => p.close());
  const got: string[] = [];
  for (let i = 0; i < 5; i++) got.push(summary(await probe(p)));
  t.same(got, ['L7OK HTTP 200 opened', ...Array<string>(4).fill('L7OK HTTP 200 reused')]);
  t.equal(server.connections, 1, 'one connection for five probes');
  t.equal(server.requests.length, 5);
  t.match(server.requests[0], /\r\nConnection: keep-alive$/);
  t.ok(p.keeping);
});

t.test('chunked responses and a matching body keep the connection', async (t) => {
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nready\r\n0\r\n\r\n';
  const server = await scriptedServer(t, () => chunked);
  const p = keepAlive(server.port, { responseRegexp: '^ready$' });
  t.teardown(() => p.close());
  const got = [summary(await probe(p)), summary(await probe(p)), summary(await probe(p))];
  t.same(got, ['L7OK HTTP 200 opened', 'L7OK HTTP 200 reused', 'L7OK HTTP 200 reused']);
  t.equal(server.connections, 1);
});

t.test('a connection the server closed while idle is dropped; the next probe opens one and passes', async (t) => {
  const server = await scriptedServer(t, () => ok);
  const p = keepAlive(server.port);
  t.teardown(() => p.close());
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  server.closeIdle();
  await until(() => !p.keeping, 'the prober notices the close');
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  t.equal(server.connections, 2);
});

t.test('bytes arriving on an idle connection drop it', async (t) => {
  const server = await scriptedServer(t, () => ok);
  const p = keepAlive(server.port);
  t.teardown(() => p.close());
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  server.writeIdle('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  await until(() => !p.keeping, 'the prober drops the connection');
  await until(() => server.closed === 1, 'and closes it');
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
});

t.test('a kept connection that dies under the next request is replaced within that probe', async (t) => {
  // The server drops its first connection on the second request (its idle close racing the
  // probe's write); the probe goes on over a new connection and its result is the new one's.
  const server = await scriptedServer(t, (request, connection) => (connection === 0 && request === 1 ? 'drop' : ok));
  const p = keepAlive(server.port);
  t.teardown(() => p.close());
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 reused');
  t.equal(server.connections, 2);
});

t.test('a failure on the replacement connection is the probe result', async (t) => {
  const server = await scriptedServer(t, (request, connection) => (connection === 0 && request === 0 ? ok : 'drop'));
  const p = keepAlive(server.port);
  t.teardown(() => p.close());
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  const o = await probe(p);
  t.equal(o.code, 'L7RSP');
  t.equal(o.connection, 'opened');
  t.equal(server.connections, 2, 'one new connection, not a retry loop');
  t.notOk(p.keeping);
});

t.test('responses that do not allow reuse close the connection', async (t) => {
  const cases: Array<{ name: string; response: string }> = [
    { name: 'Connection: close', response: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok' },
    { name: 'HTTP/1.0', response: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok' },
    { name: 'bytes after the response', response: `${ok}HTTP/1.1 200 OK\r\n` },
    { name: 'a failing status', response: 'HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n' },
  ];
  for (const c of cases) {
    const server = await scriptedServer(t, () => c.response);
    const p = keepAlive(server.port);
    await probe(p);
    t.notOk(p.keeping, `${c.name}: not kept`);
    const o = await probe(p);
    t.equal(o.connection, 'opened', `${c.name}: the next probe opens a connection`);
    t.equal(server.connections, 2, `${c.name}: two connections`);
    p.close();
  }
});

t.test('a body delimited by the close is read and the connection is not kept', async (t) => {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.on('error', () => {});
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\n\r\nready'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const p = keepAlive((server.address() as net.AddressInfo).port, { responseRegexp: 'ready' });
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  t.notOk(p.keeping);
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  t.equal(connections, 2);
});

t.test('a timeout destroys the connection', async (t) => {
  const server = await scriptedServer(t, (request) => (request === 0 ? ok : 'silent'));
  const p = keepAlive(server.port, { timeoutMs: 150 });
  t.teardown(() => p.close());
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
  t.equal(summary(await probe(p)), 'L7TOUT timeout after 150ms during response headers reused');
  t.notOk(p.keeping);
  await until(() => server.closed === 1, 'the server sees the connection closed');
  t.equal(summary(await probe(p)), 'L7OK HTTP 200 opened');
});

t.test('cancel destroys the connection in use', async (t) => {
  const server = await scriptedServer(t, (request) => (request === 0 ? ok : 'silent'));
  const p = keepAlive(server.port);
  t.teardown(() => p.close());
  await probe(p);
  let settled = false;
  const cancel = p.run(() => (settled = true));
  await until(() => server.requests.length === 2, 'the second request arrives');
  cancel();
  await until(() => server.closed === 1, 'the server sees the connection closed');
  t.notOk(settled, 'a cancelled probe reports nothing');
  t.notOk(p.keeping);
});

t.test('close() closes the kept connection, and one in use when its probe ends', async (t) => {
  const server = await scriptedServer(t, (request) => (request === 0 ? ok : request === 1 ? 'silent' : ok));
  const p = keepAlive(server.port);
  await probe(p);
  t.ok(p.keeping);
  p.close();
  t.notOk(p.keeping);
  await until(() => server.closed === 1, 'the server sees the kept connection closed');
  // After close() a probe may still run (in flight during an unregister): its connection is not kept.
  const o = await probe(p);
  t.equal(o.connection, 'opened');
  t.notOk(p.keeping);
  await until(() => server.closed === 2, 'the second connection is closed too');
});

t.test('https keeps its TLS connection and replaces it when the server closes it', async (t) => {
  const server = await scriptedServer(t, (request, connection) => (connection === 0 && request === 2 ? 'drop' : ok), true);
  const trusting = createProbeEnv({ ca: fleetCertificatePem });
  t.teardown(() => trusting.icmp.close());
  const p = keepAlive(server.port, { tls: tlsSpec({ servername: undefined, verifyName: '127.0.0.1' }) }, trusting);
  t.teardown(() => p.close());
  const got: string[] = [];
  for (let i = 0; i < 4; i++) got.push(summary(await probe(p)));
  t.same(got, ['L7OK HTTP 200 opened', 'L7OK HTTP 200 reused', 'L7OK HTTP 200 opened', 'L7OK HTTP 200 reused']);
  t.equal(server.connections, 2);
  p.close();
  await until(() => server.closed === 2, 'both connections closed');
});

t.test('a refused connection fails like any http probe', async (t) => {
  const o = await probe(keepAlive(1));
  t.equal(summary(o), 'L4CON connect: ECONNREFUSED opened');
});
