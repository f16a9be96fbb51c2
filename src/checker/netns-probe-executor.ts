// A ProbeExecutor whose worker pool can be replaced when a reload changes
// healthchecker.netns: workers enter their namespace once, at start, so a new namespace needs
// new workers. The swap happens before the checker restarts its loops (which cancels every
// in-flight probe of the old pool); the old pool is closed afterwards.

import type { ProbeExecutor, ProbeTarget } from './probe-executor.js';
import type { ProbeResult } from '../shared/health.js';

export type ExecutorFactory = (netns: string) => Promise<ProbeExecutor>;

export class NetnsProbeExecutor implements ProbeExecutor {
  readonly #factory: ExecutorFactory;
  #netns: string;
  #current: ProbeExecutor;

  private constructor(factory: ExecutorFactory, netns: string, first: ProbeExecutor) {
    this.#factory = factory;
    this.#netns = netns;
    this.#current = first;
  }

  static async create(factory: ExecutorFactory, netns: string): Promise<NetnsProbeExecutor> {
    return new NetnsProbeExecutor(factory, netns, await factory(netns));
  }

  get netns(): string {
    return this.#netns;
  }

  run(target: ProbeTarget, onResult: (result: ProbeResult) => void): () => void {
    return this.#current.run(target, onResult);
  }

  /**
   * Starts a pool in `netns` and routes new probes to it. Returns a function that closes the
   * old pool, to be called once the checker has restarted its loops; undefined when unchanged.
   */
  async switchTo(netns: string): Promise<(() => Promise<void>) | undefined> {
    if (netns === this.#netns) return undefined;
    const next = await this.#factory(netns);
    const old = this.#current;
    this.#current = next;
    this.#netns = netns;
    return () => old.close();
  }

  close(): Promise<void> {
    return this.#current.close();
  }
}
