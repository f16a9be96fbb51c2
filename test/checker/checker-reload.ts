// Scenario tests: Checker.reload() against every row of the reload table, plus netns,
// transition-history, frontends and runtime state across a reload.

import t from 'tap';
import { makeConfig, type FixtureSpec } from '../support/checker-fixtures.js';
import { checkerHarness, type CheckerHarness } from '../support/checker-harness.js';
import { fail, pass } from '../support/fake-probe-executor.js';

// Sorted active list a, b, c: stagger 0, 667, 1333; all up after 2 s.
const base: FixtureSpec = {
  healthchecks: { hc: {} },
  backends: {
    a: { address: '192.0.2.1', healthcheck: 'hc' },
    b: { address: '192.0.2.2', healthcheck: 'hc' },
    c: { address: '192.0.2.3', healthcheck: 'hc' },
  },
  frontends: { web: [['p', { a: 100, b: 100 }]], api: [['p', { b: 100, c: 100 }]] },
};

function upAll(spec: FixtureSpec = base): CheckerHarness {
  const h = checkerHarness(spec);
  h.checker.start();
  h.clock.advance(2000);
  return h;
}

t.test('unchanged: loops keep running uninterrupted, runtime state preserved', async (t) => {
  const h = upAll();
  h.checker.pause('a');
  h.checker.disable('c');
  h.exec.defaultAnswer = 'hold';
  h.clock.advance(1200); // b's next probe (at ~3177) is in flight
  const inflight = h.exec.pending('b');
  t.equal(inflight.length, 1);
  const before = h.events.length;
  const counts = h.checker.reload(makeConfig(base));
  t.same(counts, { started: 0, stopped: 0, restarted: 0 });
  t.equal(inflight[0]?.status, 'pending', 'the in-flight probe is not touched');
  t.same([h.checker.stateOf('a'), h.checker.stateOf('b'), h.checker.stateOf('c')], ['paused', 'up', 'disabled']);
  t.equal(h.events.length, before, 'no events');
  t.same(h.log.named('backend-restart'), []);
  h.exec.resolve('b', pass);
  t.equal(h.checker.stateOf('b'), 'up');
  h.checker.stop();
});

t.test('changed health-check definition: restart with stagger, state kept, counter rise', async (t) => {
  const h = upAll();
  h.exec.defaultAnswer = 'hold';
  h.clock.advance(1200);
  const inflight = h.exec.pending('b');
  t.equal(inflight.length, 1);
  const at = h.rel();
  const counts = h.checker.reload(makeConfig({ ...base, healthchecks: { hc: { port: 8080, rise: 3, fall: 2 } } }));
  t.same(counts, { started: 0, stopped: 0, restarted: 3 });
  t.equal(inflight[0]?.status, 'cancelled', 'the old probe is aborted');
  t.same(
    h.log.named('backend-restart').map((r) => r.attrs),
    [
      { backend: 'a', reason: 'healthcheck changed' },
      { backend: 'b', reason: 'healthcheck changed' },
      { backend: 'c', reason: 'healthcheck changed' },
    ],
  );
  const b = h.checker.getBackend('b')!;
  t.same([b.state, b.health, b.rise, b.fall], ['up', 3, 3, 2], 'up kept, counter = new rise');
  t.equal(b.transitions.length, 1, 'history kept, no transition');
  t.same(h.frontendEvents(), ['web:unknown>up', 'api:unknown>up'], 'no frontend flap');
  h.exec.defaultAnswer = pass;
  h.exec.script('b', fail);
  // b is position 1 of 3: stagger 2000/3, then the fast-interval (up, counter below Max).
  h.clock.advance(2000 / 3 + 500 - 1);
  t.equal(h.exec.runs('b').filter((p) => p.startedAt - h.t0 >= at).length, 0, 'waits stagger + interval');
  h.clock.advance(1);
  const fresh = h.exec.runs('b').at(-1)!;
  t.equal(fresh.target.check.port, 8080, 'probes with the new parameters');
  h.clock.advance(10);
  t.equal(h.checker.stateOf('b'), 'down', 'one failure of the new check takes it down');
  h.checker.stop();
});

t.test('changed check while down: counter 0, stays down', async (t) => {
  const h = checkerHarness(base);
  h.exec.script('a', fail);
  h.checker.start();
  h.clock.advance(600);
  t.equal(h.checker.stateOf('a'), 'down');
  h.checker.reload(makeConfig({ ...base, healthchecks: { hc: { timeoutMs: 300 } } }));
  t.same([h.checker.stateOf('a'), h.checker.getBackend('a')?.health], ['down', 0]);
  h.checker.stop();
});

