import t from 'tap';
import { activeBackends, compareNames } from '../../src/core/active-backends.js';
import { makeConfig } from '../support/checker-fixtures.js';

t.test('active backends: referenced ones only, name order, sorted frontends', async (t) => {
  const cfg = makeConfig({
    backends: { zeta: '192.0.2.1', alpha: '192.0.2.2', unused: '192.0.2.3', mid: '192.0.2.4' },
    frontends: {
      web6: [['p', { zeta: 100 }]],
      api: [
        ['p', { alpha: 100 }],
        ['f', { zeta: 10 }],
      ],
      web4: [['p', { zeta: 100, mid: 1 }]],
    },
  });
  const got = activeBackends(cfg);
  t.same([...got.keys()], ['alpha', 'mid', 'zeta']);
  t.same(got.get('zeta'), ['api', 'web4', 'web6'], 'each frontend once, sorted');
  t.equal(got.get('unused'), undefined, 'unreferenced backends are not active');
});

t.test('a member naming no backend is never active (validation forbids it; nothing probes a ghost)', async (t) => {
  const cfg = makeConfig({ backends: { real: '192.0.2.1' }, frontends: { web: [['p', { ghost: 100, real: 100 }]] } });
  t.same([...activeBackends(cfg)], [['real', ['web']]]);
});

t.test('compareNames is code-unit order', async (t) => {
  const cases: Array<{ in: string[]; want: string[] }> = [
    { in: ['b', 'a', 'c'], want: ['a', 'b', 'c'] },
    { in: ['a-2', 'a.1', 'B', 'a'], want: ['B', 'a', 'a-2', 'a.1'] },
    { in: ['x10', 'x9', 'x1'], want: ['x1', 'x10', 'x9'] },
  ];
  for (const c of cases) t.same([...c.in].sort(compareNames), c.want, c.in.join(','));
  const signs: Array<{ in: [string, string]; want: -1 | 0 | 1 }> = [
    { in: ['a', 'b'], want: -1 },
    { in: ['b', 'a'], want: 1 },
    { in: ['a', 'a'], want: 0 },
    { in: ['', 'a'], want: -1 },
  ];
  for (const c of signs) t.equal(compareNames(...c.in), c.want, `${c.in[0]} vs ${c.in[1]}`);
});
