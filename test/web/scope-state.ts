import t from 'tap';
import type { BackendInfo, FrontendInfo, VPPInfo } from '../../src/api/maglev-messages.js';
import { ScopeState } from '../../src/web/scope-state.js';

const member = (name: string, state = 'up', eff = 100) => ({ name, weight: 100, effective_weight: eff, state, last_transition_unix_ns: '1000000', agent_state: '' });
const fe = (name: string, backends: string[], extra: Partial<FrontendInfo> = {}): FrontendInfo => ({
  name,
  address: '192.0.2.1',
  protocol: 'tcp',
  port: 80,
  pools: [{ name: 'p0', active: true, backends: backends.map((b) => member(b)) }],
  description: '',
  src_ip_sticky: false,
  flush_on_down: false,
  state: 'up',
  panic_threshold: 0,
  panic: false,
  ...extra,
});
const be = (name: string, state = 'up'): BackendInfo => ({
  name,
  address: '10.0.0.1',
  state,
  transitions: [],
  enabled: true,
  healthcheck: 'hc',
  health: 4,
  rise: 2,
  fall: 3,
  last_probe: null,
  frontends: [],
  agent: null,
});
const vpp: VPPInfo = { version: 'v1', build_date: '', build_directory: '', pid: 1, boottime_ns: '0', connecttime_ns: '5' };

t.test('replaceAll emits only what changed', async (t) => {
  const s = new ScopeState('m1');
  const first = s.replaceAll({ frontends: [fe('web', ['a'])], backends: [be('a')], healthchecks: [], vpp });
  t.same(first?.frontends?.map((f) => f.name), ['web']);
  t.same(first?.names, { frontends: ['web'], backends: ['a'] });
  t.same(first?.vpp, vpp);
  t.equal(s.replaceAll({ frontends: [fe('web', ['a'])], backends: [be('a')], healthchecks: [], vpp }), undefined, 'nothing changed: no update');
  const u = s.replaceAll({ frontends: [fe('web', ['a'], { state: 'down' })], vpp: null });
  t.same(Object.keys(u ?? {}).sort(), ['frontends', 'maglevd', 'vpp']);
  t.equal(u?.vpp, null);
  t.equal(s.backends.names.length, 1, 'a kind left out keeps its objects');
});

t.test('upsert reports new names', async (t) => {
  const s = new ScopeState('m1');
  s.replaceAll({ frontends: [fe('web', ['a'])] });
  t.equal(s.upsert({ frontends: [fe('web', ['a'])] }), undefined);
  t.same(s.upsert({ frontends: [fe('web', ['a'], { description: 'x' })] }), { maglevd: 'm1', frontends: [fe('web', ['a'], { description: 'x' })] });
  const added = s.upsert({ backends: [be('z')] });
  t.same(added?.names, { backends: ['z'] });
});

t.test('a backend transition updates the backend and its pool rows', async (t) => {
  const s = new ScopeState('m1');
  s.replaceAll({ frontends: [fe('web', ['a', 'b']), fe('other', ['b'])], backends: [be('a'), be('b')] });
  t.same(s.frontendsUsing('a'), ['web']);
  t.same(s.frontendsUsing('b'), ['web', 'other']);
  const tr = { from: 'up', to: 'down', at_unix_ns: '9000000', code: 'L4TOUT', detail: '' };
  s.applyBackendTransition('a', tr);
  t.equal(s.backends.get('a')?.state, 'down');
  t.same(s.backends.get('a')?.transitions, [tr]);
  const row = s.frontends.get('web')?.pools[0]?.backends[0];
  t.equal(row?.state, 'down');
  t.equal(row?.last_transition_unix_ns, '9000000');
  t.equal(s.frontends.get('web')?.pools[0]?.backends[1]?.state, 'up', 'other rows untouched');
  // A snapshot entry (from == to) sets the state but adds no history.
  s.applyBackendTransition('b', { ...tr, from: 'paused', to: 'paused' });
  t.equal(s.backends.get('b')?.state, 'paused');
  t.same(s.backends.get('b')?.transitions, []);
  t.equal(s.frontends.get('other')?.pools[0]?.backends[0]?.last_transition_unix_ns, '1000000');
  s.applyFrontendTransition('web', 'down');
  t.equal(s.frontends.get('web')?.state, 'down');
});

t.test('snapshot is proto3 JSON of the whole scope', async (t) => {
  const s = new ScopeState('m1');
  s.reachable = true;
  s.replaceAll({ frontends: [fe('web', ['a'])], backends: [be('a')], healthchecks: [], vpp });
  const snap = s.snapshot() as Record<string, unknown>;
  t.same(Object.keys(snap), ['name', 'reachable', 'watchRefused', 'vpp', 'frontends', 'backends', 'healthchecks', 'lbState']);
  t.equal(snap.watchRefused, null, 'null while the WatchEvents stream is not refused');
  t.equal(snap.lbState, null);
  t.match(snap, { name: 'm1', reachable: true, vpp: { buildDate: '', connecttimeNs: '5' }, frontends: [{ srcIpSticky: false, pools: [{ backends: [{ effectiveWeight: 100 }] }] }] });
});