t.test('address changed: restart fresh at unknown (restarted), history kept; paused/disabled preserved', async (t) => {
  const h = upAll();
  h.checker.pause('c');
  const next = makeConfig({
    ...base,
    backends: {
      a: { address: '192.0.2.11', healthcheck: 'hc' },
      b: base.backends.b!,
      c: { address: '192.0.2.13', healthcheck: 'hc' },
    },
  });
  const counts = h.checker.reload(next);
  t.same(counts, { started: 0, stopped: 0, restarted: 2 });
  const a = h.checker.getBackend('a')!;
  t.same([a.state, a.address, a.health], ['unknown', '192.0.2.11', 1]);
  t.same(a.transitions[0], { from: 'up', to: 'unknown', at: h.clock.now(), code: 'restarted', detail: 'address changed from 192.0.2.1 to 192.0.2.11' });
  t.equal(a.transitions.length, 2, 'history kept');
  t.same(
    h.backendEvents().filter((e) => e.includes('restarted')),
    ['a:up>unknown:restarted@web'],
    'events go to the referencing frontends',
  );
  t.same([h.checker.stateOf('c'), h.checker.getBackend('c')?.address], ['paused', '192.0.2.13'], 'paused preserved');
  t.same(
    h.log.named('backend-restart').map((r) => r.attrs),
    [
      { backend: 'a', reason: 'address changed' },
      { backend: 'c', reason: 'address changed' },
    ],
  );
  h.clock.advance(1000);
  t.equal(h.exec.runs('a').at(-1)?.target.address, '192.0.2.11', 'probes the new address');
  t.equal(h.checker.stateOf('a'), 'up');
  const cRuns = h.exec.runs('c').length;
  h.clock.advance(10_000);
  t.equal(h.exec.runs('c').length, cRuns, 'paused c is not probed');
  h.checker.stop();
});

t.test('removed backend: loop stopped, removed transition to the old frontends, then forgotten', async (t) => {
  const h = upAll();
  h.exec.defaultAnswer = 'hold';
  h.clock.advance(2000);
  const inflight = h.exec.pending('c');
  t.equal(inflight.length, 1);
  const before = h.events.length;
  // api is deleted, so c is no longer referenced.
  const counts = h.checker.reload(makeConfig({ ...base, frontends: { web: [['p', { a: 100, b: 100 }]] } }));
  t.same(counts, { started: 0, stopped: 1, restarted: 0 });
  t.equal(inflight[0]?.status, 'cancelled');
  t.same(h.exec.released, [inflight[0]?.key], "the executor may forget c's target");
  const ev = h.events.slice(before).filter((e) => e.kind === 'backend');
  t.same(
    ev.map((e) => (e.kind === 'backend' ? `${e.backend}:${e.transition.to}:${e.transition.code}@${e.frontends.join(',')}` : '')),
    ['c:removed:removed@api'],
    'sent to the frontend that referenced it before the reload',
  );
  t.same(h.log.named('backend-stop').map((r) => r.attrs), [{ backend: 'c' }]);
  t.equal(h.checker.getBackend('c'), undefined, 'forgotten');
  t.equal(h.checker.stateOf('c'), undefined);
  t.same(h.checker.listBackends(), ['a', 'b']);
  t.throws(() => h.checker.pause('c'), { code: 'NOT_FOUND' });
  t.equal(h.checker.frontendState('api'), undefined, 'removed frontend dropped');
  t.same(h.checker.listFrontends(), ['web']);
  t.ok(h.observed.includes('backend c up>removed'));
  h.checker.stop();
});

t.test('new backend: starts unknown (or disabled) with stagger by its position in the new config', async (t) => {
  const h = upAll();
  const at = h.rel();
  const next = makeConfig({
    ...base,
    backends: { ...base.backends, ab: { address: '192.0.2.9', healthcheck: 'hc' }, zz: { address: '192.0.2.10', healthcheck: 'hc', enabled: false } },
    frontends: { web: [['p', { a: 100, b: 100, ab: 1 }]], api: [['p', { b: 100, c: 100, zz: 1 }]] },
  });
  const counts = h.checker.reload(next);
  t.same(counts, { started: 2, stopped: 0, restarted: 0 });
  t.same(h.checker.listBackends(), ['a', 'ab', 'b', 'c', 'zz'], 'sorted');
  t.same([h.checker.stateOf('ab'), h.checker.stateOf('zz')], ['unknown', 'disabled']);
  t.same(
    h.log.named('backend-start').slice(-2).map((r) => r.attrs.backend),
    ['ab', 'zz'],
  );
  // ab is position 1 of 5: stagger 2000/5 = 400, then fast 500.
  h.clock.advance(899);
  t.same(h.exec.runs('ab'), []);
  h.clock.advance(1);
  t.equal(h.exec.runs('ab')[0]?.startedAt, h.t0 + at + 900);
  h.clock.advance(20_000);
  t.same(h.exec.runs('zz'), [], 'disabled one is not probed');
  h.checker.stop();
});

