// Scenario tests: pause/resume/enable/disable through the Checker (behaviour.md §3.8), with
// their effect on loops, in-flight probes, events and logs.

import t from 'tap';
import { checkerHarness } from '../support/checker-harness.js';
import type { FixtureSpec } from '../support/checker-fixtures.js';
import { fail, pass } from '../support/fake-probe-executor.js';

// Two backends so that b2 has a stagger (1000 ms) at start; resume/enable must not reuse it.
const spec: FixtureSpec = {
  healthchecks: { hc: {} },
  backends: {
    b1: { address: '192.0.2.1', healthcheck: 'hc' },
    b2: { address: '192.0.2.2', healthcheck: 'hc' },
    off: { address: '192.0.2.3', healthcheck: 'hc', enabled: false },
    s: '192.0.2.20',
  },
  frontends: { web: [['p', { b1: 100, b2: 100, off: 100 }]], other: [['p', { s: 1, b2: 1 }]] },
};

t.test('pause stops the loop and aborts the in-flight probe; resume restarts after one fast-interval', async (t) => {
  const h = checkerHarness(spec);
  h.checker.start();
  h.clock.advance(3000);
  t.equal(h.checker.stateOf('b2'), 'up');
  h.exec.defaultAnswer = 'hold';
  h.clock.advance(2000);
  const inflight = h.exec.pending('b2');
  t.equal(inflight.length, 1, 'a probe of b2 is in flight');
  const snap = h.checker.pause('b2');
  t.equal(snap.state, 'paused');
  t.equal(inflight[0]?.status, 'cancelled', 'in-flight probe aborted');
  t.same(h.log.named('backend-pause').map((r) => r.attrs), [{ backend: 'b2' }]);
  const runs = h.exec.runs('b2').length;
  h.clock.advance(60_000);
  t.equal(h.exec.runs('b2').length, runs, 'no probes while paused');
  t.same(h.checker.pause('b2').state, 'paused', 'pause of paused is a no-op returning the info');
  t.same(h.backendEvents().filter((e) => e.includes('>paused')), ['b2:up>paused:paused@other,web'], 'one transition, naming its 2 frontends');

  h.exec.defaultAnswer = pass;
  const resumedAt = h.rel();
  const r = h.checker.resume('b2');
  t.same([r.state, r.health], ['unknown', 1], 'resume → unknown with counter rise-1');
  t.same(
    r.transitions.slice(0, 3).map((x) => `${x.from}>${x.to}:${x.code}`),
    ['paused>unknown:resumed', 'up>paused:paused', 'unknown>up:L4OK'],
    'history kept',
  );
  h.clock.advance(499);
  t.equal(h.exec.runs('b2').length, runs, 'nothing before one fast-interval');
  h.clock.advance(1);
  t.equal(h.exec.runs('b2').at(-1)?.startedAt, h.t0 + resumedAt + 500, 'probe after exactly one fast-interval, no stagger');
  h.clock.advance(10);
  t.equal(h.checker.stateOf('b2'), 'up', 'one pass from unknown → up');
  t.same(h.checker.resume('b2').state, 'up', 'resume of up is a no-op');
  h.checker.stop();
});

t.test('disable: hard drain; enable: unknown with a new loop', async (t) => {
  const h = checkerHarness(spec);
  h.checker.start();
  h.clock.advance(3000);
  const d = h.checker.disable('b1');
  t.same([d.state, d.enabled], ['disabled', false]);
  t.same(h.log.named('backend-disable').map((r) => r.attrs), [{ backend: 'b1' }]);
  t.equal(h.checker.frontendInfo('web')?.pools[0]?.members[0]?.flush, true, 'disabled flushes');
  const runs = h.exec.runs('b1').length;
  h.clock.advance(30_000);
  t.equal(h.exec.runs('b1').length, runs, 'no probes while disabled');
  const again = h.checker.disable('b1');
  t.equal(again.enabled, false);
  t.equal(h.backendEvents().filter((e) => e.startsWith('b1:') && e.includes('>disabled')).length, 1, 'no duplicate transition');
  t.throws(() => h.checker.pause('b1'), { name: 'DaemonError', code: 'FAILED_PRECONDITION' });
  t.throws(() => h.checker.resume('b1'), { name: 'DaemonError', code: 'FAILED_PRECONDITION' });
  const e = h.checker.enable('b1');
  t.same([e.state, e.enabled, e.health], ['unknown', true, 1]);
  t.equal(e.transitions[0]?.code, 'enabled');
  h.exec.script('b1', fail);
  h.clock.advance(500);
  t.equal(h.exec.runs('b1').length, runs + 1, 'probed after one fast-interval');
  h.clock.advance(10);
  t.equal(h.checker.stateOf('b1'), 'down', 'one fail from unknown → down');
  t.same(h.checker.enable('b1').state, 'down', 'enable of a non-disabled backend: only the flag');
  h.checker.stop();
});

