// The agent check in the checker (fake executor, manual clock): good answers change the agent
// verdict with one `agent` event naming the frontends, bad answers are logged once, counted and
// ignored, an unreachable agent keeps the verdict, and reloads keep, replace or drop the loop.

import t from 'tap';
import { checkerHarness } from '../support/checker-harness.js';
import { makeConfig, type FixtureSpec } from '../support/checker-fixtures.js';
import type { FakeAnswer } from '../support/fake-probe-executor.js';

const agent = { port: 9999, intervalMs: 1000, timeoutMs: 500, send: undefined };
const spec: FixtureSpec = {
  healthchecks: { hc: { rise: 1, fall: 1, agent } },
  backends: {
    a: { address: '192.0.2.1', healthcheck: 'hc' },
    b: { address: '192.0.2.2', healthcheck: 'hc' },
  },
  frontends: { web: [['p', { a: 100, b: 60 }]], api: [['p', { a: 50 }]] },
};
const says = (answer: string): FakeAnswer => ({ ok: true, code: 'L7OK', detail: answer });

t.test('answers move the verdict; each change is one agent event; garbage is ignored', async (t) => {
  const h = checkerHarness(spec);
  const member = (fe: string, b: string) => h.checker.frontendInfo(fe)!.pools[0]!.members.find((m) => m.backend === b)!;
  h.exec.script('a#agent', says('up'), says('drain'), says('drain'), says('what?'), says('what?'), says('up 50%'), { ok: false }, says('up'));
  h.checker.start();
  h.clock.advance(1600); // health: a up at 510, b at 1510 (staggered); agent: up, no change
  t.same([h.checker.stateOf('a'), h.checker.stateOf('b'), h.checker.agentOf('a')], ['up', 'up', { state: 'up', percent: 100 }], 'neutral');
  t.equal(h.events.filter((e) => e.kind === 'agent').length, 0, 'up on a neutral verdict changes nothing');
  h.clock.advance(500); // agent: drain
  t.same(h.checker.agentOf('a'), { state: 'drain', percent: 100 });
  t.same([member('web', 'a').state, member('web', 'a').agentState, member('web', 'a').effectiveWeight, member('web', 'a').flush], ['up', 'drain', 0, false], 'drain: weight 0 without flush');
  t.match(h.events.filter((e) => e.kind === 'agent').at(-1), { kind: 'agent', backend: 'a', frontends: ['api', 'web'], state: 'up', from: { state: 'up' }, to: { state: 'drain' }, answer: 'drain' });
  t.same(h.frontendEvents(), ['api:unknown>up', 'web:unknown>up', 'api:up>down'], 'api has only a: drained, it goes down');
  h.clock.advance(1000); // drain again: no event
  h.clock.advance(2000); // what? twice
  t.same(h.checker.agentOf('a'), { state: 'drain', percent: 100 }, 'a bad answer keeps the verdict');
  t.same(h.log.named('backend-agent-bad-answer').map((r) => r.attrs), [{ backend: 'a', answer: 'what?', reason: 'unknown word "what?"' }], 'the same bad answer is logged once');
  t.match(h.checker.getBackend('a')!.agent, { badAnswers: 2, lastAnswer: 'drain', lastError: 'bad answer: unknown word "what?"', port: 9999 });
  h.clock.advance(1000); // up 50%
  t.same([member('web', 'a').effectiveWeight, member('api', 'a').effectiveWeight], [50, 25]);
  h.clock.advance(1000); // unreachable
  t.same(h.checker.agentOf('a'), { state: 'up', percent: 50 }, 'an unreachable agent keeps the verdict');
  t.match(h.checker.getBackend('a')!.agent, { lastError: 'L4CON connect: ECONNREFUSED' });
  h.clock.advance(1000); // up: the percentage stays
  t.same(h.checker.agentOf('a'), { state: 'up', percent: 50 });
  t.same(
    h.observed.filter((o) => o.startsWith('agent')),
    ['agent a drain 100%', 'agent a up 50%'],
    'one event per verdict change, none for repeats, garbage or failures',
  );
  t.same(
    h.log.named('backend-agent').map((r) => r.attrs),
    [
      { backend: 'a', from: 'up', to: 'drain', answer: 'drain' },
      { backend: 'a', from: 'drain', to: 'up 50%', answer: 'up 50%' },
    ],
  );
  t.same(h.checker.agentOf('b'), { state: 'up', percent: 100 }, 'b answered nothing usable');
  h.checker.stop();
  t.equal(h.exec.pending().length, 0, 'stop cancels the agent probes too');
});

t.test('maint flushes, down takes the backend down for the weights only', async (t) => {
  const h = checkerHarness(spec);
  h.exec.script('a#agent', says('maint'), says('down'));
  h.checker.start();
  h.clock.advance(1600);
  const a = (): { effectiveWeight: number; flush: boolean; state: string } => h.checker.frontendInfo('web')!.pools[0]!.members.find((m) => m.backend === 'a')!;
  t.match(a(), { state: 'up', effectiveWeight: 0, flush: true }, 'maint: weight 0 with flush');
  h.clock.advance(1000);
  t.match(a(), { state: 'up', effectiveWeight: 0, flush: true }, 'down: as down, flush-on-down');
  t.equal(h.checker.getBackend('a')!.state, 'up', 'the health state is unchanged');
  h.checker.stop();
});

t.test('reloads keep an unchanged agent loop and its verdict, replace a changed one, drop a removed one', async (t) => {
  const h = checkerHarness(spec);
  h.exec.script('a#agent', says('drain'));
  h.checker.start();
  h.clock.advance(1600);
  t.same(h.checker.agentOf('a'), { state: 'drain', percent: 100 });
  h.checker.reload(makeConfig({ ...spec, healthchecks: { hc: { rise: 1, fall: 1, intervalMs: 3000, agent } } }));
  t.same(h.checker.agentOf('a'), { state: 'drain', percent: 100 }, 'the health check changed, the agent did not: verdict kept');
  h.checker.reload(makeConfig({ ...spec, healthchecks: { hc: { rise: 1, fall: 1, agent: { ...agent, port: 8888 } } } }));
  t.same(h.checker.agentOf('a'), { state: 'up', percent: 100 }, 'another agent port: a new loop, neutral');
  t.same(h.log.named('backend-agent-stop').map((r) => r.attrs), [{ backend: 'a', verdict: 'drain' }, { backend: 'b', verdict: 'up' }]);
  const released = h.exec.released.length;
  h.checker.reload(makeConfig({ ...spec, healthchecks: { hc: { rise: 1, fall: 1 } } }));
  t.equal(h.checker.agentOf('a'), undefined, 'no agent block: no loop');
  t.equal(h.checker.getBackend('a')!.agent, undefined);
  t.equal(h.exec.released.length, released + 2, 'both agent keys released');
  h.clock.advance(5000);
  t.notOk(
    h.exec.probes.some((p) => p.target.agent === true && p.startedAt > h.clock.now() - 5000),
    'no agent probe after the agent block is gone',
  );
  h.checker.stop();
});
