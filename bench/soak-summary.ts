// The soak's write-up: one `### <title>` subsection for bench/RESULTS.md (and the console) from
// everything a run measured: the verdict with its reasons, growth, steady-state rates, /healthz,
// shutdown, the end-of-run dataplane check, the other processes, maglevd's log volume, and the
// sample table. Pure.

import { cpus, totalmem } from 'node:os';
import { formatDurationMs } from '../src/shared/duration.js';
import type { Convergence } from './soak-convergence.js';
import { growthLimitPct, liveHeapSlackMb, sampleTable, type GrowthVerdict } from './soak-report.js';
import type { SoakSample } from './soak-sample.js';

export interface SoakOutcome {
  readonly backends: number;
  readonly frontends: number;
  readonly perFrontend: number;
  readonly flapPercent: number;
  readonly durationMs: number;
  readonly sampleMs: number;
  readonly flipEveryMs: number;
  readonly startedAt: Date;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly samples: readonly SoakSample[];
  readonly verdict: GrowthVerdict;
  readonly problems: readonly string[];
  readonly healthz: { readonly polls: number; readonly bad: number };
  /** undefined when maglevd died before the end. */
  readonly shutdown: { readonly code: number; readonly seconds: number } | undefined;
  readonly ranS: number;
  readonly flapper: { readonly rounds: number; readonly requests: number; readonly down: number };
  readonly convergence: Convergence | undefined;
  readonly fleetRssMb: number;
  readonly simRssMb: number;
  readonly logCounts: ReadonlyMap<string, number>;
  readonly warnings: readonly string[];
  /** Probe failures by code over the whole run (from the last scrape). */
  readonly failureCodes: ReadonlyMap<string, number>;
  /** Probes by result (success, failure, discarded by the stall guard) over the whole run. */
  readonly results: ReadonlyMap<string, number>;
}

/** The first subsection title words; RESULTS.md keeps one subsection per title. */
export function soakTitle(o: Pick<SoakOutcome, 'backends' | 'flapPercent' | 'durationMs'>): string {
  return `${o.backends} backends, ${o.flapPercent} % flapping, ${formatDurationMs(o.durationMs)}`;
}

