// The soak's verdict and tables: growth between the first and the last third of the time after
// the warm-up (by default Q2 and Q4), the sample table in Markdown, and the splice of our
// `## soak` section into bench/RESULTS.md, where other benchmarks own other sections. Pure
// except writeSoakSection, which does a read-modify-write of just our section.
//
// Growth is judged on what grows when something leaks, not on where the GC sawtooth happens to
// be: the live heap after major GCs (maglev_heap_live_bytes, lowest value of each window, so a GC
// that lands in the middle of a /metrics render does not count), the RSS band (the late window's
// lowest RSS against the early window's highest), and fds. Mean RSS is reported, not judged: V8
// sizes its sawtooth from GC speed and load, and a 40 s window can catch one crest or two.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { SoakSample } from './soak-sample.js';

/** Growth between an early and a late window after the warm-up (by default Q2 and Q4). */
export interface GrowthVerdict {
  /** [from, to) seconds of each window. */
  readonly early: readonly [number, number];
  readonly late: readonly [number, number];
  readonly earlyRssMb: number;
  readonly lateRssMb: number;
  /** Mean RSS growth, for the record. */
  readonly rssGrowthPct: number;
  /** RSS range [min, max] of each window's 1 s readings. */
  readonly earlyRssBandMb: readonly [number, number];
  readonly lateRssBandMb: readonly [number, number];
  /** How far the late window's lowest RSS sits above the early window's highest (≤ 0: bands overlap). */
  readonly rssFloorOverCeilingPct: number;
  readonly earlyHeapMb: number;
  readonly lateHeapMb: number;
  /** Lowest live heap (after major GC) seen in each window, and its growth. */
  readonly earlyLiveHeapMb: number;
  readonly lateLiveHeapMb: number;
  readonly liveHeapGrowthPct: number;
  /** Major GCs from the first sample after the warm-up to the last one. */
  readonly majorGcsAfterWarmup: number;
  readonly earlyFds: number;
  readonly lateFds: number;
  /** fds after warm-up never went down and ended higher than they started. */
  readonly fdMonotonic: boolean;
  /** Reasons the growth check failed; empty when it passed. */
  readonly flags: string[];
}

export const growthLimitPct = 10;
/** The live heap may also grow this much: a few MB of V8 code and label sets are noise, not a leak. */
export const liveHeapSlackMb = 3;

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const round1 = (x: number): number => Math.round(x * 10) / 10;
const pct = (from: number, to: number): number => ((to - from) / from) * 100;

/** A cheap /proc reading taken every second, so window statistics are not at the mercy of GC timing. */
export interface ProcReading {
  readonly t: number;
  readonly rssMb: number;
  readonly fds: number;
}

function within<T extends { readonly t: number }>(items: readonly T[], [from, to]: readonly [number, number]): T[] {
  return items.filter((s) => s.t >= from && s.t < to);
}

/**
 * The time after the warm-up is cut in thirds; the last third is compared with the first. With
 * the default warm-up of a quarter of the run these are exactly Q4 and Q2. RSS and fds come from
 * the 1 s readings, heap figures from the samples; fd monotonicity from the samples.
 */
export function growthVerdict(readings: readonly ProcReading[], samples: readonly SoakSample[], durationS: number, warmupS = durationS / 4): GrowthVerdict {
  const third = (durationS - warmupS) / 3;
  const early = [warmupS, warmupS + third] as const;
  const late = [durationS - third, Infinity] as const;
  const a = within(readings, early);
  const b = within(readings, late);
  const sa = within(samples, early);
  const sb = within(samples, late);
  const flags: string[] = [];
  if (a.length < 3 || b.length < 3 || sa.length < 1 || sb.length < 1) {
    flags.push(`too few readings for a verdict (${a.length} early, ${b.length} late; samples ${sa.length} early, ${sb.length} late)`);
  }
  const span = (w: readonly [number, number]): string => `${Math.round(w[0])}–${Math.round(Math.min(w[1], durationS))} s`;

  const aRss = a.map((s) => s.rssMb);
  const bRss = b.map((s) => s.rssMb);
  const earlyBand = [Math.min(...aRss), Math.max(...aRss)] as const;
  const lateBand = [Math.min(...bRss), Math.max(...bRss)] as const;
  const floorOverCeiling = pct(earlyBand[1], lateBand[0]);
  if (floorOverCeiling > growthLimitPct) {
    flags.push(`RSS rose out of its band: the lowest reading of ${span(late)} (${round1(lateBand[0])} MB) is ${round1(floorOverCeiling)} % above the highest of ${span(early)} (${round1(earlyBand[1])} MB; limit ${growthLimitPct} %)`);
  }

  // The live-heap gauge keeps its last major GC's value: a reading still left from a GC before
  // the warm-up ended (a small startup heap can go 100 s without one) says nothing of the window.
  const gcsAtWarmup = samples.filter((s) => s.t < warmupS).at(-1)?.majorGcs;
  const fresh = gcsAtWarmup === undefined ? sa : sa.filter((s) => s.majorGcs > gcsAtWarmup);
  const earlyLive = Math.min(...(fresh.length > 0 ? fresh : sa).map((s) => s.liveHeapMb));
  const lateLive = Math.min(...sb.map((s) => s.liveHeapMb));
  const liveGrowth = pct(earlyLive, lateLive);
  if (liveGrowth > growthLimitPct && lateLive - earlyLive > liveHeapSlackMb) {
    flags.push(`the live heap after major GCs grew ${round1(liveGrowth)} % from ${span(early)} to ${span(late)} (${round1(earlyLive)} → ${round1(lateLive)} MB; limit ${growthLimitPct} % and ${liveHeapSlackMb} MB)`);
  }
  const after = samples.filter((s) => s.t >= warmupS);
  const majorGcs = (after[after.length - 1]?.majorGcs ?? NaN) - (after[0]?.majorGcs ?? NaN);
  if (!(majorGcs >= 1)) flags.push('no major GC after the warm-up: the live heap was never measured in the windows (run longer)');

  const fds = after.map((s) => s.fds);
  const first = fds[0];
  const last = fds[fds.length - 1];
  const fdMonotonic = fds.length >= 3 && first !== undefined && last !== undefined && last > first && fds.every((v, i) => i === 0 || v >= (fds[i - 1] ?? v));
  if (fdMonotonic) flags.push(`fds grew monotonically after warm-up (${first} → ${last})`);
  return {
    early: [round1(early[0]), round1(early[1])],
    late: [round1(late[0]), round1(durationS)],
    earlyRssMb: round1(mean(aRss)),
    lateRssMb: round1(mean(bRss)),
    rssGrowthPct: round1(pct(mean(aRss), mean(bRss))),
    earlyRssBandMb: [round1(earlyBand[0]), round1(earlyBand[1])],
    lateRssBandMb: [round1(lateBand[0]), round1(lateBand[1])],
    rssFloorOverCeilingPct: round1(floorOverCeiling),
    earlyHeapMb: round1(mean(sa.map((s) => s.heapMb))),
    lateHeapMb: round1(mean(sb.map((s) => s.heapMb))),
    earlyLiveHeapMb: round1(earlyLive),
    lateLiveHeapMb: round1(lateLive),
    liveHeapGrowthPct: round1(liveGrowth),
    majorGcsAfterWarmup: majorGcs,
    earlyFds: round1(mean(a.map((s) => s.fds))),
    lateFds: round1(mean(b.map((s) => s.fds))),
    fdMonotonic,
    flags,
  };
}

