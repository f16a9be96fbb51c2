import t from 'tap';
import {
  agentAdjustedState,
  agentAdjustedWeight,
  formatAgentVerdict,
  neutralAgentVerdict,
  nextAgentVerdict,
  parseAgentAnswer,
  sameAgentCheck,
  sameAgentVerdict,
  type AgentAnswer,
  type AgentVerdict,
} from '../../src/core/agent.js';
import type { AgentCheck } from '../../src/shared/config.js';
import type { BackendState } from '../../src/shared/health.js';

t.test('parseAgentAnswer: the answer truth table', async (t) => {
  const cases: Array<{ name: string; in: string; want: AgentAnswer }> = [
    { name: 'up', in: 'up', want: { ok: true, state: 'up', percent: undefined } },
    { name: 'down', in: 'down', want: { ok: true, state: 'down', percent: undefined } },
    { name: 'drain', in: 'drain', want: { ok: true, state: 'drain', percent: undefined } },
    { name: 'maint', in: 'maint', want: { ok: true, state: 'maint', percent: undefined } },
    { name: 'a percentage alone', in: '75%', want: { ok: true, state: undefined, percent: 75 } },
    { name: '0%', in: '0%', want: { ok: true, state: undefined, percent: 0 } },
    { name: '100%', in: '100%', want: { ok: true, state: undefined, percent: 100 } },
    { name: 'state and weight, comma separated', in: 'up,50%', want: { ok: true, state: 'up', percent: 50 } },
    { name: 'weight then state, spaces and tabs', in: ' 50%\t drain ', want: { ok: true, state: 'drain', percent: 50 } },
    { name: 'case-insensitive, CR left by CRLF', in: 'DRAIN\r', want: { ok: true, state: 'drain', percent: undefined } },
    { name: 'empty', in: '', want: { ok: false, reason: 'empty answer' } },
    { name: 'only separators', in: ' , ', want: { ok: false, reason: 'empty answer' } },
    { name: 'unknown word', in: 'ready', want: { ok: false, reason: 'unknown word "ready"' } },
    { name: 'a long unknown word is cut', in: 'x'.repeat(30), want: { ok: false, reason: `unknown word "${'x'.repeat(20)}…"` } },
    { name: 'unknown word after a good one', in: 'up please', want: { ok: false, reason: 'unknown word "please"' } },
    { name: 'above 100%', in: '150%', want: { ok: false, reason: 'weight 150% is above 100%' } },
    { name: 'four digits', in: '1000%', want: { ok: false, reason: 'unknown word "1000%"' } },
    { name: 'fractional percentage', in: '50.5%', want: { ok: false, reason: 'unknown word "50.5%"' } },
    { name: 'negative percentage', in: '-5%', want: { ok: false, reason: 'unknown word "-5%"' } },
    { name: 'two states', in: 'up drain', want: { ok: false, reason: 'more than one state' } },
    { name: 'two weights', in: '50% 60%', want: { ok: false, reason: 'more than one weight' } },
    { name: 'binary garbage', in: '\u0000\u00ff', want: { ok: false, reason: 'unknown word "\u0000\u00ff"' } },
  ];
  for (const c of cases) t.same(parseAgentAnswer(c.in), c.want, c.name);
});

t.test('nextAgentVerdict: an answer changes what it names', async (t) => {
  const cases: Array<{ name: string; in: [AgentVerdict, string]; want: AgentVerdict }> = [
    { name: 'drain from neutral', in: [neutralAgentVerdict, 'drain'], want: { state: 'drain', percent: 100 } },
    { name: 'a weight keeps the state', in: [{ state: 'drain', percent: 100 }, '50%'], want: { state: 'drain', percent: 50 } },
    { name: 'up keeps the weight', in: [{ state: 'drain', percent: 50 }, 'up'], want: { state: 'up', percent: 50 } },
    { name: 'both at once', in: [neutralAgentVerdict, 'maint 10%'], want: { state: 'maint', percent: 10 } },
  ];
  for (const c of cases) {
    const a = parseAgentAnswer(c.in[1]);
    if (!a.ok) throw new Error(`bad case ${c.name}`);
    t.same(nextAgentVerdict(c.in[0], a), c.want, c.name);
  }
  t.ok(sameAgentVerdict({ state: 'up', percent: 5 }, { state: 'up', percent: 5 }));
  t.notOk(sameAgentVerdict({ state: 'up', percent: 5 }, { state: 'up', percent: 6 }));
  t.notOk(sameAgentVerdict({ state: 'up', percent: 5 }, { state: 'drain', percent: 5 }));
  t.equal(formatAgentVerdict({ state: 'drain', percent: 100 }), 'drain');
  t.equal(formatAgentVerdict({ state: 'up', percent: 50 }), 'up 50%');
});

