// probe-throughput's output: one markdown section per (type, size) run with a row per checker,
// the CPU-per-check ratios that the targets are stated in, and the machine it ran on. Pure.

import type { CheckerRow } from './checker-window.js';
import type { CheckerName, ProbeType } from './probe-throughput-options.js';
import { formatDurationMs } from '../src/shared/duration.js';

export interface ReportRow extends CheckerRow {
  readonly kind: CheckerName;
}

export interface MachineInfo {
  readonly node: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly kernel: string;
}

export interface RunReport {
  readonly type: ProbeType;
  readonly backends: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly fleet: string;
  readonly startedAt: Date;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly machine: MachineInfo;
  readonly rows: readonly ReportRow[];
}

const fixed = (n: number | undefined, digits: number): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));

export function runTitle(r: Pick<RunReport, 'type' | 'backends' | 'intervalMs' | 'durationMs'>): string {
  return `probe-throughput: ${r.type}, ${r.backends} backends every ${formatDurationMs(r.intervalMs)}, ${formatDurationMs(r.durationMs)} per checker`;
}

/** "maglevd / HAProxy 1.85 ×" when both rows have a CPU per check. */
export function cpuRatio(rows: readonly ReportRow[], a: CheckerName, b: CheckerName): number | undefined {
  const x = rows.find((r) => r.kind === a)?.cpuUsPerCheck;
  const y = rows.find((r) => r.kind === b)?.cpuUsPerCheck;
  return x === undefined || y === undefined || y === 0 ? undefined : x / y;
}

export function formatRun(r: RunReport): string {
  const row = (x: ReportRow): string =>
    `| ${x.checker} | ${fixed(x.cpuUsPerCheck, 1)} | ${fixed(x.cpuPctOfCore, 1)} | ${fixed(x.checksPerS, 0)} (${Math.round(x.expectedPerS)}) | ${fixed(x.okPct, 2)} | ${fixed(x.rssEndMb, 0)} / ${fixed(x.rssMaxMb, 0)} | ${fixed(x.latenessP99Ms, 1)} | ${x.notes.join('; ')} |`;
  const ratio = (b: CheckerName, name: string, a: CheckerName = 'maglevd', aName = 'maglevd'): string => {
    const v = cpuRatio(r.rows, a, b);
    return `${aName} / ${name} ${v === undefined ? 'n/a' : `${v.toFixed(2)} ×`}`;
  };
  const reuse = r.rows.some((x) => x.kind === 'maglevd-reuse' && x.cpuUsPerCheck !== undefined)
    ? [`With reuse-connection: ${ratio('maglevd', 'maglevd', 'maglevd-reuse', 'maglevd reuse')}; ${ratio('haproxy', 'HAProxy', 'maglevd-reuse', 'maglevd reuse')}.`, '']
    : [];
  return [
    `## ${runTitle(r)} (${r.startedAt.toISOString()})`,
    '',
    `Fleet: ${r.fleet}, ${r.backends} backends on 127.1.0.1 onwards, one port; check timeout ${formatDurationMs(r.timeoutMs)}, rise 2, fall 3. ` +
      `Each checker ran alone for ${formatDurationMs(r.durationMs)}; the first ${formatDurationMs(r.warmupMs)} (and a settle of at least 1s) were not measured. ` +
      `Machine: ${r.machine.cores} × ${r.machine.cpuModel}, Linux ${r.machine.kernel}, Node ${r.machine.node}; load average ${r.loadStart.toFixed(1)} at start, ${r.loadEnd.toFixed(1)} at end.`,
    '',
    '| checker | CPU µs/check | CPU % of a core | checks/s (expected) | ok % | RSS MB end / max | lateness p99 ms | note |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...r.rows.map(row),
    '',
    `CPU per check: ${ratio('haproxy', 'HAProxy')}; ${ratio('floor', 'C floor')}.`,
    '',
    ...reuse,
  ].join('\n');
}
