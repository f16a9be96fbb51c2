import t from 'tap';
import { configFromYaml } from '../support/test-config.js';
import { compareWorlds, previewChange, type VipPreview } from '../../src/core/disruption-preview.js';
import type { TableWorld } from '../../src/core/proposed-change.js';
import type { Config } from '../../src/shared/config.js';
import { isDaemonError } from '../../src/shared/errors.js';
import type { BackendState } from '../../src/shared/health.js';
import { ipToIp46 } from '../../src/shared/ip-address.js';
import { maglevTable, noMember } from '../../src/shared/maglev.js';

const config = configFromYaml;

function world(cfg: Config, states: Record<string, BackendState> = {}): TableWorld {
  return {
    config: cfg,
    stateOf: (b) => (cfg.backends.has(b) ? (states[b] ?? 'up') : undefined),
    weightOf: (f, pool, b) => cfg.frontends.get(f)?.pools.find((p) => p.name === pool)?.members.find((m) => m.backend === b)?.weight ?? 0,
  };
}

/** The oracle: moved buckets straight from two maglevTable runs over address → weight. */
function oracleMoved(before: Record<string, number>, after: Record<string, number>): number {
  const owners = (m: Record<string, number>) => {
    const list = Object.entries(m);
    return Array.from(maglevTable(list.map(([a, w]) => ({ ip46: ipToIp46(a), weight: w })), 1024), (i) => (i === noMember ? '' : list[i]![0]));
  };
  const a = owners(before);
  const b = owners(after);
  return a.filter((o, i) => o !== b[i]).length;
}

const buckets = (v: VipPreview) => Object.fromEntries(v.ases.map((a) => [a.address, [a.bucketsBefore, a.bucketsAfter]]));

const four = config(`  backends:
    w1: { address: 10.0.0.1 }
    w2: { address: 10.0.0.2 }
    w3: { address: 10.0.0.3 }
    w4: { address: 10.0.0.4, healthcheck: hc }
  frontends:
    web:
      address: 192.0.2.1
      protocol: tcp
      port: 80
      pools:
        - name: main
          backends: { w1: {}, w2: {}, w3: {}, w4: {} }
`);

t.test('weights and actions on four equal ASes: VPP test vectors after the change', async (t) => {
  const eq = { '10.0.0.1': 100, '10.0.0.2': 100, '10.0.0.3': 100, '10.0.0.4': 100 };
  const cases: Array<{ name: string; world: TableWorld; change: Parameters<typeof previewChange>[1]; after: Record<string, number>; want: Record<string, [number, number]> }> = [
    {
      name: 'w1 to half weight',
      world: world(four),
      change: { kind: 'weight', frontend: 'web', pool: 'main', backend: 'w1', weight: 50 },
      after: { ...eq, '10.0.0.1': 50 },
      want: { '10.0.0.1': [256, 150], '10.0.0.2': [256, 292], '10.0.0.3': [256, 291], '10.0.0.4': [256, 291] },
    },
    {
      name: 'w2 drained while w1 is at half weight',
      world: { ...world(four), weightOf: (_f, _p, b) => (b === 'w1' ? 50 : 100) },
      change: { kind: 'weight', frontend: 'web', pool: 'main', backend: 'w2', weight: 0 },
      after: { '10.0.0.1': 50, '10.0.0.3': 100, '10.0.0.4': 100 },
      want: { '10.0.0.1': [150, 208], '10.0.0.2': [292, 0], '10.0.0.3': [291, 408], '10.0.0.4': [291, 408] },
    },
    {
      name: 'w4 paused',
      world: world(four),
      change: { kind: 'pause', backend: 'w4' },
      after: { '10.0.0.1': 100, '10.0.0.2': 100, '10.0.0.3': 100 },
      want: { '10.0.0.1': [256, 342], '10.0.0.2': [256, 341], '10.0.0.3': [256, 341], '10.0.0.4': [256, 0] },
    },
  ];
  for (const c of cases) {
    const p = previewChange(c.world, c.change);
    t.equal(p.vips.length, 1, c.name);
    const v = p.vips[0]!;
    t.same(buckets(v), c.want, `${c.name}: buckets`);
    const before = Object.fromEntries(v.ases.map((a) => [a.address, a.weightBefore]));
    t.equal(v.movedBuckets, oracleMoved(before, c.after), `${c.name}: moved buckets`);
    t.equal(v.change, 'changed', c.name);
    t.same([v.frontend, v.id, v.flowTableLength], ['web', '192.0.2.1/32 tcp 80', 1024], c.name);
  }
});

t.test('no-op changes move nothing', async (t) => {
  for (const change of [{ kind: 'weight', frontend: 'web', pool: 'main', backend: 'w1', weight: 100 }, { kind: 'enable', backend: 'w2' }] as const) {
    const v = previewChange(world(four), change).vips[0]!;
    t.same([v.change, v.movedBuckets], ['unchanged', 0], change.kind);
  }
});

