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
  t.same(fs.update(cfg, (n) => states[n], weight), [
    { frontend: 'web', from: 'unknown', to: 'up' },
    { frontend: 'api', from: 'down', to: 'up' },
  ]);
});

t.test('frontends leaving the config are dropped; new ones start from unknown', async (t) => {
  const fs = new FrontendStates(cfg, () => 'up', weight);
  const next = makeConfig({ backends: { a: '192.0.2.1', c: '192.0.2.3' }, frontends: { web: [['p', { a: 1 }]], fresh: [['p', { c: 1 }]], idle: [['p', { c: 1 }]] } });
  const states: Record<string, BackendState> = { a: 'up', c: 'up' };
  t.same(fs.update(next, (n) => states[n], (_f, _p, b) => (b === 'c' ? 1 : 100)), [{ frontend: 'fresh', from: 'unknown', to: 'up' }, { frontend: 'idle', from: 'unknown', to: 'up' }]);
  t.equal(fs.get('api'), undefined);
  const quiet = new FrontendStates(cfg, () => 'up', weight);
  t.same(
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
  t.same(fs.updateOnly(cfg, ['api'], (n) => states[n], weight), [{ frontend: 'api', from: 'unknown', to: 'up' }]);
  t.equal(fs.get('web'), 'unknown', 'web was not recomputed');
  t.same(fs.updateOnly(cfg, ['nope'], (n) => states[n], weight), [], 'unknown names are ignored');
});
