import t from 'tap';
import { activePoolIndex, effectiveWeight, frontendState, frontendWeights, type StateOf, type WeightOf } from '../../src/core/weights.js';
import type { Frontend } from '../../src/shared/config.js';
import type { BackendState, FrontendState } from '../../src/shared/health.js';
import type { AgentVerdict } from '../../src/core/agent.js';

function frontend(pools: Array<[string, Record<string, number>]>, flushOnDown = true, panicThreshold = 0): Frontend {
  return {
    name: 'fe',
    address: '198.51.100.1',
    family: 4,
    protocol: 'tcp',
    port: 80,
    description: '',
    srcIpSticky: false,
    flushOnDown,
    panicThreshold,
    pools: pools.map(([name, m]) => ({ name, members: Object.entries(m).map(([backend, weight]) => ({ backend, weight })) })),
  };
}
const states =
  (m: Record<string, BackendState>): StateOf =>
  (b) =>
    m[b];
const yamlWeights =
  (fe: Frontend): WeightOf =>
  (_f, pool, backend) =>
    fe.pools.find((p) => p.name === pool)?.members.find((x) => x.backend === backend)?.weight ?? 0;

t.test('effective weight and flush: the effective-weight truth table', async (t) => {
  // Configured weight 70; pool 0 is the active pool; pool 1 is a standby pool.
  const cases: Array<{ state: BackendState; pool: 'active' | 'standby'; flushOnDown: boolean; weight: number; flush: boolean }> = [
    { state: 'up', pool: 'active', flushOnDown: true, weight: 70, flush: false },
    { state: 'up', pool: 'active', flushOnDown: false, weight: 70, flush: false },
    { state: 'up', pool: 'standby', flushOnDown: true, weight: 0, flush: false },
    { state: 'up', pool: 'standby', flushOnDown: false, weight: 0, flush: false },
    { state: 'down', pool: 'active', flushOnDown: true, weight: 0, flush: true },
    { state: 'down', pool: 'active', flushOnDown: false, weight: 0, flush: false },
    { state: 'down', pool: 'standby', flushOnDown: true, weight: 0, flush: true },
    { state: 'down', pool: 'standby', flushOnDown: false, weight: 0, flush: false },
    { state: 'disabled', pool: 'active', flushOnDown: true, weight: 0, flush: true },
    { state: 'disabled', pool: 'active', flushOnDown: false, weight: 0, flush: true },
    { state: 'disabled', pool: 'standby', flushOnDown: true, weight: 0, flush: true },
    { state: 'disabled', pool: 'standby', flushOnDown: false, weight: 0, flush: true },
    { state: 'unknown', pool: 'active', flushOnDown: true, weight: 0, flush: false },
    { state: 'unknown', pool: 'active', flushOnDown: false, weight: 0, flush: false },
    { state: 'unknown', pool: 'standby', flushOnDown: true, weight: 0, flush: false },
    { state: 'unknown', pool: 'standby', flushOnDown: false, weight: 0, flush: false },
    { state: 'paused', pool: 'active', flushOnDown: true, weight: 0, flush: false },
    { state: 'paused', pool: 'active', flushOnDown: false, weight: 0, flush: false },
    { state: 'paused', pool: 'standby', flushOnDown: true, weight: 0, flush: false },
    { state: 'paused', pool: 'standby', flushOnDown: false, weight: 0, flush: false },
    // removed: the AS leaves the desired set and the full sync deletes it with flush.
    { state: 'removed', pool: 'active', flushOnDown: true, weight: 0, flush: true },
    { state: 'removed', pool: 'active', flushOnDown: false, weight: 0, flush: true },
    { state: 'removed', pool: 'standby', flushOnDown: true, weight: 0, flush: true },
    { state: 'removed', pool: 'standby', flushOnDown: false, weight: 0, flush: true },
  ];
  for (const c of cases) {
    const poolIndex = c.pool === 'active' ? 0 : 1;
    t.same(effectiveWeight(c.state, poolIndex, 0, 70, c.flushOnDown), { weight: c.weight, flush: c.flush }, `${c.state} ${c.pool} flush-on-down=${c.flushOnDown}`);
  }
  t.same(effectiveWeight('up', 2, 2, 0, true), { weight: 0, flush: false }, 'up in the active pool with configured weight 0');
  t.same(effectiveWeight('up', 1, 1, 100, true), { weight: 100, flush: false }, 'up in a non-primary active pool');
});

