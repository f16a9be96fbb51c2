import t from 'tap';
import { configFromYaml } from '../support/test-config.js';
import { projectChange, type ProposedChange, type TableWorld } from '../../src/core/proposed-change.js';
import { isDaemonError } from '../../src/shared/errors.js';
import type { BackendState } from '../../src/shared/health.js';

const config = configFromYaml;

const live = config(`  backends:
    a: { address: 10.0.0.1, healthcheck: hc }
    b: { address: 10.0.0.2, healthcheck: hc }
    s: { address: 10.0.0.3 }
    off: { address: 10.0.0.4, healthcheck: hc, enabled: false }
    p: { address: 10.0.0.5, healthcheck: hc }
    spare: { address: 10.0.0.6 }
  frontends:
    web:
      address: 192.0.2.1
      protocol: tcp
      port: 80
      pools:
        - name: main
          backends: { a: {}, b: { weight: 50 }, s: {}, off: {}, p: {} }
    other:
      address: 192.0.2.2
      protocol: tcp
      port: 80
      pools:
        - name: main
          backends: { b: {}, spare: {} }
`);

const liveStates: Record<string, BackendState> = { a: 'up', b: 'down', s: 'up', off: 'disabled', p: 'paused', spare: 'up' };
const world: TableWorld = {
  config: live,
  stateOf: (b) => liveStates[b],
  // A runtime override on a; everything else from YAML.
  weightOf: (f, pool, b) => (f === 'web' && b === 'a' ? 70 : (live.frontends.get(f)?.pools.find((x) => x.name === pool)?.members.find((m) => m.backend === b)?.weight ?? 0)),
};

const backendsOf = ['a', 'b', 's', 'off', 'p', 'spare', 'new1', 'new2', 'newoff'];
const statesAfter = (w: TableWorld): Record<string, BackendState> =>
  Object.fromEntries(
    backendsOf.flatMap((b) => {
      const s = w.stateOf(b);
      return s === undefined ? [] : [[b, s]];
    }),
  );

t.test('operator actions and weights', async (t) => {
  const cases: Array<{ name: string; in: ProposedChange; want: { changed: Record<string, BackendState>; frontends: string[]; assumptions: string[] } }> = [
    { name: 'pause an up backend', in: { kind: 'pause', backend: 'a' }, want: { changed: { a: 'paused' }, frontends: ['web'], assumptions: [] } },
    { name: 'pause a paused one: no change', in: { kind: 'pause', backend: 'p' }, want: { changed: {}, frontends: ['web'], assumptions: [] } },
    { name: 'resume a paused one: taken as up', in: { kind: 'resume', backend: 'p' }, want: { changed: { p: 'up' }, frontends: ['web'], assumptions: ['p passes its health check after resuming'] } },
    { name: 'resume a probing one: no change', in: { kind: 'resume', backend: 'b' }, want: { changed: {}, frontends: ['other', 'web'], assumptions: [] } },
    { name: 'enable a disabled one', in: { kind: 'enable', backend: 'off' }, want: { changed: { off: 'up' }, frontends: ['web'], assumptions: ['off passes its health check after enabling'] } },
    { name: 'enable an enabled one: no change', in: { kind: 'enable', backend: 'a' }, want: { changed: {}, frontends: ['web'], assumptions: [] } },
    { name: 'disable', in: { kind: 'disable', backend: 'b' }, want: { changed: { b: 'disabled' }, frontends: ['other', 'web'], assumptions: [] } },
    { name: 'disable a disabled one: no change', in: { kind: 'disable', backend: 'off' }, want: { changed: {}, frontends: ['web'], assumptions: [] } },
    { name: 'a weight', in: { kind: 'weight', frontend: 'web', pool: 'main', backend: 'b', weight: 0 }, want: { changed: {}, frontends: ['web'], assumptions: [] } },
  ];
  for (const c of cases) {
    const p = projectChange(world, c.in);
    t.same(statesAfter(p.after), { ...liveStates, ...c.want.changed }, `${c.name}: states`);
    t.same(p.frontends, c.want.frontends, `${c.name}: frontends`);
    t.same(p.assumptions, c.want.assumptions, `${c.name}: assumptions`);
    t.equal(p.after.config, live, `${c.name}: same config`);
  }
  const w = projectChange(world, { kind: 'weight', frontend: 'web', pool: 'main', backend: 'b', weight: 0 }).after;
  t.same([w.weightOf('web', 'main', 'b'), w.weightOf('web', 'main', 'a'), w.weightOf('other', 'main', 'b')], [0, 70, 100], 'only that member changes; overrides stay');
});

