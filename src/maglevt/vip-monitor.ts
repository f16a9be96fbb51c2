// All of maglevt's probing in one object: a probe loop, prober and statistics per probe-able VIP,
// and the shared anomaly log. Both front ends (terminal UI and JSON reports) read it through
// views(); nothing here prints.

import type { Clock } from '../shared/clock.js';
import { AnomalyLog } from './anomaly-log.js';
import type { VipView } from './json-report.js';
import { ProbeLoop } from './probe-loop.js';
import { createVipProbe, type ProbeSettings } from './vip-probe.js';
import { anomalyKinds, VipStats, type AnomalyKind } from './vip-stats.js';
import type { VipTarget } from './vip-target.js';

export interface VipMonitorOptions {
  readonly targets: readonly VipTarget[];
  readonly settings: ProbeSettings;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly random: () => number;
}

interface Entry {
  readonly target: VipTarget;
  readonly stats: VipStats | undefined;
  readonly loop: ProbeLoop | undefined;
}

export class VipMonitor {
  readonly anomalies = new AnomalyLog();
  readonly #entries: readonly Entry[];

  constructor(o: VipMonitorOptions) {
    this.#entries = o.targets.map((target) => {
      const probe = createVipProbe(target, o.settings);
      if (probe === undefined) return { target, stats: undefined, loop: undefined };
      const stats = new VipStats();
      const loop = new ProbeLoop({ vip: target.name, probe, stats, anomalies: this.anomalies, clock: o.clock, random: o.random, intervalMs: o.intervalMs });
      return { target, stats, loop };
    });
  }

  start(): void {
    for (const e of this.#entries) e.loop?.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#entries.map((e) => e.loop?.stop() ?? Promise.resolve()));
  }

  views(nowMs: number): VipView[] {
    return this.#entries.map((e) => ({ target: e.target, stats: e.stats?.snapshot(nowMs) }));
  }
}

/** Lifetime anomalies by kind over all VIPs. */
export function anomalyTotals(views: readonly VipView[]): Record<AnomalyKind, number> {
  const out = { timeout: 0, 'http-err': 0, 'net-err': 0, spike: 0 };
  for (const v of views) for (const k of anomalyKinds) out[k] += v.stats?.anomalies[k] ?? 0;
  return out;
}
