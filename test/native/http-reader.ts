// The C response reader (native/http-reader.c) under AddressSanitizer and
// UndefinedBehaviorSanitizer: test/native/http-reader-fuzz.c, built here with gcc, runs tens of
// thousands of seeded mutated, padded and noise responses through it in random chunks. Any
// out-of-bounds access, leak or undefined behaviour aborts the run. (Its verdicts are held equal
// to the TypeScript reader's by test/workers/probes/http-reader-differential.ts.)

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'maglev-http-reader-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const exe = join(dir, 'http-reader-fuzz');

t.test('builds with the sanitizers', (t) => {
  const cc = spawnSync(
    'gcc',
    [
      '-std=gnu11',
      '-O1',
      '-g',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-fsanitize=address,undefined',
      '-fno-sanitize-recover=all',
      '-fno-omit-frame-pointer',
      join(root, 'native/http-reader.c'),
      join(root, 'test/native/http-reader-fuzz.c'),
      '-o',
      exe,
    ],
    { encoding: 'utf8' },
  );
  t.equal(cc.status, 0, cc.stderr);
  t.end();
});

for (const seed of [1, 2, 3]) {
  t.test(`no sanitizer finding (seed ${seed})`, (t) => {
    const run = spawnSync(exe, [String(seed), '20000'], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0' } });
    t.equal(run.status, 0, run.stderr.slice(0, 4000));
    const m = /more (\d+) head (\d+) body (\d+) invalid (\d+)/.exec(run.stdout);
    t.ok(m !== null && m.slice(1).every((n) => Number(n) > 0), `every verdict reached: ${run.stdout.trim()}`);
    t.end();
  });
}
