// The gRPC port's connection limits (src/control/grpc-listener.ts, grpc-server.ts): a connection
// cap that closes one connection too many at once, a handshake deadline for sockets that never
// send the HTTP/2 preface, and grpc-js's idle timeout for connections without calls.

import { connect, type Socket } from 'node:net';
import t from 'tap';
import { MaglevClient } from '../../src/api/maglev-client.js';
import { listenTarget, startGrpcListener } from '../../src/control/grpc-listener.js';
import { defaultGrpcConnectionLimits, grpcLimitOptions, startGrpcServer } from '../../src/control/grpc-server.js';
import { createRealClock } from '../../src/shared/clock.js';
import { FakeControlPlane } from '../support/fake-control-plane.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { until } from '../support/wait-for.js';

/** A raw TCP connection that sends `bytes` (nothing by default) and then stays silent. */
async function rawSocket(port: number, bytes = ''): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.resume(); // read what the server sends (its SETTINGS), or the close is never seen
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (bytes !== '') socket.write(bytes);
  return { socket, closed };
}

const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

void t.test('listenTarget', async (t) => {
  const cases = [
    { name: 'every interface', in: { host: '', port: 9090 }, want: '[::]:9090' },
    { name: 'IPv4', in: { host: '127.0.0.1', port: 9090 }, want: '127.0.0.1:9090' },
    { name: 'IPv6 bracketed', in: { host: '::1', port: 1 }, want: '[::1]:1' },
    { name: 'a name', in: { host: 'localhost', port: 2 }, want: 'localhost:2' },
  ];
  for (const c of cases) t.equal(listenTarget(c.in), c.want, c.name);
});

void t.test('grpcLimitOptions', async (t) => {
  const cases = [
    { name: 'defaults: idle only', in: defaultGrpcConnectionLimits, want: { 'grpc.max_connection_idle_ms': 300_000 } },
    { name: 'all off', in: { ...defaultGrpcConnectionLimits, idleMs: 0 }, want: {} },
    {
      name: 'age and grace',
      in: { ...defaultGrpcConnectionLimits, maxAgeMs: 60_000, maxAgeGraceMs: 5000 },
      want: { 'grpc.max_connection_idle_ms': 300_000, 'grpc.max_connection_age_ms': 60_000, 'grpc.max_connection_age_grace_ms': 5000 },
    },
  ];
  for (const c of cases) t.same(grpcLimitOptions(c.in), c.want, c.name);
});

void t.test('the connection cap closes one connection too many at once, and logs it', async (t) => {
  const logger = new RecordingLogger();
  const accepted: Socket[] = [];
  const listener = await startGrpcListener({
    addr: { host: '127.0.0.1', port: 0 },
    maxConnections: 3,
    handshakeMs: 0,
    clock: createRealClock(),
    logger,
    onConnection: (s) => accepted.push(s),
  });
  t.teardown(async () => {
    listener.destroyAll();
    await listener.close();
  });
  const socks = [];
  for (let i = 0; i < 6; i++) socks.push(await rawSocket(listener.port));
  await until(() => accepted.length === 3 && listener.connections === 3, 'three accepted');
  const outcomes = await Promise.all(socks.slice(3).map((s) => Promise.race([s.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 3000))])));
  t.same(outcomes, ['closed', 'closed', 'closed'], 'the connections over the cap are closed by the server');
  t.equal(listener.connections, 3);
  const refused = logger.records.filter((l) => l.msg === 'grpc-connection-refused');
  t.equal(refused.length, 1, 'one log line per 10 s, however many are refused');
  t.match(refused[0], { level: 'warn', attrs: { reason: 'at most 3 connections', remote: '127.0.0.1', refused: 1 } });
  // A slot that frees is taken again.
  socks[0]!.socket.destroy();
  await until(() => listener.connections === 2, 'a slot freed');
  await rawSocket(listener.port);
  await until(() => accepted.length === 4, 'accepted again');
  for (const s of socks) s.socket.destroy();
});

void t.test('a socket that sends no HTTP/2 preface is closed at the handshake deadline', async (t) => {
  const listener = await startGrpcListener({
    addr: { host: '127.0.0.1', port: 0 },
    maxConnections: 10,
    handshakeMs: 300,
    clock: createRealClock(),
    logger: new RecordingLogger(),
    onConnection: (s) => s.resume(), // what the HTTP/2 session does: read
  });
  t.teardown(async () => {
    listener.destroyAll();
    await listener.close();
  });
  const silent = await rawSocket(listener.port);
  const partial = await rawSocket(listener.port, 'PRI * HTTP');
  const speaking = await rawSocket(listener.port, preface);
  await Promise.all([silent.closed, partial.closed]);
  t.pass('the silent and the half-preface sockets were closed');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(speaking.socket.destroyed, false, 'a socket that sent the preface stays open');
  t.equal(listener.connections, 1);
  speaking.socket.destroy();
});

void t.test('the gRPC server closes idle connections and serves through the capped listener', async (t) => {
  const server = await startGrpcServer({
    addr: { host: '127.0.0.1', port: 0 },
    control: new FakeControlPlane(),
    clock: createRealClock(),
    logger: new RecordingLogger(),
    reflection: false,
    limits: { idleMs: 500, handshakeMs: 300, maxConnections: 4 },
  });
  t.teardown(() => server.shutdown(200));
  const client = new MaglevClient(`127.0.0.1:${server.port}`, { deadlineMs: 3000 });
  t.teardown(() => client.close());
  t.same(await client.listFrontends(), { frontend_names: ['web4', 'web6'] }, 'a call is served');
  t.equal(server.connections, 1, 'one connection for the client');
  const silent = await rawSocket(server.port);
  await silent.closed;
  t.pass('a socket without the preface is closed');
  await until(() => server.connections === 0, 'the idle client connection is closed', 5000);
  t.same(await client.listFrontends(), { frontend_names: ['web4', 'web6'] }, 'the client reconnects for the next call');
});

void t.test('a listen failure rejects with the address', async (t) => {
  await t.rejects(
    startGrpcListener({ addr: { host: '192.0.2.1', port: 1 }, maxConnections: 1, handshakeMs: 0, clock: createRealClock(), logger: new RecordingLogger(), onConnection: () => {} }),
    /grpc listen on 192\.0\.2\.1:1: /,
  );
});