t.test('a backend disabled in YAML starts disabled, never probed, and can be enabled', async (t) => {
  const h = checkerHarness(spec);
  h.checker.start();
  h.clock.advance(20_000);
  t.same([h.checker.stateOf('off'), h.checker.getBackend('off')?.enabled], ['disabled', false]);
  t.same(h.exec.runs('off'), []);
  t.same(h.checker.getBackend('off')?.transitions, [], 'starting disabled is not a transition');
  h.checker.enable('off');
  h.clock.advance(510);
  t.equal(h.checker.stateOf('off'), 'up');
  h.checker.stop();
});

t.test('pause/resume/disable/enable of a static backend', async (t) => {
  const h = checkerHarness(spec);
  h.checker.start();
  t.equal(h.checker.stateOf('s'), 'up');
  h.checker.pause('s');
  h.clock.advance(60_000);
  t.equal(h.checker.stateOf('s'), 'paused', 'the 30 s re-record is stopped too');
  h.checker.resume('s');
  t.equal(h.checker.stateOf('s'), 'up', 'a static backend passes at once after resume');
  t.same(
    h.checker
      .getBackend('s')
      ?.transitions.slice(0, 2)
      .map((x) => x.code),
    ['L7OK', 'resumed'],
    'resumed first, then the synthetic pass',
  );
  h.checker.disable('s');
  h.checker.enable('s');
  t.equal(h.checker.stateOf('s'), 'up');
  t.same(h.exec.runs('s'), []);
  h.checker.stop();
});

t.test('NOT_FOUND for unknown and unreferenced backends', async (t) => {
  const h = checkerHarness({ ...spec, backends: { ...spec.backends, lonely: '192.0.2.99' } });
  for (const action of ['pause', 'resume', 'enable', 'disable'] as const) {
    t.throws(() => h.checker[action]('nope'), { name: 'DaemonError', code: 'NOT_FOUND', message: 'backend "nope" not found' }, `${action} nope`);
    t.throws(() => h.checker[action]('lonely'), { name: 'DaemonError', code: 'NOT_FOUND' }, `${action} unreferenced`);
  }
});

t.test('frontend state follows operator actions', async (t) => {
  const h = checkerHarness({
    healthchecks: { hc: {} },
    backends: { a: { address: '192.0.2.1', healthcheck: 'hc' } },
    frontends: { web: [['p', { a: 100 }]] },
  });
  h.checker.start();
  h.clock.advance(510);
  h.checker.pause('a');
  h.checker.resume('a');
  h.checker.disable('a');
  h.checker.enable('a');
  t.same(h.frontendEvents(), ['web:unknown>up', 'web:up>down', 'web:down>unknown', 'web:unknown>down', 'web:down>unknown']);
  t.same(h.backendEvents(), [
    'a:unknown>up:L4OK@web',
    'a:up>paused:paused@web',
    'a:paused>unknown:resumed@web',
    'a:unknown>disabled:disabled@web',
    'a:disabled>unknown:enabled@web',
  ]);
  const kinds = h.events.map((e) => e.kind).join(',');
  t.equal(kinds, 'backend,frontend,backend,frontend,backend,frontend,backend,frontend,backend,frontend', 'each backend event precedes the frontend event it caused');
  h.checker.stop();
});
