// Test helper: starts a worker thread on a TypeScript module (see tsx-worker-bootstrap.mjs).
// The module reads its own data from workerData as usual; `entry` is added to it.

import { Worker } from 'node:worker_threads';

export function startTsWorker(entry: URL, data: Record<string, unknown> = {}): Worker {
  return new Worker(new URL('./tsx-worker-bootstrap.mjs', import.meta.url), { workerData: { ...data, entry: entry.href } });
}