t.test('pool failover: members and effective weights on both sides', async (t) => {
  const cfg = config(`  backends:
    a: { address: 10.0.0.1, healthcheck: hc }
    b: { address: 10.0.0.2 }
  frontends:
    web:
      address: 192.0.2.1
      protocol: tcp
      port: 80
      pools:
        - name: primary
          backends: { a: {} }
        - name: fallback
          backends: { b: { weight: 40 } }
`);
  const p = previewChange(world(cfg), { kind: 'disable', backend: 'a' });
  const v = p.vips[0]!;
  t.equal(v.movedBuckets, 1024);
  t.same(v.ases, [
    { address: '10.0.0.1', backends: ['a'], weightBefore: 100, weightAfter: 0, bucketsBefore: 1024, bucketsAfter: 0 },
    { address: '10.0.0.2', backends: ['b'], weightBefore: 0, weightAfter: 40, bucketsBefore: 0, bucketsAfter: 1024 },
  ]);
  t.same(v.members, [
    { pool: 'primary', backend: 'a', before: { state: 'up', configured: 100, effective: 100 }, after: { state: 'disabled', configured: 100, effective: 0 } },
    { pool: 'fallback', backend: 'b', before: { state: 'up', configured: 40, effective: 0 }, after: { state: 'up', configured: 40, effective: 40 } },
  ]);
  const enable = previewChange(world(cfg, { a: 'disabled' }), { kind: 'enable', backend: 'a' });
  t.same(enable.assumptions, ['a passes its health check after enabling']);
  t.same(buckets(enable.vips[0]!), { '10.0.0.1': [0, 1024], '10.0.0.2': [1024, 0] });
});

t.test('a candidate config: changed, unchanged, added, removed and moved VIPs', async (t) => {
  const live = config(`  backends:
    a: { address: 10.0.0.1 }
    b: { address: 10.0.0.2 }
  frontends:
    keep:
      address: 192.0.2.1
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { a: {}, b: {} }
    grow:
      address: 192.0.2.2
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { a: {} }
    drop:
      address: 192.0.2.3
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { b: {} }
    move:
      address: 192.0.2.4
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { a: {} }
`);
  const next = config(`  backends:
    a: { address: 10.0.0.1 }
    b: { address: 10.0.0.2 }
    c: { address: 10.0.0.3, healthcheck: hc, enabled: false }
  frontends:
    keep:
      address: 192.0.2.1
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { a: {}, b: {} }
    grow:
      address: 192.0.2.2
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { a: {}, c: {} }
    move:
      address: 192.0.2.9
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { a: {} }
    fresh:
      address: 192.0.2.5
      protocol: udp
      port: 53
      pools:
        - name: p
          backends: { b: { weight: 10 } }
`);
  const p = previewChange(world(live), { kind: 'config', config: next });
  const rows = p.vips.map((v) => [v.frontend, v.id, v.change, v.movedBuckets]);
  t.same(rows, [
    ['keep', '192.0.2.1/32 tcp 80', 'unchanged', 0],
    // c joins disabled: a new AS at weight 0, no bucket moves.
    ['grow', '192.0.2.2/32 tcp 80', 'changed', 0],
    ['drop', '192.0.2.3/32 tcp 80', 'removed', 1024],
    ['move', '192.0.2.4/32 tcp 80', 'removed', 1024],
    ['fresh', '192.0.2.5/32 udp 53', 'added', 1024],
    ['move', '192.0.2.9/32 tcp 80', 'added', 1024],
  ]);
  const grow = p.vips.find((v) => v.frontend === 'grow')!;
  t.same(grow.members.map((m) => [m.backend, m.before?.state, m.after?.state]), [
    ['a', 'up', 'up'],
    ['c', undefined, 'disabled'],
  ]);
  const drop = p.vips.find((v) => v.frontend === 'drop')!;
  t.same(drop.members.map((m) => [m.backend, m.before?.effective, m.after]), [['b', 100, undefined]]);
  t.same(buckets(drop), { '10.0.0.2': [1024, 0] });

  t.same(previewChange(world(live), { kind: 'config', config: next }, 'fresh').vips.map((v) => v.frontend), ['fresh'], 'only a frontend of the new config');
  t.same(previewChange(world(live), { kind: 'config', config: next }, 'drop').vips.map((v) => v.change), ['removed'], 'only a frontend of the live config');
  try {
    previewChange(world(live), { kind: 'config', config: next }, 'nowhere');
    t.fail('no error');
  } catch (e) {
    t.ok(isDaemonError(e, 'NOT_FOUND'));
    t.match((e as Error).message, 'frontend "nowhere" not found');
  }
});

t.test('compareWorlds skips frontends neither side has', async (t) => {
  t.same(compareWorlds(world(four), world(four), ['ghost']), []);
  t.same(compareWorlds(world(four), world(four), ['web'], 'other'), []);
});
