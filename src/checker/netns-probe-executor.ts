// A ProbeExecutor whose worker pool can be replaced when a reload changes
// healthchecker.netns: workers enter their namespace once, at start, so a new namespace needs
// new workers. The swap happens before the checker restarts its loops (which cancels every
// in-flight probe: cancels reach the old pool too until it is closed); the old pool is closed
// afterwards.

import type { ProbeExecutor, ProbeSink, ProbeTarget } from './probe-executor.js';

export type ExecutorFactory = (netns: string) => Promise<ProbeExecutor>;

export class NetnsProbeExecutor implements ProbeExecutor {
  readonly #factory: ExecutorFactory;
  #netns: string;
  #current: ProbeExecutor;
  /** Replaced pools not closed yet: they may still have probes in flight. */
  readonly #old = new Set<ProbeExecutor>();
  #sink: ProbeSink | undefined;

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

  setSink(sink: ProbeSink): void {
    this.#sink = sink;
    this.#current.setSink(sink);
  }

  start(key: number, target: ProbeTarget): void {
    this.#current.start(key, target);
  }

  cancel(key: number): void {
    this.#current.cancel(key);
    for (const old of this.#old) old.cancel(key);
  }

  release(key: number): void {
    this.#current.release?.(key);
    for (const old of this.#old) old.release?.(key);
  }

  poll(): void {
    this.#current.poll?.();
    for (const old of this.#old) old.poll?.();
  }

  /**
   * Starts a pool in `netns` and routes new probes to it. Returns a function that closes the
   * old pool, to be called once the checker has restarted its loops; undefined when unchanged.
   */
  async switchTo(netns: string): Promise<(() => Promise<void>) | undefined> {
    if (netns === this.#netns) return undefined;
    const next = await this.#factory(netns);
    if (this.#sink !== undefined) next.setSink(this.#sink);
    const old = this.#current;
    this.#old.add(old);
    this.#current = next;
    this.#netns = netns;
    return () => {
      this.#old.delete(old);
      return old.close();
    };
  }

  close(): Promise<void> {
    return this.#current.close();
  }
}