t.test('effective weight in panic: health ignored, operator choices kept', async (t) => {
  // Configured weight 70; pool 0 is the active pool; pool 1 is a standby pool; panic on.
  const cases: Array<{ state: BackendState; pool: 'active' | 'standby'; flushOnDown: boolean; weight: number; flush: boolean }> = [
    { state: 'up', pool: 'active', flushOnDown: true, weight: 70, flush: false },
    { state: 'up', pool: 'standby', flushOnDown: true, weight: 70, flush: false },
    { state: 'down', pool: 'active', flushOnDown: true, weight: 70, flush: false },
    { state: 'down', pool: 'active', flushOnDown: false, weight: 70, flush: false },
    { state: 'down', pool: 'standby', flushOnDown: true, weight: 70, flush: false },
    { state: 'unknown', pool: 'active', flushOnDown: true, weight: 0, flush: false },
    { state: 'paused', pool: 'active', flushOnDown: true, weight: 0, flush: false },
    { state: 'disabled', pool: 'active', flushOnDown: false, weight: 0, flush: true },
    { state: 'removed', pool: 'active', flushOnDown: false, weight: 0, flush: true },
  ];
  for (const c of cases) {
    const poolIndex = c.pool === 'active' ? 0 : 1;
    t.same(effectiveWeight(c.state, poolIndex, 0, 70, c.flushOnDown, true), { weight: c.weight, flush: c.flush }, `panic: ${c.state} ${c.pool} flush-on-down=${c.flushOnDown}`);
  }
});

t.test('frontendWeights programs every up and down member in panic', async (t) => {
  const pools: Array<[string, Record<string, number>]> = [
    ['p', { a: 100, b: 100, c: 100 }],
    ['f', { d: 50, e: 50 }],
  ];
  const cases: Array<{ name: string; in: { threshold: number; states: Record<string, BackendState> }; want: { panic: boolean; weights: number[] } }> = [
    { name: 'off: 1 of 3 up serves alone', in: { threshold: 0, states: { a: 'up', b: 'down', c: 'down', d: 'up', e: 'down' } }, want: { panic: false, weights: [100, 0, 0, 0, 0] } },
    { name: '50%: 1 of 3 up is panic', in: { threshold: 50, states: { a: 'up', b: 'down', c: 'down', d: 'up', e: 'down' } }, want: { panic: true, weights: [100, 100, 100, 50, 50] } },
    { name: '50%: 2 of 3 up is not', in: { threshold: 50, states: { a: 'up', b: 'up', c: 'down', d: 'up', e: 'down' } }, want: { panic: false, weights: [100, 100, 0, 0, 0] } },
    { name: '50%: all down, unknown and paused stay out', in: { threshold: 50, states: { a: 'down', b: 'unknown', c: 'paused', d: 'down', e: 'disabled' } }, want: { panic: true, weights: [100, 0, 0, 50, 0] } },
  ];
  for (const c of cases) {
    const fe = frontend(pools, true, c.in.threshold);
    const got = frontendWeights(fe, states(c.in.states), yamlWeights(fe));
    t.same({ panic: got.panic.panic, weights: got.members.map((m) => m.effective.weight) }, c.want, c.name);
    t.equal(frontendState(got.members), got.members.some((m) => m.effective.weight > 0) ? 'up' : 'down', `${c.name}: state`);
  }
});

t.test('frontendWeights: a ramping backend gets its slow-start step of the configured weight', async (t) => {
  const fe = frontend([
    ['p', { a: 100, b: 50 }],
    ['f', { c: 80 }],
  ]);
  const ramps: Record<string, { level: number; steps: number }> = { a: { level: 1, steps: 4 }, c: { level: 0, steps: 4 } };
  const got = frontendWeights(fe, states({ a: 'up', b: 'up', c: 'up' }), yamlWeights(fe), (b) => ramps[b]);
  t.same(
    got.members.map((m) => [m.backend, m.configured, m.effective.weight]),
    [
      ['a', 100, 40],
      ['b', 50, 50],
      ['c', 80, 0],
    ],
    'a at 2/5; c ramps in a standby pool, so it stays at 0',
  );
});