t.test('agentAdjustedState: the state truth table', async (t) => {
  const healthStates: BackendState[] = ['unknown', 'up', 'down', 'paused', 'disabled', 'removed'];
  const want: Record<string, BackendState[]> = {
    // per agent verdict: the adjusted state of each health state above, in order
    none: ['unknown', 'up', 'down', 'paused', 'disabled', 'removed'],
    up: ['unknown', 'up', 'down', 'paused', 'disabled', 'removed'],
    drain: ['unknown', 'up', 'down', 'paused', 'disabled', 'removed'],
    maint: ['disabled', 'disabled', 'disabled', 'paused', 'disabled', 'removed'],
    down: ['unknown', 'down', 'down', 'paused', 'disabled', 'removed'],
  };
  for (const [agent, row] of Object.entries(want)) {
    const v: AgentVerdict | undefined = agent === 'none' ? undefined : { state: agent as AgentVerdict['state'], percent: 100 };
    healthStates.forEach((s, i) => t.equal(agentAdjustedState(s, v), row[i], `${s} with agent ${agent}`));
  }
});

t.test('agentAdjustedWeight: the weight truth table', async (t) => {
  const cases: Array<{ name: string; in: [number, AgentVerdict | undefined]; want: number }> = [
    { name: 'no agent', in: [70, undefined], want: 70 },
    { name: 'up 100%', in: [70, { state: 'up', percent: 100 }], want: 70 },
    { name: 'up 50%', in: [70, { state: 'up', percent: 50 }], want: 35 },
    { name: 'rounded up', in: [7, { state: 'up', percent: 50 }], want: 4 },
    { name: '1% of 1 stays 1', in: [1, { state: 'up', percent: 1 }], want: 1 },
    { name: '0%', in: [70, { state: 'up', percent: 0 }], want: 0 },
    { name: 'configured 0', in: [0, { state: 'up', percent: 50 }], want: 0 },
    { name: 'drain', in: [70, { state: 'drain', percent: 100 }], want: 0 },
    { name: 'maint', in: [70, { state: 'maint', percent: 100 }], want: 0 },
    { name: 'down keeps the share (it matters in panic only)', in: [70, { state: 'down', percent: 50 }], want: 35 },
  ];
  for (const c of cases) t.equal(agentAdjustedWeight(...c.in), c.want, c.name);
});

t.test('sameAgentCheck', async (t) => {
  const a: AgentCheck = { port: 9999, intervalMs: 1000, timeoutMs: 500, send: undefined };
  const cases: Array<{ name: string; in: [AgentCheck | undefined, AgentCheck | undefined]; want: boolean }> = [
    { name: 'both absent', in: [undefined, undefined], want: true },
    { name: 'one absent', in: [a, undefined], want: false },
    { name: 'other absent', in: [undefined, a], want: false },
    { name: 'equal', in: [a, { ...a }], want: true },
    { name: 'port', in: [a, { ...a, port: 1 }], want: false },
    { name: 'interval', in: [a, { ...a, intervalMs: 1 }], want: false },
    { name: 'timeout', in: [a, { ...a, timeoutMs: 1 }], want: false },
    { name: 'send', in: [a, { ...a, send: 'hello' }], want: false },
  ];
  for (const c of cases) t.equal(sameAgentCheck(...c.in), c.want, c.name);
});
