// The probe cadence of one VIP: every -interval ±10 % jitter, the first probe
// at a random offset so VIPs do not fire in lockstep. Probes of one VIP never overlap: the next
// one starts a jittered interval after the previous one started, or at once if that moment has
// passed (a probe that ran into its deadline). Each sample goes into the VIP's statistics and
// any anomaly into the shared log. Time and randomness are injected.

import type { Clock, TimerHandle } from '../shared/clock.js';
import type { AnomalyLog } from './anomaly-log.js';
import type { VipProbe } from './vip-probe.js';
import type { VipStats } from './vip-stats.js';

/** interval × (0.9 + 0.2·r), r in [0, 1). */
export function jitteredInterval(intervalMs: number, random: () => number): number {
  return intervalMs * (0.9 + 0.2 * random());
}

export interface ProbeLoopOptions {
  readonly vip: string;
  readonly probe: VipProbe;
  readonly stats: VipStats;
  readonly anomalies: AnomalyLog;
  readonly clock: Clock;
  readonly random: () => number;
  readonly intervalMs: number;
}

export class ProbeLoop {
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  readonly options: ProbeLoopOptions;

  constructor(options: ProbeLoopOptions) {
    this.options = options;
  }

  start(): void {
    const { clock, random, intervalMs } = this.options;
    this.#timer = clock.setTimeout(() => this.#fire(), random() * intervalMs);
  }

  /** Stops probing: ends the probe in flight (its result is dropped) and waits for it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.options.probe.close();
    await this.#running;
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    this.#running = this.#once();
  }

  async #once(): Promise<void> {
    const { vip, probe, stats, anomalies, clock, random, intervalMs } = this.options;
    const startedMs = clock.now();
    const sample = await probe.run();
    if (this.#stopped) return;
    const doneMs = clock.now();
    const finding = stats.record(sample, doneMs);
    if (finding !== undefined) anomalies.add(doneMs, vip, finding.kind, finding.detail);
    const nextMs = startedMs + jitteredInterval(intervalMs, random);
    this.#timer = clock.setTimeout(() => this.#fire(), Math.max(0, nextMs - clock.now()));
  }
}
