import t from 'tap';
import { defaultFrontendListen, frontendUsage, parseFrontendOptions } from '../../src/web/frontend-options.js';

t.test('flags, env and defaults', async (t) => {
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; want: Record<string, unknown> | string }> = [
    { name: 'one server, defaults', argv: ['-server', 'a:9090'], want: { servers: ['a:9090'], listen: defaultFrontendListen, logLevel: 'info' } },
    { name: 'comma list, trimmed, deduplicated', argv: ['--server=a:1, b:2,,a:1'], want: { servers: ['a:1', 'b:2'], listen: defaultFrontendListen, logLevel: 'info' } },
    {
      name: 'env fills in',
      argv: [],
      env: { MAGLEV_FRONTEND_SERVER: 'x:1', MAGLEV_FRONTEND_LISTEN: ':8080', MAGLEV_FRONTEND_LOG_LEVEL: 'debug' },
      want: { servers: ['x:1'], listen: ':8080', logLevel: 'debug' },
    },
    { name: 'flag beats env', argv: ['-server', 'f:1', '-listen', '[::1]:9'], env: { MAGLEV_FRONTEND_SERVER: 'e:1' }, want: { servers: ['f:1'], listen: '[::1]:9', logLevel: 'info' } },
    { name: 'server required', argv: [], want: '-server is required' },
    { name: 'empty server list', argv: ['-server', ' , '], want: '-server is required' },
    { name: 'bad listen', argv: ['-server', 'a:1', '-listen', 'nope'], want: 'for -listen' },
    { name: 'bad level', argv: ['-server', 'a:1', '-log-level', 'loud'], want: 'for -log-level' },
    { name: 'unknown flag', argv: ['-server', 'a:1', '-x'], want: 'flag provided but not defined: -x' },
    { name: 'stray argument', argv: ['-server', 'a:1', 'extra'], want: 'unexpected argument' },
  ];
  for (const c of cases) {
    const r = parseFrontendOptions(c.argv, c.env ?? {});
    if (typeof c.want === 'string') {
      t.notOk(r.ok, c.name);
      if (!r.ok) t.match(r.message, c.want, `${c.name}: message`);
    } else {
      t.ok(r.ok, c.name);
      if (r.ok) t.same({ servers: r.options.servers, listen: r.options.listen.text, logLevel: r.options.logLevel }, c.want, c.name);
    }
  }
});

t.test('-version and -help need no server', async (t) => {
  const v = parseFrontendOptions(['-version'], {});
  t.ok(v.ok && v.options.version);
  const h = parseFrontendOptions(['-h'], {});
  t.ok(h.ok && h.options.help);
  t.match(frontendUsage(), /-server addr\[,addr\.\.\.\]/);
  t.match(frontendUsage(), /MAGLEV_FRONTEND_LISTEN/);
});

t.test('-consistency-grace: a Go duration, from flag or env, 30 s by default', async (t) => {
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; want: number | string }> = [
    { name: 'default', argv: ['-server', 'a:1'], want: 30_000 },
    { name: 'flag', argv: ['-server', 'a:1', '-consistency-grace', '2m'], want: 120_000 },
    { name: 'env', argv: ['-server', 'a:1'], env: { MAGLEV_FRONTEND_CONSISTENCY_GRACE: '1.5s' }, want: 1500 },
    { name: 'zero: report at once', argv: ['-server', 'a:1', '-consistency-grace=0'], want: 0 },
    { name: 'not a duration', argv: ['-server', 'a:1', '-consistency-grace', '30'], want: 'expected a Go duration' },
    { name: 'negative', argv: ['-server', 'a:1', '-consistency-grace', '-1s'], want: 'expected a Go duration' },
  ];
  for (const c of cases) {
    const r = parseFrontendOptions(c.argv, c.env ?? {});
    if (typeof c.want === 'string') t.match(r.ok ? '' : r.message, c.want, c.name);
    else t.equal(r.ok ? r.options.consistencyGraceMs : undefined, c.want, c.name);
  }
  t.match(frontendUsage(), /MAGLEV_FRONTEND_CONSISTENCY_GRACE/);
});
