// Starts every libuv threadpool thread from the main thread, in the default network namespace.
// libuv spawns its pool lazily, and the threads inherit the namespace of whichever thread first
// queues work; if that were a worker that had entered the health-check namespace, every fs,
// dns.lookup and crypto job of the process would run inside it. Call once before any setns.

import { promises as fs } from 'node:fs';

/** The pool size libuv will use (UV_THREADPOOL_SIZE, default 4, clamped to 1..1024). */
export function threadpoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env['UV_THREADPOOL_SIZE'] ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * Queues more jobs than there are pool threads, all at once. libuv 1.x starts the whole pool on
 * the first submission; a job per thread also covers a pool that grows lazily.
 */
export async function warmThreadpool(): Promise<void> {
  const jobs = Array.from({ length: threadpoolSize() + 1 }, () => fs.stat('/').then(() => undefined));
  await Promise.all(jobs);
}
