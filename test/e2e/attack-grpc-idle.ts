// Attack: idle sockets on the gRPC port (issue "the checker must never drain healthy backends
// because of its own trouble"). grpc-js alone keeps a socket that never speaks HTTP/2 open for
// good, and every one costs a file descriptor the probes need: with a lowered fd limit, 1200 idle
// sockets made every probe fail with EMFILE and every healthy backend go down. With the caps
// (at most 256 connections, a handshake deadline, an idle timeout) the flood cannot reach the
// probes' descriptors: every backend stays up and every weight stays in VPP. Under a limit too
// small even for the 256 (`--nofile=300`), the fd budget keeps a reserve for probes and lowers
// the gRPC and metrics caps (`fd-limits`), and a probe that still hits EMFILE is discarded.

import { connect, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { baseFds, metricsMaxConnections, probeHeadroomFds } from '../../src/daemon/fd-budget.js';
import { checkedBackends, startControlPlaneLab, webVip, type ControlPlaneLab } from '../support/control-plane-lab.js';

const webKey = `${webVip.prefix} ${webVip.protocol} ${webVip.port}`;
const wantWeights = JSON.stringify({ [checkedBackends.be1]: 100, [checkedBackends.be2]: 50, [checkedBackends.be3]: 0 });

/** Opens a raw TCP connection to host:port and resolves once connected (or failed). */
function rawSocket(host: string, port: number, send = ''): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.on('error', () => {});
    socket.resume();
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => {
      if (send !== '') socket.write(send);
      resolve({ socket, closed });
    });
    socket.once('close', () => resolve({ socket, closed }));
  });
}

/** host and port of a `host:port` listen address. */
function hostPort(addr: string): [string, number] {
  return [addr.replace(/:\d+$/, ''), Number(addr.replace(/^.*:/, ''))];
}

/** Samples the web VIP's weights every 250 ms for 5 s (many probe intervals: 200 ms, fall 2). */
async function weightsDuringFlood(t: Test, lab: ControlPlaneLab): Promise<void> {
  const until = Date.now() + 5000;
  const seen: string[] = [];
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    seen.push(JSON.stringify(lab.vips()[webKey]));
  }
  t.ok(seen.length > 10, 'sampled the VIP throughout');
  t.same(seen.filter((w) => w !== wantWeights), [], 'every weight in place at every sample during the flood');
  t.same(lab.d.logs.filter((l) => l.msg === 'backend-transition' && l.to === 'down'), [], 'no backend went down');
}

void t.test('1200 idle sockets under a 1200-fd limit: the cap holds, backends stay up, weights stay', async (t) => {
  const lab = await startControlPlaneLab(t, { nofile: 1200 });
  await lab.d.waitForLog((l) => l.msg === 'vpp-connect');
  await lab.allUp();
  await lab.until(() => JSON.stringify(lab.vips()[webKey]) === wantWeights, 'the web VIP programmed');
  const [host, port] = hostPort(lab.d.grpcAddr);

  const socks: Socket[] = [];
  t.teardown(() => socks.forEach((s) => s.destroy()));
  for (let i = 0; i < 1200; i++) socks.push((await rawSocket(host, port)).socket);
  await weightsDuringFlood(t, lab);
  const open = socks.filter((s) => !s.destroyed).length;
  t.ok(open <= 256 + 8, `at most the cap of connections stay open (${open} of 1200)`);
  await lab.d.waitForLog((l) => l.msg === 'grpc-connection-refused', 5000).catch(() => undefined);
  const refused = lab.d.logs.filter((l) => l.msg === 'grpc-connection-refused');
  t.ok(refused.length >= 1, 'the refusals are logged');
  t.match(refused[0], { reason: 'at most 256 connections', remote: '127.0.0.1' });
  for (const name of ['be1', 'be2', 'be3']) t.equal((await lab.rpc.call('GetBackend', { name })).state, 'up', `${name} up after the flood`);
  t.notOk(lab.d.logs.some((l) => JSON.stringify(l).includes('EMFILE')), 'no EMFILE anywhere');
});

void t.test('idle gRPC and metrics sockets under --nofile=300: the probes keep their reserve, the caps shrink', async (t) => {
  const nofile = 300;
  const lab = await startControlPlaneLab(t, { nofile });
  await lab.d.waitForLog((l) => l.msg === 'vpp-connect');
  await lab.allUp(['be1', 'be2', 'be3']);
  await lab.until(() => JSON.stringify(lab.vips()[webKey]) === wantWeights, 'the web VIP programmed');
  // be1..be3 are health-checked (static1 is not): a reserve of 2 × 3 + headroom.
  const reserve = 2 * 3 + probeHeadroomFds;
  const grpcCap = nofile - baseFds - reserve - metricsMaxConnections;
  t.match(
    lab.d.logs.find((l) => l.msg === 'fd-limits'),
    { level: 'WARN', soft: nofile, hard: nofile, backends: 3, probeReserve: reserve, grpcMaxConnections: grpcCap, grpcConfigured: 256, metricsMaxConnections },
    'fd-limits logs the budget and the lowered gRPC cap',
  );

  const socks: Socket[] = [];
  t.teardown(() => socks.forEach((s) => s.destroy()));
  const [gHost, gPort] = hostPort(lab.d.grpcAddr);
  const [mHost, mPort] = hostPort(lab.d.metricsAddr ?? '');
  for (let i = 0; i < 2 * nofile; i++) socks.push((await rawSocket(gHost, gPort)).socket);
  for (let i = 0; i < 2 * metricsMaxConnections; i++) socks.push((await rawSocket(mHost, mPort)).socket);
  await weightsDuringFlood(t, lab);
  const open = socks.filter((s) => !s.destroyed).length;
  t.ok(open <= grpcCap + metricsMaxConnections + 8, `at most the lowered caps stay open (${open} of ${socks.length})`);
  t.same(lab.d.logs.filter((l) => l.msg === 'backend-transition' && JSON.stringify(l).includes('EMFILE')), [], 'no transition blames EMFILE');
  for (const name of ['be1', 'be2', 'be3']) t.equal((await lab.rpc.call('GetBackend', { name })).state, 'up', `${name} up after the flood`);
  socks.forEach((s) => s.destroy());
  t.equal((await fetch(`http://${lab.d.metricsAddr ?? ''}/healthz`)).status, 200, '/healthz answers 200 once the flood is gone');
});

void t.test('idle and preface-less sockets are closed: handshake deadline and idle timeout', async (t) => {
  const lab = await startControlPlaneLab(t, { vpp: false, extraArgs: ['--grpc-handshake-timeout=1s', '--grpc-idle-timeout=2s'] });
  const [host, port] = hostPort(lab.d.grpcAddr);
  const started = Date.now();
  const silent = await rawSocket(host, port);
  const prefaceOnly = await rawSocket(host, port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00');
  await silent.closed;
  t.ok(Date.now() - started < 4000, 'a socket that never sends the HTTP/2 preface is closed at the 1 s handshake deadline');
  await prefaceOnly.closed;
  t.ok(Date.now() - started < 6000, 'an HTTP/2 connection without calls is closed by the 2 s idle timeout');
  t.equal((await lab.rpc.call('ListBackends')).backend_names.length, 4, 'the API still serves');
});
