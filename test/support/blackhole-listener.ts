// Test helper: a TCP listener whose accept queue is full, so new connects hang (the kernel drops
// their SYNs): the loopback way to get a connect timeout. A worker thread listens with backlog 1
// and then blocks its event loop forever, so it never accepts; two filler connections fill the queue.

import net from 'node:net';
import { Worker } from 'node:worker_threads';

export interface Blackhole {
  readonly port: number;
  close(): Promise<void>;
}

const workerSource = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const s = net.createServer();
s.listen({ host: workerData.host, port: 0, backlog: 1 }, () => {
  parentPort.postMessage(s.address().port);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
`;

export async function startBlackhole(host = '127.0.0.1'): Promise<Blackhole> {
  const worker = new Worker(workerSource, { eval: true, workerData: { host } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (p: number) => resolve(p));
    worker.once('error', reject);
  });
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const c = net.connect({ host, port });
    c.on('error', () => {});
    fillers.push(c);
    await new Promise<void>((resolve) => c.once('connect', () => resolve()));
  }
  return {
    port,
    async close() {
      for (const c of fillers) c.destroy();
      await worker.terminate();
    },
  };
}
