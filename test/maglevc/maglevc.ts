// maglevc one-shot mode against the real gRPC server over the fake control plane: output,
// exit codes (§1.6), --server/MAGLEV_SERVER, colour rules, errors, and `watch events` with its
// stop conditions (num, Ctrl-C, a key on a terminal, the server ending the stream).

import { PassThrough } from 'node:stream';
import t from 'tap';
import { main, versionLine, type MaglevcIo } from '../../src/maglevc/maglevc.js';
import { useColor } from '../../src/maglevc/maglevc-flags.js';
import { watchRequest } from '../../src/maglevc/watch-events.js';
import { T0 } from '../support/fake-control-plane.js';
import { startHarness, type Harness } from '../support/grpc-harness.js';
import { until } from '../support/wait-for.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

type Stdin = MaglevcIo['stdin'];

function run(args: string[], env: Record<string, string> = {}, stdin: Stdin = new PassThrough()): Promise<Run> & { out(): string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d: Buffer) => (o += d.toString()));
  err.on('data', (d: Buffer) => (e += d.toString()));
  const p = main(args, env, { stdin, stdout: out, stderr: err, now: () => T0 }).then((code) => ({ code, out: o, err: e }));
  return Object.assign(p, { out: () => o });
}

let h: Harness;
t.before(async () => {
  h = await startHarness(t);
});

const at = (...words: string[]): string[] => ['--server', h.address, ...words];

void t.test('show commands print the layouts and exit 0', async (t) => {
  const list = await run(at('show', 'frontends'));
  t.same(list, { code: 0, out: 'name  address       protocol  port  state\nweb4  198.51.100.1  tcp       80    up\nweb6  2001:db8::1   any       0     up\n', err: '' });
  const detail = await run(at('sh', 'fr', 'web4'));
  t.equal(detail.code, 0);
  t.ok(detail.out.startsWith('frontend web4\n  description    public web, IPv4\n'));
  t.ok(detail.out.endsWith('\n    nginx1-zrh weight 50 effective 0 state disabled [disabled]\n'));
  t.notOk(detail.out.includes('\x1b['), 'no colour by default in one-shot mode');
  const be = await run(at('show', 'backends', 'nginx0-fra'));
  t.ok(be.out.includes('last-probe   L4TOUT timeout after 1s during connect (1.0s, 4s ago)\n'));
  const state = await run(at('show', 'vpp', 'lb', 'state', 'web6'));
  t.equal(state.out.split('\n').filter((l) => l.startsWith('vip ')).length, 1, 'filtered to the frontend VIP');
  t.match(state.out, /^vip 2001:db8::1 protocol 255 port 0 /m);
  t.equal((await run(at('show', 'version'))).out, `${versionLine()}\n`);
  t.ok((await run(at('show', 'vpp', 'info'))).out.includes('\nvpp-pid       4242\n'));
  t.match((await run(at('show', 'vpp', 'lb', 'counters'))).out, /^198\.51\.100\.1 +6 +80 +10 +1000 /m);
  t.match((await run(at('show', 'healthchecks'))).out, /^tcp-tls +tcp +443 +2s +1s +2 +3$/m);
});

void t.test('actions call the server', async (t) => {
  h.fake.calls.length = 0;
  t.same(await run(at('set', 'backend', 'nginx0-fra', 'dis')), { code: 0, out: 'backend nginx0-fra state disabled enabled false\n', err: '' });
  const w = await run(at('set', 'frontend', 'web4', 'pool', 'primary', 'backend', 'nginx0-ams', 'weight', '7', 'flush'));
  t.equal(w.code, 0);
  t.match(w.out, /nginx0-ams weight 7 effective 7 state up/);
  t.same(await run(at('sync', 'vpp', 'lb', 'state', 'web4')), { code: 0, out: 'ok\n', err: '' });
  t.same(h.fake.calls, ['disable nginx0-fra', 'weight web4 primary nginx0-ams 7 true', 'sync web4']);
  await run(at('set', 'backend', 'nginx0-fra', 'enable'));
});

