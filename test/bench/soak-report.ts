// The soak's growth verdict: a GC sawtooth whose crests rise (what V8 does when load drops)
// passes; a live heap that grows, an RSS band that moves up, fds that only grow, and a run
// with no major GC after the warm-up are each flagged.

import t from 'tap';
import { growthVerdict, type ProcReading } from '../../bench/soak-report.js';
import type { SoakSample } from '../../bench/soak-sample.js';

const durationS = 240;
const warmupS = 120;

interface Shape {
  /** RSS at second t. */
  rss(t: number): number;
  /** Live heap (MB) at second t. */
  live?(t: number): number;
  fds?(t: number): number;
  /** Major GCs so far at second t. */
  gcs?(t: number): number;
}

function run(shape: Shape): { readings: ProcReading[]; samples: SoakSample[] } {
  const readings: ProcReading[] = [];
  const samples: SoakSample[] = [];
  for (let t = 1; t <= durationS; t++) {
    const fds = shape.fds?.(t) ?? 33;
    readings.push({ t, rssMb: shape.rss(t), fds });
    if (t % 5 !== 0) continue;
    samples.push({
      t,
      rssMb: shape.rss(t),
      heapMb: 30,
      liveHeapMb: shape.live?.(t) ?? 28,
      majorGcs: shape.gcs?.(t) ?? Math.floor(t / 35),
      fds,
      threads: 13,
      cpuPct: 45,
      fleetCpuPct: 15,
      lagP99Ms: 20,
      lagMaxMs: 30,
      probesPerS: 1000,
      failuresPerS: 50,
      transitionsPerS: 19,
      scrapeKb: 1800,
      scrapeMs: 80,
      healthzBad: 0,
      healthzPolls: 5,
      load: 1,
    });
  }
  return { readings, samples };
}

/** The CI run that failed on mean RSS: a 35 s sawtooth from ~165 MB whose crest grows from 220 to 275 MB. */
const sawtooth = (t: number): number => 165 + ((t % 35) / 35) * (55 + (t / durationS) * 55);

void t.test('a sawtooth with rising crests and a flat live heap passes', async (t) => {
  const { readings, samples } = run({ rss: sawtooth });
  const v = growthVerdict(readings, samples, durationS, warmupS);
  t.ok(v.rssGrowthPct > 0, `mean RSS still rises (${v.rssGrowthPct} %), it is just not judged`);
  t.ok(v.rssFloorOverCeilingPct <= 0, 'the late floor stays under the early ceiling');
  t.same(v.flags, []);
  t.same(v.early, [120, 160]);
  t.same(v.late, [200, 240]);
});

void t.test('a growing live heap is flagged', async (t) => {
  const { readings, samples } = run({ rss: sawtooth, live: (s) => 28 + Math.max(0, s - warmupS) * 0.1 });
  const v = growthVerdict(readings, samples, durationS, warmupS);
  t.ok(v.liveHeapGrowthPct > 10);
  t.match(v.flags.join('\n'), /live heap after major GCs grew/);
});

void t.test('a live heap that moves by a few MB (a GC during a /metrics render, V8 code) passes', async (t) => {
  // 21 → 23 MB floors with a 27 MB reading caught mid-render: +10 % but under the slack.
  const { readings, samples } = run({ rss: sawtooth, live: (s) => (s === 205 ? 27 : s > 180 ? 23.2 : 21) });
  const v = growthVerdict(readings, samples, durationS, warmupS);
  t.equal(v.lateLiveHeapMb, 23.2, 'the window minimum, not the spike');
  t.ok(v.liveHeapGrowthPct > 10);
  t.same(v.flags, []);
});

void t.test('RSS whose floor climbs over the early ceiling is flagged', async (t) => {
  const { readings, samples } = run({ rss: (s) => 150 + s * 1.0 });
  const v = growthVerdict(readings, samples, durationS, warmupS);
  t.ok(v.rssFloorOverCeilingPct > 10, `${v.rssFloorOverCeilingPct} %`);
  t.match(v.flags.join('\n'), /RSS rose out of its band/);
});

void t.test('fds that only grow are flagged', async (t) => {
  const { readings, samples } = run({ rss: sawtooth, fds: (s) => 33 + Math.floor(s / 10) });
  const v = growthVerdict(readings, samples, durationS, warmupS);
  t.equal(v.fdMonotonic, true);
  t.match(v.flags.join('\n'), /fds grew monotonically/);
});

void t.test('no major GC after the warm-up leaves nothing to judge the heap on', async (t) => {
  const { readings, samples } = run({ rss: sawtooth, gcs: () => 3 });
  const v = growthVerdict(readings, samples, durationS, warmupS);
  t.equal(v.majorGcsAfterWarmup, 0);
  t.match(v.flags.join('\n'), /no major GC after the warm-up/);
});

void t.test('a run too short for its windows says so', async (t) => {
  const { readings, samples } = run({ rss: sawtooth });
  const v = growthVerdict(readings.slice(0, 100), samples.slice(0, 20), durationS, warmupS);
  t.match(v.flags.join('\n'), /too few readings/);
});