t.test('new static backend is up at once after the reload', async (t) => {
  const h = upAll();
  h.checker.reload(makeConfig({ ...base, backends: { ...base.backends, s: '192.0.2.20' }, frontends: { ...base.frontends, stat: [['p', { s: 1 }]] } }));
  t.equal(h.checker.stateOf('s'), 'up');
  t.ok(h.frontendEvents().includes('stat:unknown>up'), 'a new frontend is announced from unknown');
  h.checker.stop();
});

t.test('YAML enabled changed is applied as Enable/Disable; unchanged keeps the runtime state', async (t) => {
  const h = upAll();
  const off = makeConfig({ ...base, backends: { ...base.backends, a: { address: '192.0.2.1', healthcheck: 'hc', enabled: false } } });
  h.checker.reload(off);
  const a = h.checker.getBackend('a')!;
  t.same([a.state, a.enabled, a.transitions[0]?.code, a.transitions[0]?.detail], ['disabled', false, 'disabled', 'disabled in config']);
  t.same(h.log.named('backend-disable').map((r) => r.attrs), [{ backend: 'a' }]);
  h.checker.enable('a'); // runtime enable; YAML still says false
  h.checker.reload(off);
  t.equal(h.checker.stateOf('a'), 'unknown', 'YAML unchanged: runtime enabled state preserved');
  h.checker.disable('a');
  h.checker.reload(makeConfig(base));
  t.same([h.checker.stateOf('a'), h.checker.getBackend('a')?.transitions[0]?.detail], ['unknown', 'enabled in config'], 'false → true enables');
  const runs = h.exec.runs('a').length;
  h.clock.advance(500);
  t.equal(h.exec.runs('a').length, runs + 1, 'probed after one fast-interval (no stagger)');
  h.checker.stop();
});

t.test('netns change restarts every probe loop with state kept', async (t) => {
  const h = upAll({ ...base, backends: { ...base.backends, s: '192.0.2.20' }, frontends: { ...base.frontends, stat: [['p', { s: 1 }]] } });
  h.exec.defaultAnswer = 'hold';
  h.clock.advance(1000);
  const inflight = h.exec.pending();
  t.ok(inflight.length > 0);
  const counts = h.checker.reload(
    makeConfig({ ...base, netns: 'dataplane', backends: { ...base.backends, s: '192.0.2.20' }, frontends: { ...base.frontends, stat: [['p', { s: 1 }]] } }),
  );
  t.same(counts, { started: 0, stopped: 0, restarted: 3 }, 'the static backend has no probe loop to restart');
  t.ok(
    inflight.every((p) => p.status === 'cancelled'),
    'in-flight probes aborted',
  );
  t.same(
    h.log.named('backend-restart').map((r) => r.attrs.reason),
    ['netns changed', 'netns changed', 'netns changed'],
  );
  t.same(
    ['a', 'b', 'c', 's'].map((n) => h.checker.stateOf(n)),
    ['up', 'up', 'up', 'up'],
  );
  h.checker.stop();
});

t.test('a new transition-history trims at the next record', async (t) => {
  const h = checkerHarness({ ...base, transitionHistory: 10 });
  h.exec.script('a', pass, fail, fail, fail, pass, pass);
  h.checker.start();
  h.clock.advance(20_000);
  t.equal(h.checker.getBackend('a')?.transitions.length, 3);
  h.checker.reload(makeConfig({ ...base, transitionHistory: 1 }));
  t.equal(h.checker.getBackend('a')?.transitions.length, 3, 'not yet');
  h.checker.pause('a');
  t.same(
    h.checker.getBackend('a')?.transitions.map((x) => x.to),
    ['paused'],
  );
  h.checker.stop();
});

t.test('frontend states are recomputed once after the reload', async (t) => {
  const h = upAll();
  const before = h.frontendEvents().length;
  // b is removed; web keeps a (still up); api now only has c, disabled in YAML; fresh is new.
  h.checker.reload(
    makeConfig({
      ...base,
      backends: { ...base.backends, c: { address: '192.0.2.3', healthcheck: 'hc', enabled: false } },
      frontends: { web: [['p', { a: 100 }]], api: [['p', { c: 100 }]], fresh: [['p', { a: 1 }]] },
    }),
  );
  t.same(h.frontendEvents().slice(before), ['api:up>down', 'fresh:unknown>up']);
  t.same(
    h.events
      .slice(-3)
      .map((e) => e.kind)
      .join(','),
    'backend,frontend,frontend',
    'backend events of the reload come before the frontend events',
  );
  h.checker.stop();
});
