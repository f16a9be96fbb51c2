// Ports for the bench's servers: a free one to hand to nginx, and a wait until a server accepts
// connections (a listening socket, not a pid or a file, is what "ready" means).

import { createServer, connect, type NetConnectOpts } from 'node:net';

/** A TCP port free on every interface right now (bound to 0.0.0.0 and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(target: NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(target);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once a connect to `target` succeeds; rejects after timeoutMs or once `gone()` holds. */
export async function waitForConnect(target: NetConnectOpts, what: string, timeoutMs: number, gone: () => boolean = () => false): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await tryConnect(target))) {
    if (gone()) throw new Error(`${what} exited before it accepted connections`);
    if (performance.now() > end) throw new Error(`${what} did not accept connections within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
