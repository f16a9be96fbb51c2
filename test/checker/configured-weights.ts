import t from 'tap';
import { ConfiguredWeights } from '../../src/checker/configured-weights.js';
import { makeConfig } from '../support/checker-fixtures.js';

const cfg = makeConfig({
  backends: { a: '192.0.2.1', b: '192.0.2.2' },
  frontends: {
    web: [
      ['p', { a: 100, b: 30 }],
      ['f', { b: 0 }],
    ],
  },
});

t.test('YAML weights, overrides, and reset on reload', async (t) => {
  const w = new ConfiguredWeights(cfg);
  t.equal(w.weightOf('web', 'p', 'b'), 30);
  t.equal(w.weightOf('web', 'f', 'b'), 0);
  t.equal(w.weightOf('web', 'p', 'nope'), 0, 'non-member → 0');
  w.set('web', 'p', 'b', 77);
  t.equal(w.weightOf('web', 'p', 'b'), 77);
  t.equal(w.weightOf('web', 'f', 'b'), 0, 'other pool untouched');
  w.set('web', 'p', 'b', 0);
  t.equal(w.weightOf('web', 'p', 'b'), 0, 'override to 0');
  w.reset(cfg);
  t.equal(w.weightOf('web', 'p', 'b'), 30, 'overrides discarded');
});

t.test('set() validation', async (t) => {
  const cases: Array<{ args: [string, string, string, number]; code: string; message?: string }> = [
    { args: ['web', 'p', 'a', 101], code: 'INVALID_ARGUMENT' },
    { args: ['web', 'p', 'a', -1], code: 'INVALID_ARGUMENT' },
    { args: ['web', 'p', 'a', 1.5], code: 'INVALID_ARGUMENT' },
    { args: ['nope', 'p', 'a', 1], code: 'NOT_FOUND', message: 'frontend "nope" not found' },
    { args: ['web', 'nope', 'a', 1], code: 'NOT_FOUND', message: 'pool "nope" not found in frontend "web"' },
    { args: ['web', 'f', 'a', 1], code: 'NOT_FOUND', message: 'backend "a" not found in pool "f"' },
  ];
  const w = new ConfiguredWeights(cfg);
  for (const c of cases) {
    t.throws(() => w.set(...c.args), { name: 'DaemonError', code: c.code, ...(c.message === undefined ? {} : { message: c.message }) }, c.args.join(' '));
  }
  t.equal(w.weightOf('web', 'p', 'a'), 100, 'nothing changed');
  for (const ok of [0, 100]) {
    w.set('web', 'p', 'a', ok);
    t.equal(w.weightOf('web', 'p', 'a'), ok, `bound ${ok} accepted`);
  }
});
