import t from 'tap';
import type { BackendInfo, FrontendInfo, ScopeSnapshot } from '../../../src/web/ui/api-types.js';
import {
  applyBackendEvent,
  applyFrontendEvent,
  applyLbState,
  applyProbe,
  applySnapshot,
  applyUpdate,
  applyVppApi,
  newScopeView,
} from '../../../src/web/ui/scope-model.js';

const fe = (name: string, weight = 100): FrontendInfo => ({
  name,
  address: '198.51.100.1',
  protocol: 'tcp',
  port: 80,
  description: '',
  srcIpSticky: false,
  flushOnDown: false,
  panicThreshold: 0,
  panic: false,
  state: 'up',
  pools: [{ name: 'p0', active: true, backends: [{ name: 'a', weight, effectiveWeight: weight, state: 'up', lastTransitionUnixNs: '1', agentState: '' }] }],
});
const be = (name: string): BackendInfo => ({
  name,
  address: '192.0.2.10',
  state: 'up',
  transitions: [],
  enabled: true,
  healthcheck: '',
  health: 1,
  rise: 1,
  fall: 1,
  lastProbe: null,
  frontends: ['web'],
  agent: null,
});
const snap = (): ScopeSnapshot => ({ name: 'm', reachable: true, vpp: null, frontends: [fe('web'), fe('api')], backends: [be('a')], healthchecks: [], lbState: null });
const tr = { from: 'up', to: 'down', atUnixNs: '99', code: 'L4TOUT', detail: '' };

t.test('a backend event updates rows everywhere and marks frontends settling', async (t) => {
  const s = newScopeView(snap());
  applyBackendEvent(s, { maglevd: 'm', backend: 'a', transition: tr });
  t.equal(s.backends[0]!.state, 'down');
  t.equal(s.backends[0]!.transitions.length, 1);
  t.equal(s.frontends[0]!.pools[0]!.backends[0]!.state, 'down');
  t.equal(s.frontends[1]!.pools[0]!.backends[0]!.lastTransitionUnixNs, '99');
  t.same(s.settling, { web: true, api: true });
  applyBackendEvent(s, { maglevd: 'm', backend: 'a', transition: tr });
  t.equal(s.backends[0]!.transitions.length, 1, 'the same transition twice (replay after load) is recorded once');
  applyLbState(s, { maglevd: 'm', lbState: { conf: null, vips: [] } });
  t.same(s.settling, {}, 'an lb-state read ends settling');
  t.same(s.lbState, { conf: null, vips: [] });
});

t.test('updates merge objects, follow name lists and settle on weight changes', async (t) => {
  const s = newScopeView(snap());
  const web = s.frontends[0];
  applyUpdate(s, { maglevd: 'm', frontends: [{ ...fe('web'), description: 'new' }] });
  t.equal(s.frontends[0], web, 'same object, merged');
  t.equal(s.frontends[0]!.description, 'new');
  t.same(s.settling, {}, 'no weight change: no settling');
  applyUpdate(s, { maglevd: 'm', frontends: [fe('web', 50)] });
  t.same(s.settling, { web: true });
  applyUpdate(s, { maglevd: 'm', frontends: [fe('new')], names: { frontends: ['new', 'web'] } });
  t.same(
    s.frontends.map((f) => f.name),
    ['new', 'web'],
  );
  applyUpdate(s, { maglevd: 'm', vpp: { version: 'v', buildDate: '', buildDirectory: '', pid: 1, boottimeNs: '0', connecttimeNs: '0' } });
  t.equal(s.vpp?.version, 'v');
  applyUpdate(s, { maglevd: 'm', vpp: null });
  t.equal(s.vpp, null);
});

t.test('frontend, probe and vpp-api events; snapshots keep UI state', async (t) => {
  const s = newScopeView(snap());
  applyFrontendEvent(s, { maglevd: 'm', frontend: 'api', transition: { ...tr, code: '' } });
  t.equal(s.frontends[1]!.state, 'down');
  applyProbe(s, { maglevd: 'm', backend: 'a', phase: 'start', ok: false, code: '' });
  t.same(s.probing, { a: true });
  applyProbe(s, { maglevd: 'm', backend: 'a', phase: 'done', ok: true, code: 'L7OK' });
  t.same(s.probing, {});
  applyVppApi(s, { maglevd: 'm', direction: 'send' });
  applyVppApi(s, { maglevd: 'm', direction: 'send' });
  t.same(s.apiSeq, { send: 2, recv: 0 });
  s.settling.web = true;
  applySnapshot(s, { ...snap(), reachable: false });
  t.equal(s.reachable, false);
  t.equal(s.frontends[1]!.state, 'up', 'snapshot values win');
  t.same(s.settling, { web: true }, 'UI state survives');
  t.same(s.apiSeq, { send: 2, recv: 0 });
});