void t.test('preview commands print the summary and change nothing', async (t) => {
  // A harness of its own: the shared one carries the other tests' changes.
  const own = await startHarness(t);
  const at = (...words: string[]): string[] => ['--server', own.address, ...words];
  await own.fake.disableBackend('nginx0-fra');
  own.fake.calls.length = 0;
  const w = await run(at('preview', 'set', 'frontend', 'web4', 'pool', 'primary', 'backend', 'nginx0-ams', 'weight', '0'));
  t.same(w, {
    code: 0,
    out: [
      "web4 moves 100.0 % of web4's new flows: nginx0-ams 1024→0",
      '  pool primary   nginx0-ams  up        weight 100→0  effective 100→0  buckets 1024→0',
      '                 nginx0-fra  disabled  weight 100    effective 0      buckets 0',
      '  pool fallback  nginx1-zrh  disabled  weight 50     effective 0      buckets 0',
      '',
    ].join('\n'),
    err: '',
  });
  const p = await run(at('preview', 'set', 'backend', 'nginx0-fra', 'enable'));
  t.equal(p.code, 0);
  t.match(p.out, /^web4 moves 50\.\d % of web4's new flows: nginx0-ams 1024→\d+, nginx0-fra 0→\d+$/m);
  t.match(p.out, /^ {17}nginx0-fra {2}disabled→up {2}weight 100 +effective 0→100 /m);
  t.match(p.out, /^assuming nginx0-fra passes its health check after enabling$/m);
  t.same(own.fake.calls, ['preview weight web4', 'preview enable'], 'previews only');
  t.same(await run(at('preview', 'set', 'backend', 'nginx1-zrh', 'pause')), { code: 1, out: '', err: 'backend "nginx1-zrh" is disabled; cannot pause it\n' });
});

void t.test('preview config reads the file here and sends its text', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'maglev: [', 'empty.yaml': '' });
  const bad = await run(at('preview', 'config', `${dir}/bad.yaml`));
  t.equal(bad.code, 1, 'a config with problems is exit 1');
  t.match(bad.out, /YAML/);
  const missing = await run(at('preview', 'config', `${dir}/nope.yaml`));
  t.equal(missing.code, 1);
  t.match(missing.err, /^cannot read config file .*nope\.yaml: ENOENT/);
  const notFile = await run(at('preview', 'config', dir));
  t.match(notFile.err, /not a regular file/);
});

void t.test('show vpp lb digest, with and without the table', async (t) => {
  const d = await run(at('show', 'vpp', 'lb', 'digest'));
  t.equal(d.code, 0);
  t.match(d.out, /^vip 198\.51\.100\.1 protocol 6 port 80 frontend web4 digest [0-9a-f]{16}\n {2}as 192\.0\.2\.10 weight 100 buckets 1024\nvip 2001:db8::1 /);
  const one = await run(at('show', 'vpp', 'lb', 'digest', 'web6', 'table'));
  t.equal(one.out.split('\n').filter((l) => l.startsWith('vip ')).length, 1);
  t.equal(one.out.split('\n').filter((l) => /^ +\d+: /.test(l)).length, 128, '1024 buckets, eight a row');
  t.match(one.out, /^ {6}0: 192\.0\.2\.10 192\.0\.2\.10 /m);
  t.same(await run(at('show', 'vpp', 'lb', 'digest', 'nope')), { code: 1, out: '', err: 'frontend "nope" not found\n' });
});

void t.test('errors: server message only, exit 1; red with colour', async (t) => {
  t.same(await run(at('show', 'backends', 'nope')), { code: 1, out: '', err: 'backend "nope" not found\n' });
  t.same(await run(at('--color', 'show', 'backends', 'nope')), { code: 1, out: '', err: '\x1b[31mbackend "nope" not found\x1b[0m\n' });
  t.same(await run(at('set', 'backend', 'nginx1-zrh', 'pause')), { code: 1, out: '', err: 'backend "nginx1-zrh" is disabled\n' });
  h.fake.vpp = { state: 'disconnected', warmupComplete: false };
  t.same(await run(at('show', 'vpp', 'info')), { code: 1, out: '', err: 'VPP not connected\n' });
  t.same(await run(at('sync', 'vpp', 'lb', 'state')), { code: 1, out: '', err: 'VPP not connected\n' });
  h.fake.vpp = new (await import('../support/fake-control-plane.js')).FakeControlPlane().vpp;
  const down = await run(['--server', '127.0.0.1:1', 'show', 'frontends']);
  t.equal(down.code, 1, 'an unreachable server is exit 1');
  t.match(down.err, /ECONNREFUSED|No connection established/);
});

