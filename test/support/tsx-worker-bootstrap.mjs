// Test helper: the entry of a worker thread that runs a TypeScript module. Node 20 does not
// apply --import=tsx to worker threads, so register tsx here, then import workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