export function machineNote(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

function dataplaneLine(r: SoakOutcome): string {
  const c = r.convergence;
  if (c === undefined) return 'not checked';
  if (c.truthOk) return `simulator AS weights match the fleet (${r.frontends} VIPs, ${r.backends} ASes, ${r.flapper.down} down) ${c.truthAfterS} s after flapping stopped`;
  const own = c.reconcilerOk ? `it did match maglevd's own backend states (after ${c.reconcilerAfterS} s)` : "it never matched maglevd's own backend states either";
  return `NOT converged to the fleet within 60 s (${c.mismatches.length} AS mismatches, ${c.wrongStates} backends in the wrong state in maglevd); ${own}`;
}

export function soakWriteup(r: SoakOutcome): string {
  const all = r.samples;
  const steady = all.filter((s) => s.t >= r.durationMs / 4000);
  const avg = (xs: readonly SoakSample[], f: (s: SoakSample) => number, digits: number): string =>
    (xs.reduce((a, s) => a + f(s), 0) / Math.max(1, xs.length)).toFixed(digits);
  const v = r.verdict;
  const span = (w: readonly [number, number]): string => `${w[0]}–${w[1]} s`;
  const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x}`;
  const ok = r.problems.length === 0;
  const topLogs = [...r.logCounts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([m, n]) => `${m} ${n}`).join(', ');
  const codes = [...r.failureCodes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  const lines = [
    `Verdict: **${ok ? 'PASS' : 'FAIL'}**${ok ? '' : ` — ${r.problems.map((p) => p.split('\n')[0]).join('; ')}`}.`,
    '',
    `- Growth (first ${v.early[0]} s = warm-up, skipped; ${span(v.early)} vs ${span(v.late)}; limits +${growthLimitPct} %, and +${liveHeapSlackMb} MB for the live heap): live heap after major GCs (window minimum) ${v.earlyLiveHeapMb} → ${v.lateLiveHeapMb} MB (${signed(v.liveHeapGrowthPct)} %, ${v.majorGcsAfterWarmup} major GCs after warm-up); RSS band ${v.earlyRssBandMb[0]}–${v.earlyRssBandMb[1]} → ${v.lateRssBandMb[0]}–${v.lateRssBandMb[1]} MB (late floor vs early ceiling ${signed(v.rssFloorOverCeilingPct)} %; mean ${v.earlyRssMb} → ${v.lateRssMb} MB, ${signed(v.rssGrowthPct)} %, not judged: it moves with the GC sawtooth); V8 heap used ${v.earlyHeapMb} → ${v.lateHeapMb} MB; fds ${v.earlyFds} → ${v.lateFds} (monotonic growth: ${v.fdMonotonic ? 'YES' : 'no'}).`,
    `- After warm-up: probes/s ${avg(steady, (s) => s.probesPerS, 0)} (≈ ${r.backends}/s expected at a 1 s interval), failures/s ${avg(steady, (s) => s.failuresPerS, 0)}, transitions/s ${avg(steady, (s) => s.transitionsPerS, 1)}; maglevd CPU ${avg(steady, (s) => s.cpuPct, 0)} % of a core, fleet CPU ${avg(steady, (s) => s.fleetCpuPct, 0)} %; event-loop lag p99 ${avg(steady, (s) => s.lagP99Ms, 1)} ms (worst max ${Math.max(0, ...steady.map((s) => s.lagMaxMs)).toFixed(0)} ms); /metrics ${avg(all, (s) => s.scrapeKb, 0)} kB fetched in ${avg(all, (s) => s.scrapeMs, 0)} ms.`,
    `- Probes over the whole run: ${['success', 'failure', 'discarded'].map((k) => `${k} ${r.results.get(k) ?? 0}`).join(', ')} (discarded = timeouts dropped by the event-loop stall guard); failures by code: ${codes === '' ? 'none' : codes}.`,
    `- /healthz: ${r.healthz.polls} polls at 1 s, ${r.healthz.bad} non-200. maglevd ${r.shutdown === undefined ? 'DIED' : `alive for ${r.ranS.toFixed(0)} s; exit code ${r.shutdown.code} ${r.shutdown.seconds.toFixed(1)} s after SIGTERM`}.`,
    `- Flapping: ${r.flapper.rounds} rounds, ${r.flapper.requests} fleet control requests. Dataplane at the end: ${dataplaneLine(r)}.`,
    `- Other processes at the end: fleet RSS ${r.fleetRssMb.toFixed(0)} MB, simulator RSS ${r.simRssMb.toFixed(0)} MB.`,
    `- maglevd log lines: ${topLogs}; WARN/ERROR lines: ${r.warnings.length}${r.warnings.length > 0 ? ` (first: \`${(r.warnings[0] ?? '').slice(0, 240)}\`)` : ''}.`,
  ];
  return (
    `### ${soakTitle(r)} (${r.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)\n\n` +
    `${r.frontends} frontends × ${r.perFrontend} backends (2 pools), http checks (interval 1s, fast 500ms, timeout 500ms, rise 2, fall 2), ` +
    `a new ${r.flapPercent} % of the backends down every ${formatDurationMs(r.flipEveryMs)}, samples every ${formatDurationMs(r.sampleMs)}. ` +
    `Machine: ${machineNote()}; load average ${r.loadStart.toFixed(1)} at start, ${r.loadEnd.toFixed(1)} at end. ` +
    `The machine was shared with other engineers' builds and tests, so CPU, lag and probe rates are noisy.\n\n` +
    `${lines.join('\n')}\n\n${sampleTable(all)}\n`
  );
}
