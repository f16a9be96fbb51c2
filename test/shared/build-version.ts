// The one version line of every program's --version and of maglevc's `show version`.

import t from 'tap';
import { thisBuild, versionLine } from '../../src/shared/build-version.js';
import { buildInfo } from '../../src/generated/build-info.js';

void t.test('versionLine', (t) => {
  const cases = [
    { name: 'a given build', in: { program: 'maglevd', v: { version: '1.2.3', commit: 'abcdef012345', date: '2026-04-12T14:07:42+00:00' } }, want: 'maglevd 1.2.3 (commit abcdef012345, built 2026-04-12T14:07:42+00:00)' },
    { name: 'outside git', in: { program: 'maglevc', v: { version: '0.1.0', commit: 'unknown', date: '2026-01-01T00:00:00.000Z' } }, want: 'maglevc 0.1.0 (commit unknown, built 2026-01-01T00:00:00.000Z)' },
  ];
  for (const c of cases) t.equal(versionLine(c.in.program, c.in.v), c.want, c.name);
  t.equal(versionLine('maglevt'), `maglevt ${buildInfo.version} (commit ${buildInfo.commit}, built ${buildInfo.date})`, 'this build by default');
  t.same(thisBuild, buildInfo);
  t.end();
});
