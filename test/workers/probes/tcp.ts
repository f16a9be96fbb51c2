// The tcp prober against the loopback fleet: connect (L4OK, closed with an RST; the native
// prober's is half-open, never accepted), connect with TLS (L6OK, close_notify), and each
// failure: refused, connect and handshake timeouts, TLS verification, reset, unbindable source
// address; and out of descriptors, which is discarded.
// Every plain case runs on both paths: the native prober and the JS prober.

import { closeSync, openSync, readdirSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import t from 'tap';
import { loadNative } from '../../../src/shared/native.js';
import type { FleetBehaviour } from '../../../src/fleet/fleet-behaviour.js';
import type { TcpProbeSpec } from '../../../src/shared/probe-messages.js';
import { startBlackhole } from '../../support/blackhole-listener.js';
import { expectProbe, pathsFor, probeOnce, probePaths, startProbeFleet, tcpSpec, tls, type ExpectedProbe } from '../../support/probe-harness.js';
import { until, waitFor } from '../../support/wait-for.js';

const { fleet, env, untrusting } = await startProbeFleet(t);

interface Case extends ExpectedProbe {
  readonly name: string;
  readonly behaviour: FleetBehaviour;
  readonly ssl?: boolean;
  readonly spec?: Partial<TcpProbeSpec>;
  readonly trust?: boolean;
}

const cases: Case[] = [
  { name: 'connect', behaviour: { kind: 'up' }, code: 'L4OK', detail: 'connected' },
  { name: 'connect to a silent server still passes', behaviour: { kind: 'silent' }, code: 'L4OK', detail: 'connected' },
  { name: 'refused', behaviour: { kind: 'down' }, code: 'L4CON', detail: 'connect: ECONNREFUSED' },
  { name: 'reset right after accept', behaviour: { kind: 'reset' }, code: 'L4CON', orCode: 'L4OK', detail: /^(connect: ECONNRESET|connected)$/ },
  { name: 'unbindable source address', behaviour: { kind: 'up' }, spec: { sourceAddress: '192.0.2.1' }, code: 'SOCKERR', detail: 'bind 192.0.2.1: EADDRNOTAVAIL' },
  { name: 'socket refused synchronously', behaviour: { kind: 'up' }, spec: { sourceAddress: 'not-an-ip' }, code: 'SOCKERR', detail: 'connect: ERR_INVALID_IP_ADDRESS' },
  { name: 'ssl handshake', ssl: true, behaviour: { kind: 'up' }, code: 'L6OK', detail: /^TLS TLSv1\.[23] established$/ },
  { name: 'ssl self-signed, not trusted', ssl: true, trust: false, behaviour: { kind: 'up' }, code: 'L6RSP', detail: 'tls: DEPTH_ZERO_SELF_SIGNED_CERT' },
  { name: 'ssl insecure-skip-verify', ssl: true, trust: false, behaviour: { kind: 'up' }, spec: { tls: tls({ insecureSkipVerify: true }) }, code: 'L6OK', detail: /established/ },
  { name: 'ssl server name verified', ssl: true, behaviour: { kind: 'up' }, spec: { tls: tls({ servername: 'db.fleet.test', verifyName: 'db.fleet.test' }) }, code: 'L6OK', detail: /established/ },
  { name: 'ssl name mismatch', ssl: true, behaviour: { kind: 'up' }, spec: { tls: tls({ servername: 'db.example', verifyName: 'db.example' }) }, code: 'L6RSP', detail: 'tls: ERR_TLS_CERT_ALTNAME_INVALID' },
  { name: 'ssl server never handshakes', ssl: true, behaviour: { kind: 'silent' }, spec: { timeoutMs: 150 }, code: 'L6TOUT', detail: 'timeout after 150ms during TLS handshake' },
  { name: 'ssl refused', ssl: true, behaviour: { kind: 'down' }, code: 'L4CON', detail: 'connect: ECONNREFUSED' },
  { name: 'ssl against a plain port', ssl: true, behaviour: { kind: 'up' }, spec: { port: -1 }, code: 'L6RSP', detail: 'tls: ERR_SSL_WRONG_VERSION_NUMBER' },
];

let n = 0;
for (const c of cases) {
  const address = `127.4.0.${++n}`;
  t.test(c.name, async (t) => {
    await fleet.add([address]);
    await fleet.set(address, c.behaviour);
    const port = c.spec?.port === -1 || c.ssl !== true ? fleet.httpPort : (fleet.httpsPort ?? 0);
    const spec = tcpSpec(address, port, { ...(c.ssl === true ? { tls: tls({ verifyName: '127.0.0.1' }) } : {}), ...c.spec, port });
    for (const path of pathsFor(spec)) {
      t.comment(path);
      expectProbe(t, await probeOnce(spec, c.trust === false ? untrusting : env, path), c, ['L4OK', 'L6OK']);
    }
  });
}

t.test('the ssl probe completed a handshake and sent no request', async (t) => {
  const address = '127.4.1.1';
  await fleet.add([address]);
  const r = await probeOnce(tcpSpec(address, fleet.httpsPort ?? 0, { tls: tls({ servername: 'x.fleet.test', verifyName: 'x.fleet.test' }) }), env);
  t.equal(r.code, 'L6OK');
  t.ok(await waitFor(() => fleet.stats(address)?.handshakes === 1), 'the server saw the handshake complete');
  const s = fleet.stats(address);
  t.equal(s?.requests, 0);
  t.equal(s?.lastServername, 'x.fleet.test');
  t.equal(s?.lastAlpn, '', 'tcp probes offer no ALPN');
});

t.test('a plain js connect counts one connection and no request', async (t) => {
  const address = '127.4.1.2';
  await fleet.add([address]);
  for (let i = 0; i < 3; i++) t.equal((await probeOnce(tcpSpec(address, fleet.httpPort), env, 'js')).code, 'L4OK');
  t.equal(fleet.count(address), 3);
  t.equal(fleet.stats(address)?.requests, 0);
});

t.test('a native plain connect is half-open: L4OK, and the server never accepts it', async (t) => {
  const address = '127.4.2.1';
  const accepted: number[] = [];
  const server = net.createServer((socket) => {
    accepted.push(socket.remotePort ?? 0);
    socket.on('error', () => {}); // an accepted probe would come reset
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ host: address, port: 0 }, resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  for (let i = 0; i < 3; i++) t.match(await probeOnce(tcpSpec(address, port), env, 'native'), { code: 'L4OK', detail: 'connected' });
  // The accept queue is in order: once a full connect made after the probes is accepted, any
  // probe that had completed its handshake would have been accepted before it.
  const marker = net.connect({ host: address, port });
  t.teardown(() => marker.destroy());
  await new Promise<void>((resolve, reject) => marker.once('error', reject).once('connect', resolve));
  await until(() => accepted.length > 0, 'the server to accept the full connect');
  t.same(accepted, [marker.localPort], 'the only connection the server accepted is the full connect');

  const closed = net.createServer();
  await new Promise<void>((resolve, reject) => closed.once('error', reject).listen({ host: address, port: 0 }, resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  t.match(await probeOnce(tcpSpec(address, closedPort), env, 'native'), { code: 'L4CON', detail: 'connect: ECONNREFUSED' }, 'a closed port is still refused');
});

for (const path of probePaths) {
  t.test(`connect timeout (${path})`, async (t) => {
    const hole = await startBlackhole();
    t.teardown(() => hole.close());
    const r = await probeOnce(tcpSpec('127.0.0.1', hole.port, { timeoutMs: 150 }), env, path);
    t.equal(r.code, 'L4TOUT');
    t.equal(r.detail, 'timeout after 150ms during connect');
  });

  t.test(`out of descriptors: EMFILE is the prober’s shortage, so the result is discarded (${path})`, async (t) => {
    const address = path === 'js' ? '127.4.1.4' : '127.4.1.5';
    await fleet.add([address]);
    // The path's own descriptors (the native prober's epoll) are opened before the limit drops.
    t.equal((await probeOnce(tcpSpec(address, fleet.httpPort), env, path)).code, 'L4OK', 'with descriptors, the probe passes');
    const native = loadNative();
    const { soft } = native.getNofileLimit();
    // RLIMIT_NOFILE bounds fd numbers: just above the highest open one, then fill the gaps.
    const highest = Math.max(...readdirSync('/proc/self/fd').map(Number));
    const fillers: number[] = [];
    let r;
    try {
      native.setNofileLimit(highest + 8);
      for (;;) {
        try {
          fillers.push(openSync('/dev/null', 'r'));
        } catch {
          break;
        }
      }
      r = await probeOnce(tcpSpec(address, fleet.httpPort), env, path);
    } finally {
      for (const fd of fillers) closeSync(fd);
      native.setNofileLimit(soft);
    }
    t.match(r, { ok: false, code: 'SOCKERR', detail: 'connect: EMFILE', discarded: true, discardReason: 'EMFILE' });
    t.equal(native.getNofileLimit().soft, soft, 'the soft limit is restored');
    t.equal((await probeOnce(tcpSpec(address, fleet.httpPort), env, path)).code, 'L4OK', 'with descriptors back, the probe passes');
  });
}

t.test('IPv6', async (t) => {
  await fleet.add(['::1']);
  for (const path of probePaths) t.equal((await probeOnce(tcpSpec('::1', fleet.httpPort), env, path)).code, 'L4OK', path);
  t.equal((await probeOnce(tcpSpec('::1', fleet.httpsPort ?? 0, { tls: tls({ verifyName: '::1' }) }), env)).code, 'L6OK');
});