t.test('active pool', async (t) => {
  const cases: Array<{ name: string; pools: Array<[string, Record<string, number>]>; states: Record<string, BackendState>; want: number }> = [
    { name: 'primary serves while a member is up', pools: [['p', { a: 100, b: 100 }], ['f', { c: 50 }]], states: { a: 'down', b: 'up', c: 'up' }, want: 0 },
    { name: 'fallback takes over when the primary has no up member', pools: [['p', { a: 100, b: 100 }], ['f', { c: 50 }]], states: { a: 'down', b: 'paused', c: 'up' }, want: 1 },
    { name: 'weighted failover: primary up but all weights 0', pools: [['p', { a: 0, b: 0 }], ['f', { c: 50 }]], states: { a: 'up', b: 'up', c: 'up' }, want: 1 },
    { name: 'all-zero weights everywhere: no pool qualifies → 0', pools: [['p', { a: 0 }], ['f', { c: 0 }]], states: { a: 'up', c: 'up' }, want: 0 },
    { name: 'three tiers: third serves', pools: [['p', { a: 100 }], ['f1', { b: 0 }], ['f2', { c: 10 }]], states: { a: 'down', b: 'up', c: 'up' }, want: 2 },
    { name: 'three tiers: second serves', pools: [['p', { a: 100 }], ['f1', { b: 5 }], ['f2', { c: 10 }]], states: { a: 'disabled', b: 'up', c: 'up' }, want: 1 },
    { name: 'nothing up → 0', pools: [['p', { a: 100 }], ['f', { c: 50 }]], states: { a: 'down', c: 'unknown' }, want: 0 },
    { name: 'unknown, paused and disabled do not qualify', pools: [['p', { a: 1, b: 1, d: 1 }], ['f', { c: 1 }]], states: { a: 'unknown', b: 'paused', d: 'disabled', c: 'up' }, want: 1 },
    { name: 'a backend not known to the checker does not qualify', pools: [['p', { ghost: 100 }], ['f', { c: 1 }]], states: { c: 'up' }, want: 1 },
  ];
  for (const c of cases) {
    const fe = frontend(c.pools);
    t.equal(activePoolIndex(fe, states(c.states), yamlWeights(fe)), c.want, c.name);
  }
  const fe = frontend([['p', { a: 100 }], ['f', { c: 50 }]]);
  const overridden: WeightOf = (_f, pool, b) => (pool === 'p' && b === 'a' ? 0 : 50);
  t.equal(activePoolIndex(fe, states({ a: 'up', c: 'up' }), overridden), 1, 'an operator weight of 0 on the primary fails over');
});

t.test('frontendWeights lists every member in pool then YAML order', async (t) => {
  const fe = frontend(
    [
      ['p', { b: 100, a: 40 }],
      ['f', { c: 50 }],
    ],
    false,
  );
  const got = frontendWeights(fe, states({ a: 'up', b: 'down', c: 'up' }), yamlWeights(fe));
  t.equal(got.active, 0);
  t.same(
    got.members.map((m) => [m.pool, m.poolIndex, m.backend, m.state, m.configured, m.effective.weight, m.effective.flush]),
    [
      ['p', 0, 'b', 'down', 100, 0, false],
      ['p', 0, 'a', 'up', 40, 40, false],
      ['f', 1, 'c', 'up', 50, 0, false],
    ],
  );
  const unknownMember = frontendWeights(fe, states({}), yamlWeights(fe));
  t.ok(
    unknownMember.members.every((m) => m.state === 'unknown'),
    'backends without a state count as unknown',
  );
});

