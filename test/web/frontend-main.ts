// maglevd-frontend's entry point: usage errors (exit 2), -help and -version in-process; and as a
// child process (tsx), a real run that ignores SIGHUP and stops cleanly on SIGTERM (exit 0), and
// an unusable listen address (exit 1).

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { main } from '../../src/web/frontend-main.js';
import { waitFor } from '../support/wait-for.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function capture(): { out: string[]; err: string[]; io: { out(l: string): void; err(l: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

t.test('usage, help and version', async (t) => {
  const cases = [
    { name: 'no -server', argv: [], code: 2, err: /-server is required/ },
    { name: 'unknown flag', argv: ['-server', 'a:1', '-bogus'], code: 2, err: /flag provided but not defined: -bogus/ },
    { name: 'bad log level', argv: ['-server', 'a:1', '-log-level=loud'], code: 2, err: /-log-level/ },
  ];
  for (const c of cases) {
    const cap = capture();
    t.equal(await main(c.argv, {}, cap.io), c.code, c.name);
    t.match(cap.err.join('\n'), c.err, `${c.name}: message`);
  }
  const v = capture();
  t.equal(await main(['-version'], {}, v.io), 0);
  t.match(v.out[0], /^maglevd-frontend \S+ \(commit \S+, built \S+\)$/);
  const h = capture();
  t.equal(await main(['--help'], {}, h.io), 0);
  t.match(h.out[0], /^Usage: maglevd-frontend -server/);
});

interface Child {
  readonly exit: Promise<number | null>;
  stdout(): string;
  kill(sig: NodeJS.Signals): void;
}

function runFrontend(args: string[], env: Record<string, string> = {}): Child {
  const script = "import { main } from './src/web/frontend-main.ts'; process.exitCode = await main(process.argv.slice(1), process.env);";
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return {
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    stdout: () => out,
    kill: (sig) => child.kill(sig),
  };
}

t.test('a real run: SIGHUP ignored, SIGTERM stops it cleanly', async (t) => {
  // The maglevd address is closed: the dashboard must run regardless, showing it unreachable.
  const c = runFrontend(['-server', '127.0.0.1:1', '-listen', '127.0.0.1:0']);
  t.teardown(() => c.kill('SIGKILL'));
  t.ok(await waitFor(() => c.stdout().includes('"msg":"http-listen"'), 15_000, 20), 'listening');
  const port = /"addr":"127\.0\.0\.1:(\d+)"/.exec(c.stdout())?.[1];
  t.ok(port, 'logged the port');
  c.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 200));
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  t.equal(res.status, 200, 'still serving after SIGHUP');
  const maglevds = (await (await fetch(`http://127.0.0.1:${port}/view/api/maglevds`)).json());
  t.same(maglevds, [{ name: '127.0.0.1:1', reachable: false }]);
  c.kill('SIGTERM');
  t.equal(await c.exit, 0, 'exit 0');
  t.match(c.stdout(), /"signal":"SIGTERM".*"msg":"shutdown"|"msg":"shutdown".*"signal":"SIGTERM"/);
});

t.test('a listen address in use: exit 1', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const c = runFrontend(['-server', '127.0.0.1:1'], { MAGLEV_FRONTEND_LISTEN: `127.0.0.1:${port}` });
  t.teardown(() => c.kill('SIGKILL'));
  t.equal(await c.exit, 1);
  t.match(c.stdout(), /"msg":"startup-error"/);
  t.match(c.stdout(), /EADDRINUSE/);
});