const columns: readonly [string, (s: SoakSample) => string | number][] = [
  ['t s', (s) => Math.round(s.t)],
  ['RSS MB', (s) => s.rssMb.toFixed(1)],
  ['heap MB', (s) => s.heapMb.toFixed(1)],
  ['live MB', (s) => s.liveHeapMb.toFixed(1)],
  ['fds', (s) => s.fds],
  ['thr', (s) => s.threads],
  ['CPU %', (s) => s.cpuPct.toFixed(0)],
  ['fleet CPU %', (s) => s.fleetCpuPct.toFixed(0)],
  ['lag p99 ms', (s) => s.lagP99Ms.toFixed(1)],
  ['lag max ms', (s) => s.lagMaxMs.toFixed(0)],
  ['probes/s', (s) => s.probesPerS.toFixed(0)],
  ['fail/s', (s) => s.failuresPerS.toFixed(0)],
  ['trans/s', (s) => s.transitionsPerS.toFixed(1)],
  ['scrape kB', (s) => s.scrapeKb.toFixed(0)],
  ['scrape ms', (s) => s.scrapeMs.toFixed(0)],
  ['healthz', (s) => (s.healthzBad === 0 ? `ok ${s.healthzPolls}` : `BAD ${s.healthzBad}/${s.healthzPolls}`)],
  ['load', (s) => s.load.toFixed(1)],
];

/** The samples as a Markdown table; at most maxRows rows (evenly thinned, last row kept). */
export function sampleTable(samples: readonly SoakSample[], maxRows = 60): string {
  const step = Math.max(1, Math.ceil(samples.length / maxRows));
  const rows = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  const head = `| ${columns.map(([h]) => h).join(' | ')} |\n|${columns.map(() => '---:').join('|')}|`;
  return [head, ...rows.map((s) => `| ${columns.map(([, f]) => f(s)).join(' | ')} |`)].join('\n');
}

/** One line per sample for the console while the soak runs. */
export function sampleLine(s: SoakSample): string {
  return columns.map(([h, f]) => `${h}=${f(s)}`).join('  ');
}

/**
 * Replaces, inside the `## soak` section of `doc`, the `### <title>` subsection whose title starts
 * with `key` (or appends it); creates the section when missing. Other sections are untouched.
 */
export function spliceSoakSection(doc: string, key: string, subsection: string, intro: string): string {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^## soak\s*$/.test(l));
  const body = subsection.trimEnd();
  if (start < 0) {
    const sep = doc === '' || doc.endsWith('\n\n') ? '' : doc.endsWith('\n') ? '\n' : '\n\n';
    return `${doc}${sep}## soak\n\n${intro.trimEnd()}\n\n${body}\n`;
  }
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  const section = lines.slice(start, end);
  const subStart = section.findIndex((l) => l.startsWith(`### ${key}`));
  let next: string[];
  if (subStart < 0) {
    while (section.length > 0 && section[section.length - 1]?.trim() === '') section.pop();
    next = [...section, '', ...body.split('\n'), ''];
  } else {
    let subEnd = section.findIndex((l, i) => i > subStart && /^### /.test(l));
    if (subEnd < 0) subEnd = section.length;
    const tailLines = section.slice(subEnd);
    next = [...section.slice(0, subStart), ...body.split('\n'), '', ...tailLines];
    while (next.length > 0 && next[next.length - 1]?.trim() === '') next.pop();
    next.push('');
  }
  const after = lines.slice(end);
  return [...lines.slice(0, start), ...next, ...after].join('\n');
}

/** Read-modify-write of our section only, right before writing, to keep the race window small. */
export function writeSoakSection(file: string, key: string, subsection: string, intro: string): void {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  writeFileSync(file, spliceSoakSection(doc, key, subsection, intro));
}
