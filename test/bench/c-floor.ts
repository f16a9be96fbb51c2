// The C floor checker (compiled here as the bench compiles it): each check is a new connection;
// an http check passes on a 2xx/3xx status line and fails on anything else; a tcp check passes
// on connect, half-open (the server never accepts it); a refused connection fails. Its report
// lines parse.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { compileFloor, parseFloorReport } from '../../bench/c-floor.js';
import { startReporting } from '../../bench/c-program.js';
import { freePort } from '../../bench/loopback-port.js';
import { until } from '../support/wait-for.js';

t.test('report lines', async (t) => {
  const cases = [
    { name: 'with lateness', in: 'checks=12 ok=10 fail=2 skipped=1 late_p99_us=1230', want: { checks: 12, ok: 10, fail: 2, skipped: 1, lateP99Us: 1230 } },
    { name: 'nothing due yet', in: 'checks=0 ok=0 fail=0 skipped=0 late_p99_us=-1', want: { checks: 0, ok: 0, fail: 0, skipped: 0, lateP99Us: undefined } },
    { name: 'other output', in: 'ready', want: undefined },
  ];
  for (const c of cases) t.same(parseFloorReport(c.in), c.want, c.name);
});

async function listen(status: number): Promise<{ server: Server; port: number; requests: () => number; accepted: () => number }> {
  let n = 0;
  let accepted = 0;
  const server = createServer((req, res) => {
    n++;
    res.writeHead(req.url === '/healthz' ? status : 404, { Connection: 'close' }).end();
  });
  server.on('connection', (socket) => {
    accepted++;
    socket.on('error', () => {}); // an accepted half-open check would come reset
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0, requests: () => n, accepted: () => accepted };
}

t.test('checks against a real server', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'c-floor-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const built = compileFloor(dir, false);
  if (!built.ok) throw new Error(built.error);
  const cases = [
    { name: 'http 200 passes', in: { mode: 'http', status: 200 as number | undefined }, want: 'ok' },
    { name: 'http 503 fails', in: { mode: 'http', status: 503 }, want: 'fail' },
    { name: 'tcp connect passes', in: { mode: 'tcp', status: 200 }, want: 'ok' },
    { name: 'refused fails', in: { mode: 'tcp', status: undefined }, want: 'fail' },
  ];
  for (const c of cases) {
    const server = c.in.status === undefined ? undefined : await listen(c.in.status);
    const port = server?.port ?? (await freePort());
    // One target (127.0.0.1), a check every 300 ms, timeout 300 ms.
    const floor = await startReporting('c-floor-checker', built.path, [c.in.mode, '1', '127.0.0.1', String(port), '300', '300'], parseFloorReport);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const r = await floor.report();
    await floor.part.stop();
    if (c.in.mode === 'tcp' && server !== undefined) {
      // The accept queue is in order: once a full connect made after the checks is accepted,
      // every check that completed its handshake would have been accepted before it.
      const marker = connect({ host: '127.0.0.1', port: server.port });
      await new Promise<void>((resolve, reject) => marker.once('error', reject).once('connect', resolve));
      await until(() => server.accepted() > 0, 'the server to accept the full connect');
      marker.destroy();
      t.equal(server.accepted(), 1, `${c.name}: half-open, the server accepted none of the checks`);
    }
    server?.server.close();
    t.ok(r.checks >= 2, `${c.name}: ${r.checks} checks done`);
    t.equal(r.ok + r.fail, r.checks, `${c.name}: every check counted once`);
    t.equal(c.want === 'ok' ? r.ok : r.fail, r.checks, `${c.name}: all ${c.want}`);
    if (c.in.mode === 'http' && server !== undefined) t.ok(server.requests() >= r.checks && server.requests() <= r.checks + 1, `${c.name}: one request per check`);
  }
});
