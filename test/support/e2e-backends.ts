// Test helper for the end-to-end scenarios: tiny HTTP backends on 127.x.y.z loopback addresses,
// all on one port (a health check has one port), each answering 200 while healthy and 503 once
// failed, so maglevd's http probes see a backend fail and recover without any listener churn.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Teardown } from './vpp-sim-harness.js';

export interface Backends {
  /** The port every backend listens on. */
  readonly port: number;
  /** Healthy (200) or failed (503). */
  setHealthy(address: string, healthy: boolean): void;
  close(): Promise<void>;
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts one healthy backend per address (the first picks a free port, the rest reuse it); closed at teardown. */
export async function startBackends(t: Teardown, addresses: readonly string[]): Promise<Backends> {
  const healthy = new Map<string, boolean>();
  const servers: http.Server[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(
      servers.splice(0).map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  };
  t.teardown(close);
  let port = 0;
  for (const address of addresses) {
    healthy.set(address, true);
    const server = http.createServer((_req, res) => {
      const ok = healthy.get(address) === true;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain', connection: 'close' });
      res.end(ok ? 'ok\n' : 'failed\n');
    });
    servers.push(server);
    port = await listen(server, address, port);
  }
  return {
    port,
    setHealthy(address, ok) {
      if (!healthy.has(address)) throw new Error(`no backend ${address}`);
      healthy.set(address, ok);
    },
    close,
  };
}
