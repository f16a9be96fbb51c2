import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { readCandidateConfig } from '../../src/maglevc/candidate-config.js';

t.test('reads a config file here, refusing what the loader would refuse unread', async (t) => {
  const dir = t.testdir({ 'ok.yaml': 'maglev: {}\n' });
  t.equal(await readCandidateConfig(join(dir, 'ok.yaml')), 'maglev: {}\n');
  const big = join(dir, 'big.yaml');
  await writeFile(big, '');
  await truncate(big, 16 * 1024 * 1024 + 1);
  const cases: Array<{ name: string; path: string; error: RegExp }> = [
    { name: 'missing', path: join(dir, 'nope.yaml'), error: /^cannot read config file .*nope\.yaml: ENOENT/ },
    { name: 'a directory', path: dir, error: /: not a regular file$/ },
    { name: 'over 16 MiB', path: big, error: /big\.yaml: larger than 16777216 bytes \(16 MiB\)$/ },
  ];
  for (const c of cases) await t.rejects(readCandidateConfig(c.path), c.error, c.name);
});