void t.test('usage errors exit 2', async (t) => {
  const cases: Array<{ args: string[]; err: RegExp }> = [
    { args: ['--bogus'], err: /^maglevc: flag provided but not defined: -bogus\n/ },
    { args: ['--server'], err: /flag needs an argument/ },
    { args: ['--color=maybe', 'show', 'version'], err: /invalid value "maybe"/ },
    { args: at('s'), err: /^ambiguous command "s": set, show, sync\n$/ },
    { args: at('show'), err: /^incomplete command, expected: version, frontends, backends, healthchecks, vpp\n$/ },
    { args: at('show', 'frobnicate'), err: /^unknown command "frobnicate" after "show"\n$/ },
    { args: at('quit'), err: /^unknown command "quit"\n$/ },
    { args: at('set', 'frontend', 'a', 'pool', 'b', 'backend', 'c', 'weight', '101'), err: /^bad argument "101": expected <0-100>\n$/ },
    { args: at('watch', 'events', 'num', '0'), err: /^bad argument "0"/ },
  ];
  for (const c of cases) {
    const r = await run(c.args);
    t.equal(r.code, 2, c.args.join(' '));
    t.match(r.err, c.err);
    t.equal(r.out, '');
  }
  t.same(await run(['--version']), { code: 0, out: `${versionLine()}\n`, err: '' });
  const help = await run(['-h']);
  t.equal(help.code, 0);
  t.match(help.out, /^Usage: maglevc \[--server host:port\]/);
  t.match(help.out, /MAGLEV_SERVER/);
});

void t.test('one-shot help: ?, help, a trailing ? (no server needed)', async (t) => {
  const top = await run(['--server', '127.0.0.1:1', '?']);
  t.equal(top.code, 0);
  t.match(top.out, /^ {2}show +show state\n/);
  t.match(top.out, /\n {2}config +config file check and reload\n$/);
  t.notMatch(top.out, /quit/, 'no shell-only commands');
  t.same(await run(['--server', '127.0.0.1:1', 'help']), top, 'help = ?');
  const show = await run(['--server', '127.0.0.1:1', 'help', 'show', 'frontends']);
  t.same(show, { code: 0, out: '  <frontend>  frontend name\n  <cr>        run the command\n', err: '' });
  t.same(await run(['--server', '127.0.0.1:1', 'show', 'frontends', '?']), show);
  t.match((await run(['--server', '127.0.0.1:1', 'sh?'])).out, /^ {2}show +show state\n$/);
});

void t.test('--server beats MAGLEV_SERVER, which beats the default', async (t) => {
  t.equal((await run(['show', 'version'], { MAGLEV_SERVER: '127.0.0.1:1' })).code, 0, 'show version needs no server');
  t.equal((await run(['show', 'frontends'], { MAGLEV_SERVER: h.address })).code, 0, 'env used');
  t.equal((await run(['--server', h.address, 'show', 'frontends'], { MAGLEV_SERVER: '127.0.0.1:1' })).code, 0, 'flag wins');
  t.equal((await run(['--server', '127.0.0.1:1', 'show', 'frontends'], { MAGLEV_SERVER: h.address })).code, 1);
});

void t.test('colour rules', async (t) => {
  const cases = [
    { flag: undefined, interactive: true, env: {}, want: true },
    { flag: undefined, interactive: false, env: {}, want: false },
    { flag: undefined, interactive: true, env: { NO_COLOR: '1' }, want: false },
    { flag: undefined, interactive: true, env: { NO_COLOR: '' }, want: true },
    { flag: true, interactive: false, env: { NO_COLOR: '1' }, want: true },
    { flag: false, interactive: true, env: {}, want: false },
  ];
  for (const c of cases) t.equal(useColor(c.flag, c.interactive, c.env), c.want, JSON.stringify(c));
  const coloured = await run(at('--color=true', 'show', 'frontends', 'web4'), { NO_COLOR: '1' });
  t.ok(coloured.out.startsWith('\x1b[34mfrontend\x1b[0m web4\n  \x1b[34mdescription\x1b[0m    public web'));
});

