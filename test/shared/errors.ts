// The error catalogue's helpers: the one NOT_FOUND wording every RPC shares.

import t from 'tap';
import { DaemonError, notFound } from '../../src/shared/errors.js';

t.test('notFound: quoted names, optionally where', (t) => {
  const cases: Array<{ name: string; in: Parameters<typeof notFound>; want: string }> = [
    { name: 'a frontend', in: ['frontend', 'web'], want: 'frontend "web" not found' },
    { name: 'an empty name stays visible', in: ['backend', ''], want: 'backend "" not found' },
    { name: 'a pool in a frontend', in: ['pool', 'spare', ['frontend', 'web']], want: 'pool "spare" not found in frontend "web"' },
    { name: 'a member of a pool', in: ['backend', 'b1', ['pool', 'primary']], want: 'backend "b1" not found in pool "primary"' },
  ];
  for (const c of cases) {
    const e = notFound(...c.in);
    t.ok(e instanceof DaemonError, c.name);
    t.equal(e.code, 'NOT_FOUND', c.name);
    t.equal(e.message, c.want, c.name);
  }
  t.end();
});
