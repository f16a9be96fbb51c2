import t from 'tap';
import { nextLevelAtMs, rampLevel, rampWeight } from '../../src/core/slow-start.js';

const s = { windowMs: 60_000, steps: 4 };

t.test('rampLevel: one more level every window/steps, capped at steps', async (t) => {
  const cases: Array<{ in: number; want: number }> = [
    { in: -5, want: 0 },
    { in: 0, want: 0 },
    { in: 14_999, want: 0 },
    { in: 15_000, want: 1 },
    { in: 29_999, want: 1 },
    { in: 30_000, want: 2 },
    { in: 45_000, want: 3 },
    { in: 59_999, want: 3 },
    { in: 60_000, want: 4 },
    { in: 3_600_000, want: 4 },
  ];
  for (const c of cases) t.equal(rampLevel(c.in, s), c.want, `${c.in} ms`);
  t.equal(rampLevel(999, { windowMs: 1000, steps: 3 }), 2, 'uneven boundaries: 333.3, 666.7');
});

t.test('nextLevelAtMs: the boundary after a level, undefined when done', async (t) => {
  const cases: Array<{ in: { level: number; windowMs: number; steps: number }; want: number | undefined }> = [
    { in: { level: 0, windowMs: 60_000, steps: 4 }, want: 15_000 },
    { in: { level: 3, windowMs: 60_000, steps: 4 }, want: 60_000 },
    { in: { level: 4, windowMs: 60_000, steps: 4 }, want: undefined },
    { in: { level: 0, windowMs: 1000, steps: 3 }, want: 334 },
    { in: { level: 1, windowMs: 1000, steps: 3 }, want: 667 },
    { in: { level: 0, windowMs: 5000, steps: 1 }, want: 5000 },
  ];
  for (const c of cases) t.equal(nextLevelAtMs(c.in.level, c.in), c.want, JSON.stringify(c.in));
});

t.test('rampWeight: (level + 1) / (steps + 1) of the configured weight, at least 1', async (t) => {
  const cases: Array<{ name: string; in: { configured: number; level?: number; steps?: number }; want: number }> = [
    { name: 'not ramping', in: { configured: 70 }, want: 70 },
    { name: 'level 0 of 4: a fifth', in: { configured: 100, level: 0, steps: 4 }, want: 20 },
    { name: 'level 1 of 4', in: { configured: 100, level: 1, steps: 4 }, want: 40 },
    { name: 'level 3 of 4', in: { configured: 100, level: 3, steps: 4 }, want: 80 },
    { name: 'done', in: { configured: 100, level: 4, steps: 4 }, want: 100 },
    { name: 'rounded up', in: { configured: 50, level: 0, steps: 2 }, want: 17 },
    { name: 'small weights never reach 0', in: { configured: 1, level: 0, steps: 20 }, want: 1 },
    { name: 'configured 0 stays 0', in: { configured: 0, level: 0, steps: 4 }, want: 0 },
    { name: 'one step: half, then all', in: { configured: 9, level: 0, steps: 1 }, want: 5 },
  ];
  for (const c of cases) {
    const r = c.in.level === undefined ? undefined : { level: c.in.level, steps: c.in.steps! };
    t.equal(rampWeight(c.in.configured, r), c.want, c.name);
  }
});
