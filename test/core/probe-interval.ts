import t from 'tap';
import { intervalKind, intervalMs, jittered, staggerMs, type IntervalKind } from '../../src/core/probe-interval.js';
import type { BackendState } from '../../src/shared/health.js';

t.test('interval choice', async (t) => {
  const max = 4; // rise 2, fall 3
  const cases: Array<{ state: BackendState; counter: number; want: IntervalKind }> = [
    { state: 'up', counter: 4, want: 'interval' },
    { state: 'up', counter: 3, want: 'fast' },
    { state: 'up', counter: 2, want: 'fast' },
    { state: 'down', counter: 0, want: 'down' },
    { state: 'down', counter: 1, want: 'fast' },
    { state: 'unknown', counter: 1, want: 'fast' },
    { state: 'unknown', counter: 4, want: 'fast' },
    { state: 'unknown', counter: 0, want: 'fast' },
  ];
  for (const c of cases) t.equal(intervalKind(c.state, c.counter, max), c.want, `${c.state} counter ${c.counter}`);
});

t.test('interval lengths come from the check', async (t) => {
  const check = { intervalMs: 2000, fastIntervalMs: 500, downIntervalMs: 10_000 };
  const cases: Array<{ in: IntervalKind; want: number }> = [
    { in: 'interval', want: 2000 },
    { in: 'fast', want: 500 },
    { in: 'down', want: 10_000 },
  ];
  for (const c of cases) t.equal(intervalMs(check, c.in), c.want, c.in);
});

t.test('jitter extremes', async (t) => {
  const eps = 2 ** -53;
  const cases: Array<{ name: string; random: number; want: number }> = [
    { name: 'random 0 → -10 %', random: 0, want: 900 },
    { name: 'random 0.5 → exact', random: 0.5, want: 1000 },
    { name: 'random 0.25 → -5 %', random: 0.25, want: 950 },
    { name: 'random 0.75 → +5 %', random: 0.75, want: 1050 },
    { name: 'random 1 (out of contract) clamps to +10 %', random: 1, want: 1100 },
    { name: 'random -1 (out of contract) clamps to -10 %', random: -1, want: 900 },
  ];
  for (const c of cases) t.ok(Math.abs(jittered(1000, () => c.random) - c.want) < 1e-9, c.name);
  const top = jittered(1000, () => 1 - eps);
  t.ok(top <= 1100 && top > 1099.999, `1-ε stays at most +10 % (${top})`);
});

t.test('jitter stays within ±10 % over many draws and covers the range', async (t) => {
  // mulberry32: deterministic, so a failure is reproducible.
  let seed = 0x9e3779b9;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  let min = Infinity;
  let max = -Infinity;
  let outside = 0;
  for (let i = 0; i < 20_000; i++) {
    const v = jittered(500, random);
    if (v < 450 || v > 550) outside++;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  t.equal(outside, 0, 'no draw outside [450, 550]');
  t.ok(min < 452 && max > 548, `draws reach both ends (${min.toFixed(2)}..${max.toFixed(2)})`);
  let mathOutside = 0;
  for (let i = 0; i < 5000; i++) {
    const v = jittered(2000, Math.random);
    if (v < 1800 || v > 2200) mathOutside++;
  }
  t.equal(mathOutside, 0, 'Math.random draws within ±10 %');
});

t.test('start stagger: interval × pos / total', async (t) => {
  const cases: Array<{ interval: number; pos: number; total: number; want: number }> = [
    { interval: 2000, pos: 0, total: 1, want: 0 },
    { interval: 2000, pos: 0, total: 4, want: 0 },
    { interval: 2000, pos: 1, total: 4, want: 500 },
    { interval: 2000, pos: 2, total: 4, want: 1000 },
    { interval: 2000, pos: 3, total: 4, want: 1500 },
    { interval: 1000, pos: 1, total: 3, want: 1000 / 3 },
    { interval: 1000, pos: 0, total: 0, want: 0 },
  ];
  for (const c of cases) t.equal(staggerMs(c.interval, c.pos, c.total), c.want, `${c.pos}/${c.total} of ${c.interval}`);
});
