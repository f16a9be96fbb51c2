// Loads config files in a worker thread (docs/security.md): parsing a large valid config takes
// seconds of CPU, and CheckConfig and ReloadConfig let any gRPC client ask for one, so the main
// thread (probe results, rise/fall, VPP sync, RPCs) must not do it. One thread at most, started
// on demand and ended when idle; its heap is capped, and a parse that outgrows the cap is a parse
// failure, not a crash of the daemon. Callers run one load at a time (maglevd-control-plane.ts).

import { Piscina } from 'piscina';
import { errorMessage } from '../shared/errors.js';
import { siblingModuleUrl } from '../shared/module-url.js';
import type { ConfigVerdict, LoadConfigRequest } from './load-task.js';
import { freezeConfigLoad, type ConfigLoad } from './loader.js';

export interface OffThreadConfigLoaderOptions {
  /** The worker heap cap in MiB (default 2048; a 4 MiB config needs ~400, 16 MiB ~1600). */
  readonly maxHeapMb?: number;
  /** How long the idle thread is kept for the next load (default 10 s). */
  readonly idleMs?: number;
}

export const defaultConfigWorkerHeapMb = 2048;

/** What a worker failure becomes: a parse failure at no position, the reason in words. */
function workerFailure(e: unknown, heapMb: number): ConfigLoad {
  const oom = typeof e === 'object' && e !== null && 'code' in e && e.code === 'ERR_WORKER_OUT_OF_MEMORY';
  const message = oom
    ? `the config could not be parsed within the parser's memory limit (${heapMb} MiB)`
    : `the config parser failed: ${errorMessage(e)}`;
  return { ok: false, stage: 'parse', errors: [{ path: '', line: 0, col: 0, message }] };
}

export class OffThreadConfigLoader {
  readonly #pool: Piscina;
  readonly #heapMb: number;
  /** Loads waiting for an answer: a worker that dies outside a task fails them all. */
  readonly #waiting = new Set<(e: unknown) => void>();

  constructor(opts: OffThreadConfigLoaderOptions = {}) {
    this.#heapMb = opts.maxHeapMb ?? defaultConfigWorkerHeapMb;
    this.#pool = new Piscina({
      filename: siblingModuleUrl(import.meta.url, './load-task.js').href,
      name: 'loadConfigTask',
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: opts.idleMs ?? 10_000,
      resourceLimits: { maxOldGenerationSizeMb: this.#heapMb },
      atomics: 'disabled',
    });
    // A worker that dies outside a task (say, out of memory while starting) must not become an
    // uncaught 'error' in the daemon, and must not leave its queued task waiting forever (the
    // config gate would never open again): every waiting load is answered by workerFailure.
    this.#pool.on('error', (e: unknown) => {
      for (const fail of this.#waiting) fail(e);
    });
  }

  /** Reads and parses `path` off the main thread; never rejects. The config comes back frozen. */
  async load(path: string): Promise<ConfigLoad> {
    // withConfig: the task answers a whole ConfigLoad.
    return freezeConfigLoad((await this.#run({ path, withConfig: true })) as ConfigLoad);
  }

  /** Parses a candidate config text (PreviewChange) off the main thread; never rejects. */
  async parse(text: string): Promise<ConfigLoad> {
    return freezeConfigLoad((await this.#run({ text, withConfig: true })) as ConfigLoad);
  }

  /** Like load, without copying the config back: for CheckConfig, whose answer is the verdict. */
  check(path: string): Promise<ConfigVerdict> {
    return this.#run({ path, withConfig: false });
  }

  async #run(req: LoadConfigRequest): Promise<ConfigLoad | ConfigVerdict> {
    let fail!: (e: unknown) => void;
    const died = new Promise<never>((_, reject) => {
      fail = reject;
    });
    this.#waiting.add(fail);
    const running = this.#pool.run(req) as Promise<ConfigLoad | ConfigVerdict>;
    running.catch(() => {}); // answered below, or no longer awaited once `died` won
    try {
      return await Promise.race([running, died]);
    } catch (e) {
      return workerFailure(e, this.#heapMb);
    } finally {
      this.#waiting.delete(fail);
    }
  }

  /** Ends the worker thread (a load in flight is rejected and reported as a parser failure). */
  async close(): Promise<void> {
    await this.#pool.close({ force: true });
  }
}
