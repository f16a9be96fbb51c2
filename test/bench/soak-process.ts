// shebangNodeFlags: the Node flags of a bin's `#!/usr/bin/env -S node ...` line, which the benches
// pass to `node bin/x.js` so that the daemon runs as the installed one does.

import t from 'tap';
import { binArgs, binPath, shebangNodeFlags } from '../../bench/soak-process.js';

t.test('flags from the first line', async (t) => {
  const cases = [
    { name: 'plain env node: none', in: '#!/usr/bin/env node', want: [] },
    { name: 'env -S with one flag', in: '#!/usr/bin/env -S node --max-semi-space-size=2', want: ['--max-semi-space-size=2'] },
    { name: 'several flags, extra spaces', in: '#!/usr/bin/env -S node  --a=1   --b \n', want: ['--a=1', '--b'] },
    { name: 'not a shebang', in: 'import process from "node:process";', want: [] },
    { name: 'another interpreter', in: '#!/usr/bin/env -S deno run', want: [] },
  ];
  for (const c of cases) t.same(shebangNodeFlags(c.in), c.want, c.name);
});

t.test('binArgs: the shebang flags, BENCH_NODE_FLAGS, the extra ones, then the file', async (t) => {
  const args = binArgs('maglevd', ['--cpu-prof'], {});
  t.equal(args.at(-1), binPath('maglevd'));
  t.equal(args.at(-2), '--cpu-prof');
  const tuned = binArgs('maglevd', ['--cpu-prof'], { BENCH_NODE_FLAGS: ' --max-semi-space-size=2  --heap-growing-percent=20 ' });
  t.same(tuned.slice(-4), ['--max-semi-space-size=2', '--heap-growing-percent=20', '--cpu-prof', binPath('maglevd')]);
});
