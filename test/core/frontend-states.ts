import t from 'tap';
import { FrontendStates } from '../../src/core/frontend-states.js';
import type { BackendState } from '../../src/shared/health.js';
import { makeConfig } from '../support/checker-fixtures.js';

const cfg = makeConfig({
  backends: { a: '192.0.2.1', b: '192.0.2.2' },
  frontends: { web: [['p', { a: 100 }]], api: [['p', { b: 100 }]] },
});
const weight = (): number => 100;

t.test('initial states are silent; update reports changes in config order', async (t) => {
  const states: Record<string, BackendState> = { a: 'unknown', b: 'down' };
  const fs = new FrontendStates(cfg, (n) => states[n], weight);
  t.same([fs.get('web'), fs.get('api')], ['unknown', 'down']);
  t.same(fs.update(cfg, (n) => states[n], weight), [], 'nothing changed');
  states.a = 'up';
  states.b = 'up';
  t.same(
    fs.update(cfg, (n) => states[n], weight).map(({ frontend, from, to }) => ({ frontend, from, to })),
    [
      { frontend: 'web', from: 'unknown', to: 'up' },
      { frontend: 'api', from: 'down', to: 'up' },
    ],
  );
});

t.test('frontends leaving the config are dropped; new ones start from unknown', async (t) => {
  const fs = new FrontendStates(cfg, () => 'up', weight);
  const next = makeConfig({ backends: { a: '192.0.2.1', c: '192.0.2.3' }, frontends: { web: [['p', { a: 1 }]], fresh: [['p', { c: 1 }]], idle: [['p', { c: 1 }]] } });
  const states: Record<string, BackendState> = { a: 'up', c: 'up' };
  t.match(fs.update(next, (n) => states[n], (_f, _p, b) => (b === 'c' ? 1 : 100)), [
    { frontend: 'fresh', from: 'unknown', to: 'up' },
    { frontend: 'idle', from: 'unknown', to: 'up' },
  ]);
  t.equal(fs.get('api'), undefined);
  const quiet = new FrontendStates(cfg, () => 'up', weight);
  t.match(
    quiet.update(next, () => 'unknown', weight),
    [{ frontend: 'web', from: 'up', to: 'unknown' }],
    'a new frontend that is unknown is not announced',
  );
});

t.test('updateOnly recomputes just the named frontends', async (t) => {
  const states: Record<string, BackendState> = { a: 'unknown', b: 'unknown' };
  const fs = new FrontendStates(cfg, (n) => states[n], weight);
  states.a = 'up';
  states.b = 'up';
  t.match(fs.updateOnly(cfg, ['api'], (n) => states[n], weight), [{ frontend: 'api', from: 'unknown', to: 'up' }]);
  t.equal(fs.get('web'), 'unknown', 'web was not recomputed');
  t.same(fs.updateOnly(cfg, ['nope'], (n) => states[n], weight), [], 'unknown names are ignored');
});

t.test('entering and leaving panic are changes, with or without a state change', async (t) => {
  const panicCfg = makeConfig({
    backends: { a: '192.0.2.1', b: '192.0.2.2', c: '192.0.2.3' },
    frontends: { web: { pools: [['p', { a: 100, b: 100, c: 100 }]], panicThreshold: 50 } },
  });
  const states: Record<string, BackendState> = { a: 'up', b: 'up', c: 'up' };
  const fs = new FrontendStates(panicCfg, (n) => states[n], weight);
  t.equal(fs.inPanic('web'), false);
  states.b = 'down';
  t.same(fs.update(panicCfg, (n) => states[n], weight), [], '2 of 3: no panic, no change');
  states.c = 'down';
  t.same(fs.update(panicCfg, (n) => states[n], weight), [
    { frontend: 'web', from: 'up', to: 'up', wasPanic: false, panic: { pool: 0, up: 1, counted: 3, panic: true } },
  ]);
  t.equal(fs.inPanic('web'), true);
  states.a = 'down';
  t.same(fs.update(panicCfg, (n) => states[n], weight), [], 'still in panic, still up: no change');
  states.a = 'up';
  states.b = 'up';
  t.same(fs.update(panicCfg, (n) => states[n], weight), [
    { frontend: 'web', from: 'up', to: 'up', wasPanic: true, panic: { pool: 0, up: 2, counted: 3, panic: false } },
  ]);
  t.equal(fs.inPanic('gone'), false, 'an unknown frontend is not in panic');
});
