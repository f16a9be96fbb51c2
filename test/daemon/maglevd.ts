// The first test runs the built binary (bin/maglevd.js → dist/daemon/maglevd.js), so
// `npm run build` must come first; the second calls main() in-process for the remaining paths.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { main, type MainOutput } from '../../src/daemon/maglevd.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/maglevd.js');
const example = join(root, 'examples/maglev.yaml');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    // A clean environment, so MAGLEV_* variables of the caller cannot leak in.
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

t.before(() => {
  if (!existsSync(join(root, 'dist/daemon/maglevd.js'))) throw new Error('dist/daemon/maglevd.js is missing: run `npm run build` before the tests');
});

t.test('maglevd --check and friends, as a process', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'maglevd-check-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const broken = await file('broken.yaml', 'maglev:\n  backends:\n    a: { address: 10.0.0.1\n');
  const structural = await file('structural.yaml', 'maglev:\n  backends:\n    a: { address: 10.0.0.1, enabled: yes }\n');
  const semantic = await file('semantic.yaml', 'maglev:\n  healthchecks:\n    h:\n      type: tcp\n      port: 70000\n      rise: 0\n');
  const warned = await file('warned.yaml', 'maglev:\n  backends:\n    spare: { address: 10.0.0.9 }\n');

  const cases: Array<{ name: string; args: string[]; env?: Record<string, string>; code: number; stdout?: RegExp; stderr?: RegExp; quiet?: 'stdout' | 'stderr' }> = [
    { name: 'valid example', args: ['--check', '--config', example], code: 0, stdout: new RegExp(`^config ok: ${example}\\n$`), quiet: 'stderr' },
    {
      name: 'warnings go to stderr, still ok',
      args: ['--check', '--config', warned],
      code: 0,
      stdout: /^config ok: /,
      stderr: /^warning: maglev\.backends\.spare \(3:5\): backend "spare" is not used by any frontend/,
    },
    { name: 'broken YAML', args: ['--check', '--config', broken], code: 1, stderr: /^\(4:1\): YAML: /, quiet: 'stdout' },
    {
      name: 'structural error',
      args: ['--check', '--config', structural],
      code: 1,
      stderr: /^maglev\.backends\.a\.enabled \(3:38\): expected true or false, got the string "yes"\n$/,
      quiet: 'stdout',
    },
    {
      name: 'semantic errors, one per line',
      args: ['--check', '--config', semantic],
      code: 2,
      stderr: /^maglev\.healthchecks\.h\.port \(5:13\): must be between 1 and 65535, got 70000\nmaglev\.healthchecks\.h\.rise \(6:13\): must be between 1 and 100, got 0\n$/,
      quiet: 'stdout',
    },
    { name: 'unreadable file', args: ['--check', '--config', join(dir, 'absent.yaml')], code: 1, stderr: /^cannot read config file: ENOENT/ },
    { name: 'version', args: ['--version'], code: 0, stdout: /^maglevd \S+ \(commit \S+, built \S+\)\n$/ },
    { name: 'help', args: ['-h'], code: 0, stdout: /^Usage: maglevd \[flags\][\s\S]*--vpp-api-addr string/ },
    { name: 'unknown flag', args: ['--bogus'], code: 3, stderr: /^maglevd: flag provided but not defined: -bogus\n/, quiet: 'stdout' },
  ];
  // Two at a time: enough to overlap process start-up without crowding a 2-core machine.
  for (let i = 0; i < cases.length; i += 2) {
    const batch = cases.slice(i, i + 2);
    const results = await Promise.all(batch.map((c) => run(c.args, c.env)));
    batch.forEach((c, j) => {
      const r = results[j]!;
      t.equal(r.code, c.code, `${c.name}: exit code (stderr: ${r.stderr.trim()})`);
      if (c.stdout !== undefined) t.match(r.stdout, c.stdout, `${c.name}: stdout`);
      if (c.stderr !== undefined) t.match(r.stderr, c.stderr, `${c.name}: stderr`);
      if (c.quiet !== undefined) t.equal(r[c.quiet], '', `${c.name}: nothing on ${c.quiet}`);
    });
  }
});

t.test('main() in-process: flag spellings, env and startup failures', async (t) => {
  const capture = (): MainOutput & { out_: string[]; err_: string[] } => {
    const out_: string[] = [];
    const err_: string[] = [];
    return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l) };
  };
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; code: number; out?: RegExp; err?: RegExp }> = [
    { name: 'Go single-dash spelling', argv: ['-check', `-config=${example}`], code: 0, out: /^config ok: / },
    { name: 'config path from MAGLEV_CONFIG', argv: ['--check'], env: { MAGLEV_CONFIG: example }, code: 0, out: /^config ok: / },
    { name: 'bad log level from env', argv: ['--check', '--config', example], env: { MAGLEV_LOG_LEVEL: 'loud' }, code: 3, err: /^maglevd: invalid value "loud" for --log-level/ },
    { name: 'stray argument', argv: ['--check', example], code: 3, err: /unexpected argument/ },
    { name: 'missing flag value', argv: ['--config'], code: 3, err: /flag needs an argument: -config/ },
  ];
  for (const c of cases) {
    const io = capture();
    t.equal(await main(c.argv, c.env ?? {}, io), c.code, `${c.name}: exit code`);
    if (c.out !== undefined) t.match(io.out_.join('\n'), c.out, `${c.name}: stdout`);
    if (c.err !== undefined) t.match(io.err_.join('\n'), c.err, `${c.name}: stderr`);
  }
});
