// Test helper run as a worker thread: a SEQPACKET server that hands out one memfd holding
// workerData.bytes, so the blocking recvFd() can be tested from the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { loadNative } from '../../src/shared/native.js';

const { path, bytes } = workerData as { path: string; bytes: Uint8Array };
const n = loadNative();
const memfd = n.memfdCreate('fd-server-test');
writeSync(memfd, bytes, 0, bytes.length, 0);
const listener = n.listenSeqpacket(path);
const timer = setInterval(() => {
  if (n.acceptSendFd(listener, memfd) === 1) {
    clearInterval(timer);
    n.closeFd(listener);
    n.closeFd(memfd);
    parentPort?.postMessage('served');
  }
}, 5);
parentPort?.postMessage('listening');