t.test('a static backend needs no assumption', async (t) => {
  const paused: TableWorld = { ...world, stateOf: (b) => (b === 's' ? 'paused' : liveStates[b]) };
  const p = projectChange(paused, { kind: 'resume', backend: 's' });
  t.equal(p.after.stateOf('s'), 'up');
  t.same(p.assumptions, []);
  const ghost: TableWorld = { ...world, stateOf: (b) => (b === 'ghost' ? 'up' : liveStates[b]) };
  t.same(projectChange(ghost, { kind: 'pause', backend: 'ghost' }).frontends, [], 'a backend no frontend uses touches no VIP');
});

t.test('refused like the real change', async (t) => {
  const removed: TableWorld = { ...world, stateOf: (b) => (b === 'a' ? 'removed' : liveStates[b]) };
  const cases: Array<{ name: string; world?: TableWorld; in: ProposedChange; code: string; message: RegExp }> = [
    { name: 'unknown backend', in: { kind: 'pause', backend: 'nope' }, code: 'NOT_FOUND', message: /backend "nope" not found/ },
    { name: 'removed backend', world: removed, in: { kind: 'disable', backend: 'a' }, code: 'NOT_FOUND', message: /backend "a" not found/ },
    { name: 'pause a disabled one', in: { kind: 'pause', backend: 'off' }, code: 'FAILED_PRECONDITION', message: /"off" is disabled; cannot pause/ },
    { name: 'resume a disabled one', in: { kind: 'resume', backend: 'off' }, code: 'FAILED_PRECONDITION', message: /cannot resume/ },
    { name: 'unknown frontend', in: { kind: 'weight', frontend: 'x', pool: 'main', backend: 'a', weight: 1 }, code: 'NOT_FOUND', message: /frontend "x"/ },
    { name: 'unknown pool', in: { kind: 'weight', frontend: 'web', pool: 'x', backend: 'a', weight: 1 }, code: 'NOT_FOUND', message: /^pool "x" not found in frontend "web"$/ },
    { name: 'not a member', in: { kind: 'weight', frontend: 'other', pool: 'main', backend: 'a', weight: 1 }, code: 'NOT_FOUND', message: /^backend "a" not found in pool "main"$/ },
    { name: 'weight too big', in: { kind: 'weight', frontend: 'web', pool: 'main', backend: 'a', weight: 101 }, code: 'INVALID_ARGUMENT', message: /weight 101 out of range/ },
    { name: 'negative weight', in: { kind: 'weight', frontend: 'web', pool: 'main', backend: 'a', weight: -1 }, code: 'INVALID_ARGUMENT', message: /out of range/ },
    { name: 'fractional weight', in: { kind: 'weight', frontend: 'web', pool: 'main', backend: 'a', weight: 1.5 }, code: 'INVALID_ARGUMENT', message: /out of range/ },
  ];
  for (const c of cases) {
    try {
      projectChange(c.world ?? world, c.in);
      t.fail(`${c.name}: no error`);
    } catch (e) {
      t.ok(isDaemonError(e, c.code as 'NOT_FOUND'), `${c.name}: ${c.code}`);
      t.match((e as Error).message, c.message, c.name);
    }
  }
});

