// Cross-host consistency over time (docs/table-digest.md): after every lb-state read of any
// maglevd, the hosts' tables are compared again (vip-agreement.ts). A VIP whose hosts disagree
// for longer than the grace (-consistency-grace) is logged once as `vip-divergence` (warn) and
// flagged in maglev_frontend_vip_divergent; agreement after that is logged as `vip-agreement`.
// Short disagreements are normal: hosts probe on their own schedules, so a backend going down
// reaches each host's table a few intervals apart. Every change of the report is published.

import { Gauge, type Registry } from 'prom-client';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import { compareHosts, type HostTables, type VipAgreement } from './vip-agreement.js';

export interface VipConsistency extends VipAgreement {
  /** Unix ms since when the hosts disagree; undefined while they agree. */
  readonly divergentSince: number | undefined;
  /** The disagreement outlasted the grace (logged, and the metric is 1). */
  readonly divergent: boolean;
}

export interface ConsistencyMonitorOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly graceMs: number;
  readonly registry: Registry;
  /** The hosts to compare now: reachable maglevds whose VPP answered. */
  readonly hosts: () => HostTables[];
  /** Called with the whole report whenever it changes. */
  readonly publish: (vips: readonly VipConsistency[]) => void;
}

export class ConsistencyMonitor {
  readonly #o: ConsistencyMonitorOptions;
  readonly #hostsGauge: Gauge<'vip'>;
  readonly #agreeingGauge: Gauge<'vip'>;
  readonly #divergentGauge: Gauge<'vip'>;
  readonly #ratioGauge: Gauge<'vip'>;
  /** VIP key → since when its hosts disagree, and whether that was reported. */
  readonly #divergence = new Map<string, { vip: string; since: number; reported: boolean }>();
  #timer: TimerHandle | undefined;
  #report: readonly VipConsistency[] = [];
  /** The `vip` label values the gauges carry. */
  #labelled = new Set<string>();
  #published = '[]';

  constructor(o: ConsistencyMonitorOptions) {
    this.#o = o;
    const gauge = (name: string, help: string): Gauge<'vip'> => new Gauge({ name, help, labelNames: ['vip'], registers: [o.registry] });
    this.#hostsGauge = gauge('maglev_frontend_vip_hosts', 'LB hosts whose VPP holds the VIP');
    this.#agreeingGauge = gauge('maglev_frontend_vip_agreeing_hosts', 'LB hosts with the reference (most common) table of the VIP');
    this.#divergentGauge = gauge('maglev_frontend_vip_divergent', '1 while the hosts have disagreed on the VIP for longer than the grace');
    this.#ratioGauge = gauge('maglev_frontend_vip_divergent_buckets_ratio', 'Largest share of buckets in which a host differs from the reference');
  }

  get report(): readonly VipConsistency[] {
    return this.#report;
  }

  /** Compares the hosts again; cheap enough to run after every lb-state read. */
  update(): void {
    const now = this.#o.clock.now();
    const agreements = compareHosts(this.#o.hosts());
    const seen = new Set<string>();
    let nextDeadline: number | undefined;
    this.#report = agreements.map((a) => {
      seen.add(a.key);
      const labels = { vip: a.vip };
      this.#hostsGauge.set(labels, a.hosts.length);
      this.#agreeingGauge.set(labels, a.agreeing.length);
      this.#ratioGauge.set(labels, Math.max(0, ...a.differences.map((d) => d.share)));
      const d = this.#track(a, now);
      this.#divergentGauge.set(labels, d?.reported === true ? 1 : 0);
      if (d !== undefined && !d.reported) nextDeadline = Math.min(nextDeadline ?? Infinity, d.since + this.#o.graceMs);
      return { ...a, divergentSince: d?.since, divergent: d?.reported === true };
    });
    for (const [key, d] of this.#divergence) {
      if (seen.has(key)) continue;
      // The VIP is gone from every host (or only one holds it now): nothing left to disagree on.
      this.#divergence.delete(key);
      if (d.reported) this.#o.logger.info('vip-agreement', { vip: d.vip, reason: 'no host holds it any more' });
    }
    this.#removeStaleLabels(new Set(agreements.map((a) => a.vip)));
    this.#schedule(nextDeadline, now);
    const json = JSON.stringify(this.#report);
    if (json !== this.#published) {
      this.#published = json;
      this.#o.publish(this.#report);
    }
  }

  stop(): void {
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The divergence record of one VIP after this comparison; logs the edges. */
  #track(a: VipAgreement, now: number): { since: number; reported: boolean } | undefined {
    const d = this.#divergence.get(a.key);
    if (a.differences.length === 0) {
      if (d !== undefined) {
        this.#divergence.delete(a.key);
        if (d.reported) this.#o.logger.info('vip-agreement', { vip: a.vip, frontends: a.frontends.join(','), diverged_ms: now - d.since });
      }
      return undefined;
    }
    const rec = d ?? { vip: a.vip, since: now, reported: false };
    this.#divergence.set(a.key, rec);
    if (!rec.reported && now - rec.since >= this.#o.graceMs) {
      rec.reported = true;
      this.#o.logger.warn('vip-divergence', { vip: a.vip, frontends: a.frontends.join(','), hosts: a.hosts.length, agreeing: a.agreeing.length, detail: a.text, since_ms: now - rec.since });
    }
    return rec;
  }

  /** One timer for the earliest divergence that is not reported yet. */
  #schedule(deadline: number | undefined, now: number): void {
    this.stop();
    if (deadline === undefined) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.update();
    }, Math.max(0, deadline - now));
  }

  /** prom-client keeps a label set until it is removed: a VIP gone from every host leaves no series. */
  #removeStaleLabels(current: ReadonlySet<string>): void {
    for (const vip of this.#labelled) {
      if (current.has(vip)) continue;
      for (const g of [this.#hostsGauge, this.#agreeingGauge, this.#divergentGauge, this.#ratioGauge]) g.remove({ vip });
    }
    this.#labelled = new Set(current);
  }
}
