import t from 'tap';
import { countsForShare, inPanic, panicDetail, panicVerdict, poolShare } from '../../src/core/panic.js';
import type { Frontend } from '../../src/shared/config.js';
import type { BackendState } from '../../src/shared/health.js';
import { makeConfig } from '../support/checker-fixtures.js';

function frontend(pools: Array<[string, Record<string, number>]>, panicThreshold: number): Frontend {
  return makeConfig({ backends: {}, frontends: { fe: { pools, panicThreshold } } }).frontends.get('fe')!;
}
const yamlWeight =
  (fe: Frontend) =>
  (_f: string, pool: string, backend: string): number =>
    fe.pools.find((p) => p.name === pool)?.members.find((m) => m.backend === backend)?.weight ?? 0;

t.test('which members count for the share', async (t) => {
  const cases: Array<{ in: [BackendState, number]; want: boolean }> = [
    { in: ['up', 100], want: true },
    { in: ['down', 1], want: true },
    { in: ['up', 0], want: false },
    { in: ['down', 0], want: false },
    { in: ['unknown', 100], want: false },
    { in: ['paused', 100], want: false },
    { in: ['disabled', 100], want: false },
    { in: ['removed', 100], want: false },
  ];
  for (const c of cases) t.equal(countsForShare(...c.in), c.want, `${c.in[0]} weight ${c.in[1]}`);
});

t.test('inPanic: the threshold truth table', async (t) => {
  const cases: Array<{ name: string; in: { up: number; counted: number; threshold: number }; want: boolean }> = [
    { name: 'off (0) never panics', in: { up: 0, counted: 4, threshold: 0 }, want: false },
    { name: 'nothing counted: nothing to program', in: { up: 0, counted: 0, threshold: 50 }, want: false },
    { name: '1 of 4 below 50%', in: { up: 1, counted: 4, threshold: 50 }, want: true },
    { name: '2 of 4 is exactly 50%: not below', in: { up: 2, counted: 4, threshold: 50 }, want: false },
    { name: '0 of 1 below 1%', in: { up: 0, counted: 1, threshold: 1 }, want: true },
    { name: '1 of 3 (33.3%) below 34%', in: { up: 1, counted: 3, threshold: 34 }, want: true },
    { name: '1 of 3 (33.3%) not below 33%', in: { up: 1, counted: 3, threshold: 33 }, want: false },
    { name: '3 of 4 below 100%', in: { up: 3, counted: 4, threshold: 100 }, want: true },
    { name: 'all up never below 100%', in: { up: 4, counted: 4, threshold: 100 }, want: false },
  ];
  for (const c of cases) t.equal(inPanic(c.in, c.in.threshold), c.want, c.name);
});

t.test('poolShare and panicVerdict follow the serving pool', async (t) => {
  const pools: Array<[string, Record<string, number>]> = [
    ['primary', { a: 100, b: 100, c: 100, d: 100 }],
    ['fallback', { e: 50, f: 50 }],
  ];
  const cases: Array<{ name: string; in: { states: Record<string, BackendState>; weights?: Record<string, number> }; want: { pool: number; up: number; counted: number; panic: boolean } }> = [
    {
      name: 'primary mostly up',
      in: { states: { a: 'up', b: 'up', c: 'up', d: 'down', e: 'up', f: 'up' } },
      want: { pool: 0, up: 3, counted: 4, panic: false },
    },
    {
      name: 'primary at 1 of 4: panic, though the fallback is healthy',
      in: { states: { a: 'up', b: 'down', c: 'down', d: 'down', e: 'up', f: 'up' } },
      want: { pool: 0, up: 1, counted: 4, panic: true },
    },
    {
      name: 'primary all down: failover to a healthy fallback is no panic',
      in: { states: { a: 'down', b: 'down', c: 'down', d: 'down', e: 'up', f: 'up' } },
      want: { pool: 1, up: 2, counted: 2, panic: false },
    },
    {
      name: 'nothing up anywhere: 0 of every counted member',
      in: { states: { a: 'down', b: 'down', c: 'down', d: 'down', e: 'down', f: 'unknown' } },
      want: { pool: -1, up: 0, counted: 5, panic: true },
    },
    {
      name: 'operator takes three out: the share is over the rest',
      in: { states: { a: 'up', b: 'paused', c: 'disabled', d: 'disabled', e: 'up', f: 'up' } },
      want: { pool: 0, up: 1, counted: 1, panic: false },
    },
    {
      name: 'startup: every backend unknown counts nothing',
      in: { states: {} },
      want: { pool: -1, up: 0, counted: 0, panic: false },
    },
    {
      name: 'weight 0 members do not count',
      in: { states: { a: 'up', b: 'down', c: 'down', d: 'down', e: 'up', f: 'up' }, weights: { b: 0, c: 0, d: 0 } },
      want: { pool: 0, up: 1, counted: 1, panic: false },
    },
  ];
  const fe = frontend(pools, 50);
  for (const c of cases) {
    const weightOf = (f: string, pool: string, b: string): number => c.in.weights?.[b] ?? yamlWeight(fe)(f, pool, b);
    const stateOf = (b: string): BackendState | undefined => c.in.states[b];
    t.same(panicVerdict(fe, stateOf, weightOf), c.want, c.name);
    const { pool, up, counted } = c.want;
    t.same(poolShare(fe, stateOf, weightOf), { pool, up, counted }, `${c.name}: share`);
  }
  t.equal(panicVerdict(frontend(pools, 0), () => 'down', yamlWeight(fe)).panic, false, 'threshold 0 is off');
});

t.test('panicDetail names the pool and the threshold', async (t) => {
  const fe = frontend([['primary', { a: 100 }]], 50);
  const cases: Array<{ in: { pool: number; up: number; counted: number; panic: boolean }; want: string }> = [
    { in: { pool: 0, up: 1, counted: 4, panic: true }, want: '1 of 4 up in pool primary, below the 50% panic threshold' },
    { in: { pool: 0, up: 3, counted: 4, panic: false }, want: '3 of 4 up in pool primary, at or above the 50% panic threshold' },
    { in: { pool: -1, up: 0, counted: 2, panic: true }, want: '0 of 2 up in any pool, below the 50% panic threshold' },
  ];
  for (const c of cases) t.equal(panicDetail(fe, c.in), c.want);
});
