// maglevt's non-interactive output (our addition; upstream has only the terminal UI): one
// JSON object per line every -report-interval, with every VIP's statistics and the anomalies
// since the previous line, so scripts and tests can watch a VIP without a terminal. The last
// line, written on exit, has `final: true`. Pure: builds the object; the caller prints it.

import type { Anomaly } from './anomaly-log.js';
import type { VipStatsSnapshot } from './vip-stats.js';
import { vipLabel, type VipTarget } from './vip-target.js';

/** One table row: a target and its statistics (undefined for `n/a` targets). */
export interface VipView {
  readonly target: VipTarget;
  readonly stats: VipStatsSnapshot | undefined;
}

export interface JsonReportInput {
  readonly nowMs: number;
  readonly startedMs: number;
  readonly vips: readonly VipView[];
  /** Anomalies since the previous report, oldest first. */
  readonly anomalies: readonly Anomaly[];
  readonly final: boolean;
}

function ms(v: number | undefined): number | null {
  return v === undefined ? null : Math.round(v * 1000) / 1000;
}

function iso(atMs: number): string {
  return new Date(atMs).toISOString();
}

function vipJson(v: VipView): Record<string, unknown> {
  const t = v.target;
  const base = { name: t.name, vip: vipLabel(t), address: t.address, protocol: t.protocol, port: t.port, kind: t.kind };
  const s = v.stats;
  if (s === undefined) return { ...base, last: 'n/a' };
  return {
    ...base,
    n: s.n,
    fail: s.fail,
    okPct: s.okPct === undefined ? null : Math.round(s.okPct * 100) / 100,
    p50Ms: ms(s.p50Ms),
    p95Ms: ms(s.p95Ms),
    p99Ms: ms(s.p99Ms),
    maxMs: ms(s.maxMs),
    last: s.last ?? null,
    tally: s.tally.map((e) => ({ value: e.value, count: e.count, lastSeen: iso(e.lastSeenMs), receiving: e.receiving })),
    anomalies: s.anomalies,
  };
}

export function jsonReport(input: JsonReportInput): Record<string, unknown> {
  return {
    time: iso(input.nowMs),
    elapsedMs: Math.round(input.nowMs - input.startedMs),
    final: input.final,
    vips: input.vips.map(vipJson),
    anomalies: input.anomalies.map((a) => ({ time: iso(a.atMs), vip: a.vip, kind: a.kind, detail: a.detail })),
  };
}