void t.test('config check and reload: texts and exit codes', async (t) => {
  t.same(await run(at('config', 'check')), { code: 0, out: 'config ok\n', err: '' });
  t.same(await run(at('config', 'reload')), { code: 0, out: 'config reloaded\n', err: '' });
  h.fake.configResult = { ok: false, parseError: 'maglev.yaml:3:5: unknown key "fronends"', semanticError: '', reloadError: '' };
  t.same(await run(at('config', 'check')), { code: 1, out: 'parse error:\n  maglev.yaml:3:5: unknown key "fronends"\n', err: '' });
  t.same(await run(at('config', 'reload')), { code: 1, out: 'parse error:\n  maglev.yaml:3:5: unknown key "fronends"\n', err: '' });
  h.fake.configResult = { ok: true, parseError: '', semanticError: '', reloadError: '' };
});

void t.test('watch events: request mapping', (t) => {
  const m = (o: Record<string, string | undefined>): Map<string, string> => new Map(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));
  const cases = [
    { in: {}, want: {} },
    { in: { count: '3' }, want: {} },
    { in: { backend: 'true' }, want: { log: false, backend: true, frontend: false, log_level: '' } },
    { in: { log: 'true', level: 'debug' }, want: { log: true, backend: false, frontend: false, log_level: 'debug' } },
    { in: { log: 'true', frontend: 'true' }, want: { log: true, backend: false, frontend: true, log_level: '' } },
  ];
  for (const c of cases) t.same(watchRequest(m(c.in)), c.want, JSON.stringify(c.in));
  t.end();
});

void t.test('watch events: num, kinds and protojson lines', async (t) => {
  const all = await run(at('watch', 'events', 'num', '5'));
  t.equal(all.code, 0);
  const lines = all.out.trimEnd().split('\n');
  t.equal(lines.length, 5);
  t.equal(lines[0], '{"backend":{"backendName":"nginx0-ams","transition":{"from":"up","to":"up","atUnixNs":"1775999262123000000","code":"L7OK","detail":"HTTP 200"}}}');
  t.match(lines[3], /^\{"frontend":\{"frontendName":"web4","transition":\{"from":"up","to":"up","atUnixNs":"\d+"\}\}\}$/);
  const fe = await run(at('watch', 'events', 'frontend', 'num', '2'));
  t.same(fe.out.trimEnd().split('\n').map((l) => Object.keys(JSON.parse(l) as object)[0]), ['frontend', 'frontend']);

  const logs = run(at('watch', 'events', 'log', 'level', 'debug', 'num', '2'));
  await until(() => h.fake.hub.wantedLevel() === 'debug', 'the debug subscription');
  h.fake.log('debug', 'probe-start', [['backend', 'nginx0-ams']], T0 + 1);
  h.fake.log('error', 'vpp-incompatible', [], T0 + 2);
  const r = await logs;
  t.equal(r.code, 0);
  t.equal(
    r.out,
    '{"log":{"atUnixNs":"1776002862124000000","level":"debug","msg":"probe-start","attrs":[{"key":"backend","value":"nginx0-ams"}]}}\n' +
      '{"log":{"atUnixNs":"1776002862125000000","level":"error","msg":"vpp-incompatible"}}\n',
  );
});

void t.test('watch events stops on Ctrl-C', async (t) => {
  const before = process.listenerCount('SIGINT');
  const w = run(at('watch', 'events'));
  await until(() => w.out().split('\n').length > 5, 'the snapshot');
  process.emit('SIGINT');
  const r = await w;
  t.equal(r.code, 0);
  t.equal(r.err, '');
  t.equal(r.out.trimEnd().split('\n').length, 5);
  t.equal(process.listenerCount('SIGINT'), before, 'the SIGINT handler is removed');
});

void t.test('watch events stops on a key when stdin is a terminal (raw mode, restored)', async (t) => {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, modes: [] as boolean[] });
  const tty = Object.assign(stdin, { setRawMode: (raw: boolean) => stdin.modes.push(raw) });
  const w = run(at('watch', 'events', 'backend'), {}, tty);
  await until(() => w.out().split('\n').length > 3, 'the snapshot');
  tty.write('q');
  const r = await w;
  t.equal(r.code, 0);
  t.same(tty.modes, [true, false]);
});

void t.test('watch events: the server ending the stream is exit 1 with its message', async (t) => {
  const h2 = await startHarness(t);
  const w = run(['--server', h2.address, 'watch', 'events']);
  await until(() => w.out().split('\n').length > 5, 'the snapshot');
  await h2.server.shutdown(500);
  const r = await w;
  t.same([r.code, r.err], [1, 'server shutting down\n']);
});
