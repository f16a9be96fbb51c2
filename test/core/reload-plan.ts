import t from 'tap';
import { planReload, sameCheckDefinition } from '../../src/core/reload-plan.js';
import { healthCheck, makeConfig, type FixtureSpec } from '../support/checker-fixtures.js';

const base: FixtureSpec = {
  healthchecks: { hc: {} },
  backends: {
    a: { address: '192.0.2.1', healthcheck: 'hc' },
    b: { address: '192.0.2.2', healthcheck: 'hc' },
    c: { address: '192.0.2.3', healthcheck: 'hc' },
  },
  frontends: { web: [['p', { a: 100, b: 100, c: 100 }]] },
};

t.test('reload: per-backend cases', async (t) => {
  const cases: Array<{ name: string; next: FixtureSpec; want: Record<string, unknown> }> = [
    { name: 'unchanged', next: base, want: { removed: [], added: [], kept: ['a::', 'b::', 'c::'], netns: false } },
    {
      name: 'backend deleted',
      next: { ...base, backends: { a: base.backends.a!, b: base.backends.b! }, frontends: { web: [['p', { a: 100, b: 100 }]] } },
      want: { removed: ['c'], added: [], kept: ['a::', 'b::'], netns: false },
    },
    {
      name: 'backend no longer referenced',
      next: { ...base, frontends: { web: [['p', { a: 100, c: 100 }]] } },
      want: { removed: ['b'], added: [], kept: ['a::', 'c::'], netns: false },
    },
    {
      name: 'new backend, stagger position in the new sorted list',
      next: { ...base, backends: { ...base.backends, ab: '192.0.2.9' }, frontends: { web: [['p', { a: 100, b: 100, c: 100, ab: 1 }]] } },
      want: { removed: [], added: ['ab@1/4'], kept: ['a::', 'b::', 'c::'], netns: false },
    },
    {
      name: 'address changed',
      next: { ...base, backends: { ...base.backends, b: { address: '192.0.2.22', healthcheck: 'hc' } } },
      want: { removed: [], added: [], kept: ['a::', 'b:address:', 'c::'], netns: false },
    },
    {
      name: 'health-check definition changed (port)',
      next: { ...base, healthchecks: { hc: { port: 8080 } } },
      want: { removed: [], added: [], kept: ['a:check:', 'b:check:', 'c:check:'], netns: false },
    },
    {
      name: 'check renamed with the same definition is unchanged',
      next: { ...base, healthchecks: { hc: {}, hc2: {} }, backends: { a: { address: '192.0.2.1', healthcheck: 'hc2' }, b: base.backends.b!, c: base.backends.c! }, frontends: base.frontends },
      want: { removed: [], added: [], kept: ['a::', 'b::', 'c::'], netns: false },
    },
    {
      name: 'healthcheck removed (now static) is a changed definition',
      next: { ...base, backends: { ...base.backends, a: '192.0.2.1' } },
      want: { removed: [], added: [], kept: ['a:check:', 'b::', 'c::'], netns: false },
    },
    {
      name: 'YAML enabled changed',
      next: { ...base, backends: { ...base.backends, a: { address: '192.0.2.1', healthcheck: 'hc', enabled: false } } },
      want: { removed: [], added: [], kept: ['a::disable', 'b::', 'c::'], netns: false },
    },
    {
      name: 'netns changed',
      next: { ...base, netns: 'dataplane' },
      want: { removed: [], added: [], kept: ['a::', 'b::', 'c::'], netns: true },
    },
  ];
  const old = makeConfig(base);
  for (const c of cases) {
    const p = planReload(old, makeConfig(c.next));
    t.same(
      {
        removed: p.removed,
        added: p.added.map((a) => `${a.name}@${a.pos}/${p.total}`),
        kept: p.kept.map((k) => `${k.name}:${k.addressChanged ? 'address' : ''}${k.checkChanged ? 'check' : ''}:${k.enabledChange ?? ''}`),
        netns: p.netnsChanged,
      },
      c.want,
      c.name,
    );
  }
  const back = planReload(makeConfig({ ...base, backends: { ...base.backends, a: { address: '192.0.2.1', healthcheck: 'hc', enabled: false } } }), old);
  t.equal(back.kept[0]?.enabledChange, 'enable', 'false → true is enable');
  const wasUnused = planReload(
    makeConfig({ ...base, frontends: { web: [['p', { a: 100 }]] } }),
    makeConfig({ ...base, frontends: { web: [['p', { a: 100, b: 1 }]] } }),
  );
  t.same(
    wasUnused.added.map((a) => a.name),
    ['b'],
    'a backend that becomes referenced is new',
  );
});

t.test('health checks are compared by every field but the name', async (t) => {
  const h = healthCheck('x');
  const cases: Array<{ name: string; b: ReturnType<typeof healthCheck> | undefined; same: boolean }> = [
    { name: 'identical', b: healthCheck('x'), same: true },
    { name: 'other name only', b: healthCheck('y'), same: true },
    { name: 'port', b: healthCheck('x', { port: 81 }), same: false },
    { name: 'probe-ipv4-src', b: healthCheck('x', { probeIpv4Src: '192.0.2.254' }), same: false },
    { name: 'probe-ipv6-src', b: healthCheck('x', { probeIpv6Src: '2001:db8::1' }), same: false },
    { name: 'interval', b: healthCheck('x', { intervalMs: 2001 }), same: false },
    { name: 'fast-interval', b: healthCheck('x', { fastIntervalMs: 1 }), same: false },
    { name: 'down-interval', b: healthCheck('x', { downIntervalMs: 1 }), same: false },
    { name: 'timeout', b: healthCheck('x', { timeoutMs: 2 }), same: false },
    { name: 'rise', b: healthCheck('x', { rise: 1 }), same: false },
    { name: 'fall', b: healthCheck('x', { fall: 1 }), same: false },
    { name: 'type', b: healthCheck('x', { type: 'icmp', port: 80, tcp: undefined }), same: false },
    { name: 'tcp params', b: healthCheck('x', { tcp: { ssl: true, serverName: undefined, insecureSkipVerify: false } }), same: false },
    { name: 'static', b: undefined, same: false },
  ];
  for (const c of cases) t.equal(sameCheckDefinition(h, c.b), c.same, c.name);
  t.equal(sameCheckDefinition(undefined, undefined), true, 'static on both sides');
});
