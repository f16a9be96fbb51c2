// frontendView: the config fields, the pools in priority order with their members' configured and
// effective weights, and `active` = the active pool while the given frontend state is up.

import t from 'tap';
import { frontendView } from '../../src/core/frontend-view.js';
import type { Frontend } from '../../src/shared/config.js';
import type { BackendState, FrontendState } from '../../src/shared/health.js';

const fe: Frontend = {
  name: 'web',
  address: '198.51.100.1',
  family: 4,
  protocol: 'tcp',
  port: 443,
  description: 'public web',
  srcIpSticky: true,
  flushOnDown: true,
  panicThreshold: 50,
  pools: [
    { name: 'primary', members: [{ backend: 'a', weight: 100 }, { backend: 'b', weight: 50 }] },
    { name: 'fallback', members: [{ backend: 'c', weight: 20 }] },
  ],
};

const yaml = (_f: string, pool: string, backend: string): number =>
  fe.pools.find((p) => p.name === pool)?.members.find((m) => m.backend === backend)?.weight ?? 0;

t.test('config fields and the given state are copied as they are', async (t) => {
  const v = frontendView(fe, 'up', () => 'up', yaml, () => undefined);
  t.same(
    [v.name, v.address, v.protocol, v.port, v.description, v.srcIpSticky, v.flushOnDown, v.state, v.panicThreshold, v.panic],
    ['web', '198.51.100.1', 'tcp', 443, 'public web', true, true, 'up', 50, false],
  );
});

t.test('pools: members with weights, flush and state; the active pool only while the state is up', async (t) => {
  // Pools as "name active [backend state weight→effective flush]", from a state map and the frontend state.
  const cases: Array<{ name: string; in: { states: Record<string, BackendState>; state: FrontendState; weights?: Record<string, number> }; want: string[]; panic?: true }> = [
    {
      name: 'primary serving',
      in: { states: { a: 'up', b: 'down', c: 'up' }, state: 'up' },
      want: ['primary active [a up 100→100] [b down 50→0 flush]', 'fallback [c up 20→0]'],
    },
    {
      name: 'primary down: fallback serves',
      in: { states: { a: 'down', b: 'disabled', c: 'up' }, state: 'up' },
      want: ['primary [a down 100→0 flush] [b disabled 50→0 flush]', 'fallback active [c up 20→20]'],
    },
    {
      name: 'a runtime weight of 0 fails over',
      in: { states: { a: 'up', b: 'paused', c: 'up' }, state: 'up', weights: { a: 0 } },
      want: ['primary [a up 0→0] [b paused 50→0]', 'fallback active [c up 20→20]'],
    },
    {
      name: 'nothing up, 50% panic threshold: down members get their configured weight',
      in: { states: { a: 'down', b: 'down', c: 'unknown' }, state: 'up' },
      want: ['primary active [a down 100→100] [b down 50→50]', 'fallback [c unknown 20→0]'],
      panic: true,
    },
    {
      name: 'nothing measured: no panic, no pool is active',
      in: { states: { a: 'unknown', b: 'paused', c: 'unknown' }, state: 'down' },
      want: ['primary [a unknown 100→0] [b paused 50→0]', 'fallback [c unknown 20→0]'],
    },
    {
      // The caller's state wins: the checker passes the state its last frontend event announced.
      name: 'weights up but the given state not yet: no pool is active',
      in: { states: { a: 'up', b: 'up', c: 'up' }, state: 'down' },
      want: ['primary [a up 100→100] [b up 50→50]', 'fallback [c up 20→0]'],
    },
    {
      name: 'a backend with no state counts as unknown',
      in: { states: {}, state: 'unknown' },
      want: ['primary [a unknown 100→0] [b unknown 50→0]', 'fallback [c unknown 20→0]'],
    },
  ];
  for (const c of cases) {
    const weightOf = (f: string, pool: string, backend: string): number => c.in.weights?.[backend] ?? yaml(f, pool, backend);
    const v = frontendView(fe, c.in.state, (b) => c.in.states[b], weightOf, () => undefined);
    t.equal(v.panic, c.panic ?? false, `${c.name}: panic`);
    const got = v.pools.map(
      (p) =>
        `${p.name}${p.active ? ' active' : ''} ${p.members.map((m) => `[${m.backend} ${m.state} ${m.weight}→${m.effectiveWeight}${m.flush ? ' flush' : ''}]`).join(' ')}`,
    );
    t.same(got, c.want, c.name);
  }
});

t.test('last transition times come from the lookup, per member', async (t) => {
  const at: Record<string, number> = { a: 1000, c: 3000 };
  const v = frontendView(fe, 'up', () => 'up', yaml, (b) => at[b]);
  t.same(
    v.pools.flatMap((p) => p.members.map((m) => [m.backend, m.lastTransitionAt])),
    [
      ['a', 1000],
      ['b', undefined],
      ['c', 3000],
    ],
  );
});

t.test('members show the agent state beside the health state', async (t) => {
  const v = frontendView(fe, 'up', () => 'up', yaml, () => undefined, undefined, (b) => (b === 'a' ? { state: 'drain', percent: 100 } : undefined));
  t.same(
    v.pools[0]!.members.map((m) => [m.backend, m.state, m.agentState, m.effectiveWeight, m.flush]),
    [
      ['a', 'up', 'drain', 0, false],
      ['b', 'up', undefined, 50, false],
    ],
  );
});