t.test('frontend state', async (t) => {
  const cases: Array<{ name: string; pools: Array<[string, Record<string, number>]>; states: Record<string, BackendState>; want: FrontendState }> = [
    { name: 'one member with effective weight > 0 → up', pools: [['p', { a: 100, b: 100 }]], states: { a: 'up', b: 'down' }, want: 'up' },
    { name: 'served by the fallback pool → up', pools: [['p', { a: 100 }], ['f', { c: 50 }]], states: { a: 'down', c: 'up' }, want: 'up' },
    { name: 'every member unknown → unknown', pools: [['p', { a: 100 }], ['f', { c: 50 }]], states: { a: 'unknown', c: 'unknown' }, want: 'unknown' },
    { name: 'unknown and down mixed → down', pools: [['p', { a: 100 }], ['f', { c: 50 }]], states: { a: 'unknown', c: 'down' }, want: 'down' },
    { name: 'all down → down', pools: [['p', { a: 100, b: 1 }]], states: { a: 'down', b: 'down' }, want: 'down' },
    { name: 'all paused → down', pools: [['p', { a: 100, b: 1 }]], states: { a: 'paused', b: 'paused' }, want: 'down' },
    { name: 'all disabled → down', pools: [['p', { a: 100 }]], states: { a: 'disabled' }, want: 'down' },
    { name: 'up but every weight 0 → down', pools: [['p', { a: 0 }], ['f', { c: 0 }]], states: { a: 'up', c: 'up' }, want: 'down' },
    { name: 'unknown and up with weight 0 → down', pools: [['p', { a: 0, b: 100 }]], states: { a: 'up', b: 'unknown' }, want: 'down' },
  ];
  for (const c of cases) {
    const fe = frontend(c.pools);
    t.equal(frontendState(frontendWeights(fe, states(c.states), yamlWeights(fe)).members), c.want, c.name);
  }
  t.equal(frontendState([]), 'down', 'no members → down');
});

t.test('frontendWeights with agent verdicts: drain, maint, down and a percentage', async (t) => {
  const fe = frontend(
    [
      ['p', { a: 100, b: 100, c: 100, d: 100, e: 80 }],
      ['f', { s: 50 }],
    ],
    false,
  );
  const verdicts: Record<string, AgentVerdict> = {
    a: { state: 'drain', percent: 100 },
    b: { state: 'maint', percent: 100 },
    c: { state: 'down', percent: 100 },
    d: { state: 'up', percent: 50 },
  };
  const all = states({ a: 'up', b: 'up', c: 'up', d: 'up', e: 'up', s: 'up' });
  const got = frontendWeights(fe, all, yamlWeights(fe), undefined, (b) => verdicts[b]);
  t.same(
    got.members.map((m) => [m.backend, m.state, m.configured, m.agent?.state, m.effective.weight, m.effective.flush]),
    [
      ['a', 'up', 100, 'drain', 0, false],
      ['b', 'up', 100, 'maint', 0, true],
      ['c', 'up', 100, 'down', 0, false],
      ['d', 'up', 100, 'up', 50, false],
      ['e', 'up', 80, undefined, 80, false],
      ['s', 'up', 50, undefined, 0, false],
    ],
    'drain: 0 without flush; maint: 0 with flush; down: as down (flush-on-down off); 50%: half',
  );
  t.equal(got.active, 0);
  const drained: Record<string, AgentVerdict> = { a: { state: 'drain', percent: 100 }, b: { state: 'up', percent: 0 }, c: { state: 'down', percent: 100 }, d: { state: 'maint', percent: 100 }, e: { state: 'drain', percent: 100 } };
  const over = frontendWeights(fe, all, yamlWeights(fe), undefined, (b) => drained[b]);
  t.equal(over.active, 1, 'a pool whose every member is drained, at 0%, down or in maint fails over');
  t.same(over.members.find((m) => m.backend === 's')?.effective, { weight: 50, flush: false });
  const ramped = frontendWeights(fe, all, yamlWeights(fe), () => ({ level: 0, steps: 1 }), (b) => verdicts[b]);
  t.equal(ramped.members.find((m) => m.backend === 'd')?.effective.weight, 25, 'slow start ramps the agent share');
  const none = frontendWeights(fe, states({}), yamlWeights(fe), undefined, (b) => verdicts[b]);
  t.ok(none.members.every((m) => m.state === 'unknown'), 'a backend without a state stays unknown under an agent verdict');
});
