// reuse-connection end to end, lean (one built maglevd, VPP off, a 100 ms check): the daemon's
// probes of a keep-alive backend on 127.0.0.1 share one connection; when the backend closes it,
// the next probe opens another and the backend stays up; the metric, `maglevc show
// healthchecks` and GetHealthCheck say so; stopping the daemon closes the kept connection.

import net from 'node:net';
import t from 'tap';
import { runMaglevc } from '../support/control-plane-lab.js';
import { spawnMaglevd } from '../support/maglevd-process.js';
import { until } from '../support/wait-for.js';

/** An HTTP/1.1 keep-alive backend that counts connections and can close them all. */
async function keepAliveBackend(): Promise<{ port: number; accepted: () => number; open: () => number; closeAll: () => void; close: () => void }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => {
      if (chunk.includes('\r\n\r\n')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    open: () => sockets.size,
    closeAll: () => {
      for (const s of sockets) s.end();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** `maglev_probe_connections_total{healthcheck="keep",connection=…}` from a scrape. */
function connections(metrics: string, connection: 'opened' | 'reused'): number {
  const m = new RegExp(`^maglev_probe_connections_total\\{healthcheck="keep",connection="${connection}"\\} (\\S+)$`, 'm').exec(metrics);
  return Number(m?.[1] ?? 0);
}

void t.test('reuse-connection against a keep-alive backend', async (t) => {
  const backend = await keepAliveBackend();
  t.teardown(() => backend.close());
  const d = await spawnMaglevd({
    config: `maglev:
  vpp: { lb: { ipv4-src-address: 127.0.0.1 } }
  healthchecks:
    keep: { type: http, port: ${backend.port}, interval: 100ms, timeout: 5s, rise: 1, fall: 2, reuse-connection: true }
  backends: { a: { address: 127.0.0.1, healthcheck: keep } }
  frontends:
    fe: { address: 127.0.9.9, protocol: tcp, port: 80, pools: [{ name: p, backends: { a: {} } }] }
`,
  });
  t.teardown(() => d.stop('SIGKILL'));
  const scrape = async (): Promise<string> => (await fetch(`http://${d.metricsAddr ?? ''}/metrics`)).text();

  await until(async () => connections(await scrape(), 'reused') >= 5, 'five probes on the kept connection', 15_000);
  // Normally one connection; a stall on a loaded box (a discarded probe closes it) may add one.
  const first = await scrape();
  const opened = connections(first, 'opened');
  t.ok(opened >= 1 && opened < connections(first, 'reused'), `mostly reused (${opened} opened)`);
  t.equal(backend.accepted(), opened, 'every connection the backend accepted is one the metric counted');

  backend.closeAll();
  await until(async () => connections(await scrape(), 'opened') > opened, 'the next probe opens a new connection', 15_000);
  const reused = connections(await scrape(), 'reused');
  await until(async () => connections(await scrape(), 'reused') >= reused + 5, 'and keeps it', 15_000);
  const after = await scrape();
  t.notMatch(after, /^maglev_probe_total\{backend="a",type="http",result="failure"/m, 'no probe failed');

  const [list, one, rpc] = await Promise.all([
    runMaglevc(d.grpcAddr, ['show', 'healthchecks']),
    runMaglevc(d.grpcAddr, ['show', 'healthchecks', 'keep']),
    runMaglevc(d.grpcAddr, ['show', 'backends', 'a']),
  ]);
  t.match(list.stdout, /^keep\s+http\s+\d+\s+100ms\s+5s\s+1\s+2\s+reuse$/m);
  t.match(one.stdout, /^\s+reuse-connection\s+true$/m);
  t.match(rpc.stdout, /^\s+state\s+up$/m);

  await d.stop('SIGTERM');
  await until(() => backend.open() === 0, 'stopping the daemon closes the kept connection');
});