t.test('a candidate config: states after the reload has settled, YAML weights', async (t) => {
  const next = config(`  backends:
    a: { address: 10.0.0.11, healthcheck: hc }
    b: { address: 10.0.0.12, healthcheck: hc }
    s: { address: 10.0.0.3, enabled: false }
    off: { address: 10.0.0.4, healthcheck: hc }
    p: { address: 10.0.0.5, healthcheck: hc }
    new1: { address: 10.0.0.7, healthcheck: hc }
    new2: { address: 10.0.0.8 }
    newoff: { address: 10.0.0.9, healthcheck: hc, enabled: false }
  frontends:
    web:
      address: 192.0.2.1
      protocol: tcp
      port: 80
      pools:
        - name: main
          backends: { a: {}, b: {}, s: {}, off: {}, p: {}, new1: {}, new2: {}, newoff: {} }
    third:
      address: 192.0.2.3
      protocol: tcp
      port: 80
      pools:
        - name: main
          backends: { a: { weight: 10 } }
`);
  const p = projectChange(world, { kind: 'config', config: next });
  t.equal(p.after.config, next);
  t.same(statesAfter(p.after), {
    a: 'up', // moved address, was up: comes back up
    b: 'down', // moved address, was down: stays down
    s: 'disabled', // disabled in config
    off: 'up', // enabled in config
    p: 'paused', // untouched
    new1: 'up',
    new2: 'up',
    newoff: 'disabled',
  });
  t.same(p.assumptions, [
    'new1 passes its health check (new backend)',
    'a passes its health check at its new address',
    'off passes its health check (enabled in config)',
  ]);
  t.same(p.frontends, ['web', 'other', 'third']);
  t.same([p.after.weightOf('web', 'main', 'a'), p.after.weightOf('third', 'main', 'a'), p.after.weightOf('web', 'nope', 'a')], [100, 10, 0], 'YAML weights, overrides gone');

  // A backend that the live config enabled at run time, enabled in the new config too: kept as is.
  const runtimeEnabled: TableWorld = { ...world, stateOf: (b) => (b === 'off' ? 'up' : liveStates[b]) };
  t.equal(projectChange(runtimeEnabled, { kind: 'config', config: next }).after.stateOf('off'), 'up');
  const unknownNow: TableWorld = { ...world, stateOf: (b) => (b === 'off' ? undefined : liveStates[b]) };
  t.equal(projectChange(unknownNow, { kind: 'config', config: next }).after.stateOf('off'), 'unknown', 'an unprobed backend stays unknown');
});

t.test('a reload keeps the agent verdicts of backends whose agent check and address stay', async (t) => {
  // The body continues the helper's healthchecks mapping (after its hc) with more checks.
  const agentConfig = (bAddress: string, cCheck: string) =>
    config(`    ag: { type: tcp, port: 80, agent: { port: 9999 } }
    other: { type: tcp, port: 80, agent: { port: 8888 } }
  backends:
    a: { address: 10.0.0.1, healthcheck: ag }
    b: { address: ${bAddress}, healthcheck: ag }
    c: { address: 10.0.0.3, healthcheck: ${cCheck} }
  frontends:
    web: { address: 192.0.2.1, protocol: tcp, port: 80, pools: [{ name: main, backends: { a: {}, b: {}, c: {} } }] }
`);
  const agentLive = agentConfig('10.0.0.2', 'ag');
  const next = agentConfig('10.0.0.9', 'other');
  const drain = { state: 'drain', percent: 100 } as const;
  const agentWorld: TableWorld = { config: agentLive, stateOf: () => 'up', weightOf: () => 100, agentOf: () => drain };
  const after = projectChange(agentWorld, { kind: 'config', config: next }).after;
  t.same(
    ['a', 'b', 'c'].map((b) => after.agentOf?.(b)),
    [drain, undefined, undefined],
    'a kept; b moved address; c has another agent check',
  );
  t.equal(projectChange(world, { kind: 'config', config: next }).after.agentOf, undefined, 'no verdicts before, none after');
  t.equal(projectChange(agentWorld, { kind: 'pause', backend: 'a' }).after.agentOf?.('a'), drain, 'operator actions keep the verdicts');
});
