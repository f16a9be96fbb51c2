// The config worker's task (src/config/load-task.ts), called in-process: a load answers the
// unfrozen config, a check answers the verdict and warnings only, failures come back whole.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import loadConfigTask from '../../src/config/load-task.js';

void t.test('loadConfigTask', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'maglev-load-task-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.yaml');
  await writeFile(good, 'maglev:\n  backends:\n    a: { address: 10.0.0.1 }\n');
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'maglev:\n  bogus: 1\n');

  const load = await loadConfigTask({ path: good, withConfig: true });
  t.match(load, { ok: true, warnings: [{ path: 'maglev.backends.a' }] });
  t.ok(load.ok && 'config' in load && load.config.backends.get('a')?.address === '10.0.0.1', 'the config comes back');
  t.ok(load.ok && 'config' in load && !Object.isFrozen(load.config), 'unfrozen: freezing would not survive the copy');

  const check = await loadConfigTask({ path: good, withConfig: false });
  t.same(Object.keys(check).sort(), ['ok', 'warnings'], 'a check answers no config');
  t.match(check, { ok: true, warnings: [{ path: 'maglev.backends.a' }] });

  for (const withConfig of [true, false]) {
    t.match(await loadConfigTask({ path: bad, withConfig }), { ok: false, stage: 'parse', errors: [{ path: 'maglev.bogus', line: 2, col: 3 }] }, `a bad file (withConfig ${withConfig})`);
  }
});
