// Test helper run as a worker thread: enters workerData.netns, then reports what this thread
// sees from inside (namespace inode, the TCP server on 127.0.0.1:port, an ICMP echo), and
// stays alive until told to exit so the test can inspect the process's threads meanwhile.

import { connect } from 'node:net';
import { promises as fs, statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { enterNetns } from '../../src/workers/netns.js';
import { echoOnce } from './icmp-echo.js';

const { netns, port } = workerData as { netns: string; port: number };

function fetchTag(): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
}

const entered = enterNetns(netns);
let report: Record<string, unknown> = { entered };
if (entered.ok) {
  await fs.stat('/'); // threadpool work from inside: must not spawn pool threads here
  const echo = await echoOnce(4, '127.0.0.1', 21);
  report = { entered, ino: statSync('/proc/thread-self/ns/net').ino, tag: await fetchTag(), echoRaw: echo.raw };
}
parentPort?.postMessage(report);
parentPort?.once('message', () => parentPort?.close());
