// maglevt end to end, in-process: real loopback servers stand behind the VIPs of a config file,
// and main() runs in JSON mode (stdout is not a TTY) or, once, in terminal mode on a fake TTY.

import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import t from 'tap';
import { main, type MaglevtIo } from '../../src/maglevt/maglevt.js';
import { waitFor } from '../support/wait-for.js';

const esc = '\x1b';
const fixtures = new URL('../fixtures/tls/', import.meta.url);
const tlsOptions = { cert: readFileSync(new URL('fleet-cert.pem', fixtures)), key: readFileSync(new URL('fleet-key.pem', fixtures)) };

class Capture extends Writable {
  text = '';
  isTTY = false;
  columns = 100;
  rows = 30;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], opts: { tty?: boolean; signal?: AbortSignal; keys?: (stdin: PassThrough, stdout: Capture) => void } = {}): Promise<Run> {
  const stdout = new Capture();
  const stderr = new Capture();
  stdout.isTTY = opts.tty === true;
  const stdin = new PassThrough();
  const io: MaglevtIo = { stdin, stdout, stderr, signal: opts.signal, fqdn: async () => 'test.example.net' };
  opts.keys?.(stdin, stdout);
  const code = await main(argv, {}, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

interface VipReport {
  name: string;
  kind: string;
  n?: number;
  fail?: number;
  okPct?: number | null;
  p50Ms?: number | null;
  last: string;
  tally?: { value: string; count: number; receiving: boolean }[];
  anomalies?: Record<string, number>;
}
interface Report {
  final: boolean;
  vips: VipReport[];
  anomalies: { vip: string; kind: string; detail: string }[];
}

function reports(stdout: string): Report[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Report);
}

function vip(r: Report, name: string): VipReport {
  const v = r.vips.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no VIP ${name} in report`);
  return v;
}

async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  return (server.address() as net.AddressInfo).port;
}

async function close(server: net.Server): Promise<void> {
  (server as http.Server).closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await close(s);
  return port;
}

/** Frontends as `name: [address, port]` (port 0: an all-port VIP), each with one static backend. */
function configYaml(frontends: Record<string, [string, number]>): string {
  const fe = Object.entries(frontends).map(([name, [address, port]]) => {
    const proto = port === 0 ? '' : `\n      protocol: tcp\n      port: ${port}`;
    return `    ${name}:\n      address: ${address}${proto}\n      pools:\n        - name: p\n          backends:\n            b1: {}`;
  });
  return `maglev:\n  vpp:\n    lb:\n      ipv4-src-address: 127.0.0.1\n  backends:\n    b1: { address: 127.0.0.2 }\n  frontends:\n${fe.join('\n')}\n`;
}

t.test('maglevt probes every kind of VIP and reports JSON lines', async (t) => {
  let served = 0;
  let connections = 0;
  const hosts = new Set<string>();
  const paths = new Set<string>();
  const tallyServer = http.createServer((req, res) => {
    hosts.add(req.headers.host ?? '');
    paths.add(req.url ?? '');
    res.setHeader('X-Backend', served++ % 2 === 0 ? 'nginx0' : 'nginx1');
    res.end('ok\n');
  });
  tallyServer.on('connection', () => connections++);
  const unavailable = http.createServer((_req, res) => {
    res.statusCode = 503;
    res.end('down\n');
  });
  const slow = http.createServer((_req, res) => {
    const timer = setTimeout(() => res.end('late\n'), 5000);
    res.on('close', () => clearTimeout(timer));
  });
  const tcp = net.createServer((s) => s.destroy());
  const secure = https.createServer(tlsOptions, (_req, res) => res.end('ok\n'));
  const servers = [tallyServer, unavailable, slow, tcp, secure];
  t.teardown(() => Promise.all(servers.map(close)));
  const [webPort, downPort, slowPort, tcpPort, tlsPort] = await Promise.all(servers.map((s) => listen(s)));
  const refusedPort = await freePort();
  const dir = t.testdir();
  const config = join(dir, 'maglev.yaml');
  await writeFile(
    config,
    configYaml({
      web: ['127.0.0.1', webPort!],
      down: ['127.0.0.1', downPort!],
      slow: ['127.0.0.1', slowPort!],
      smtp: ['127.0.0.1', tcpPort!],
      tls: ['127.0.0.1', tlsPort!],
      refused: ['127.0.0.1', refusedPort],
      anycast: ['127.0.0.9', 0],
    }),
  );
  const httpPorts = [webPort, downPort, slowPort, refusedPort].join(',');
  const argv = ['-config', config, '-http-ports', httpPorts, '-https-ports', String(tlsPort), '-insecure'];
  const r = await run([...argv, '-interval', '50ms', '-timeout', '600ms', '-header', 'X-Backend', '-report-interval', '500ms', '-duration', '1.5s', '-uri', '/probe']);
  t.equal(r.code, 0, 'exit 0');
  t.equal(r.stderr, '');
  const lines = reports(r.stdout);
  t.ok(lines.length >= 3, `periodic reports plus the final one (${lines.length})`);
  t.same(
    lines.map((l) => l.final),
    [...Array<boolean>(lines.length - 1).fill(false), true],
    'only the last report is final',
  );
  const last = lines.at(-1)!;
  t.same(
    last.vips.map((v) => `${v.name}:${v.kind}`),
    ['web:http', 'down:http', 'slow:http', 'smtp:tcp', 'tls:https', 'refused:http', 'anycast:n/a'],
    'every frontend, in config order, with its probe kind',
  );

  const web = vip(last, 'web');
  t.ok(web.n! >= 10, `web probed repeatedly (${web.n})`);
  t.match(web, { fail: 0, okPct: 100, last: '200' });
  const tally = Object.fromEntries(web.tally!.map((e) => [e.value, e]));
  t.ok(tally.nginx0!.count > 0 && tally.nginx1!.count > 0, 'the tally counts both backends');
  t.ok(Math.abs(tally.nginx0!.count - tally.nginx1!.count) <= 1, 'alternating answers split evenly');
  t.equal(tally.nginx0!.count + tally.nginx1!.count, web.n, 'every answer tallied');
  t.ok(tally.nginx0!.receiving && tally.nginx1!.receiving, 'both seen in the last 5 s');
  // One probe may be in flight (connected, not yet answered) when the run stops.
  t.ok(connections >= served && connections - served <= 1, `without -keepalive every probe is a new connection (${connections} for ${served})`);
  t.same([...hosts], [`127.0.0.1:${webPort}`], 'Host defaults to the VIP address and port');
  t.same([...paths], ['/probe'], 'GET -uri');

  t.match(vip(last, 'down'), { last: '503', okPct: 0 });
  t.equal(vip(last, 'down').fail, vip(last, 'down').n, '503 is a failure');
  t.equal(vip(last, 'down').anomalies!['http-err'], vip(last, 'down').n, 'every 503 is an http-err');
  t.match(vip(last, 'slow'), { last: 'timeout', p50Ms: null });
  t.ok(vip(last, 'slow').anomalies!.timeout! >= 1, 'slow VIP times out');
  t.match(vip(last, 'smtp'), { last: 'ok', fail: 0, okPct: 100 });
  t.ok(vip(last, 'smtp').n! >= 10, 'TCP VIP probed repeatedly');
  t.match(vip(last, 'tls'), { last: '200', fail: 0 }, 'HTTPS with -insecure');
  t.match(vip(last, 'refused'), { last: 'refused', okPct: 0 });
  t.equal(vip(last, 'refused').anomalies!['net-err'], vip(last, 'refused').n, 'every refusal is a net-err');
  t.same(vip(last, 'anycast'), { name: 'anycast', vip: '127.0.0.9:*', address: '127.0.0.9', protocol: 'any', port: 0, kind: 'n/a', last: 'n/a' });

  const all = lines.flatMap((l) => l.anomalies);
  const count = (name: string, kind: string): number => all.filter((a) => a.vip === name && a.kind === kind).length;
  t.equal(count('refused', 'net-err'), vip(last, 'refused').n, 'each anomaly reported exactly once across lines');
  t.equal(count('down', 'http-err'), vip(last, 'down').n);
  t.ok(count('slow', 'timeout') >= 1);
  t.equal(count('web', 'net-err') + count('web', 'timeout') + count('web', 'http-err'), 0, 'healthy VIP has no failures');
  t.match(all.find((a) => a.vip === 'refused')?.detail, /ECONNREFUSED/);
  t.match(all.find((a) => a.vip === 'down')?.detail, /^HTTP 503$/);
});

t.test('-keepalive reuses one connection; -host sets the Host header', async (t) => {
  let served = 0;
  let connections = 0;
  const hosts = new Set<string>();
  const server = http.createServer((req, res) => {
    served++;
    hosts.add(req.headers.host ?? '');
    res.end('ok\n');
  });
  server.on('connection', () => connections++);
  t.teardown(() => close(server));
  const port = await listen(server);
  const config = join(t.testdir(), 'maglev.yaml');
  await writeFile(config, configYaml({ web: ['127.0.0.1', port] }));
  const r = await run(['-config', config, '-http-ports', String(port), '-keepalive', '-host', 'www.example.com', '-interval', '30ms', '-duration', '800ms', '-json']);
  t.equal(r.code, 0);
  t.ok(served >= 5, `probed repeatedly (${served})`);
  t.equal(connections, 1, 'one kept-alive connection');
  t.same([...hosts], ['www.example.com']);
  t.match(vip(reports(r.stdout).at(-1)!, 'web'), { fail: 0, last: '200', tally: [] });
});

t.test('HTTPS certificate verification without -insecure', async (t) => {
  const secure = https.createServer(tlsOptions, (_req, res) => res.end('ok\n'));
  t.teardown(() => close(secure));
  const port = await listen(secure);
  const config = join(t.testdir(), 'maglev.yaml');
  await writeFile(config, configYaml({ tls: ['127.0.0.1', port] }));
  const r = await run(['-config', config, '-https-ports', String(port), '-interval', '50ms', '-duration', '800ms']);
  t.equal(r.code, 0);
  const tls = vip(reports(r.stdout).at(-1)!, 'tls');
  t.ok(tls.n! >= 1, `probed (${tls.n})`);
  t.match(tls, { kind: 'https', okPct: 0, last: /SELF_SIGNED/ }, 'the self-signed certificate is refused');
  t.equal(tls.anomalies!['net-err'], tls.n);
});

t.test('-filter narrows the frontends', async (t) => {
  const config = join(t.testdir(), 'maglev.yaml');
  const refused = await freePort();
  await writeFile(config, configYaml({ web4: ['127.0.0.1', refused], web6: ['127.0.0.2', refused], smtp: ['127.0.0.3', refused], anycast: ['127.0.0.9', 0] }));
  const cases: { filter: string; want: string[] }[] = [
    { filter: '^web', want: ['web4', 'web6'] },
    { filter: 'any', want: ['anycast'] },
    { filter: 'mtp$', want: ['smtp'] },
  ];
  for (const c of cases) {
    const r = await run(['-config', config, '-filter', c.filter, '-duration', '150ms']);
    t.equal(r.code, 0, `${c.filter}: exit 0`);
    t.same(
      reports(r.stdout)
        .at(-1)!
        .vips.map((v) => v.name),
      c.want,
      c.filter,
    );
  }
  const none = await run(['-config', config, '-filter', '^nothing$', '-duration', '150ms']);
  t.equal(none.code, 1, 'no matching frontend is a failure');
  t.match(none.stderr, /maglevt: no frontends match -filter "\^nothing\$"/);
});

t.test('command-line and config failures: exit codes and messages', async (t) => {
  const dir = t.testdir({
    'bad.yaml': 'maglev:\n  frontends:\n    web:\n      address: 192.0.2.1\n      protocl: tcp\n',
    'semantic.yaml': 'maglev:\n  frontends:\n    web:\n      address: 192.0.2.1\n      protocol: tcp\n      port: 80\n      pools:\n        - name: p\n          backends:\n            ghost: {}\n',
  });
  const cases: { name: string; argv: string[]; code: number; stdout?: RegExp; stderr: RegExp }[] = [
    { name: 'unknown flag', argv: ['-bogus'], code: 2, stderr: /^maglevt: flag provided but not defined: -bogus\nrun 'maglevt -help' for usage\n$/ },
    { name: 'bad duration', argv: ['-timeout', 'soon'], code: 2, stderr: /invalid value "soon" for flag -timeout/ },
    { name: 'bad regexp', argv: ['-filter', '(['], code: 2, stderr: /flag -filter/ },
    {
      name: 'structural error, positioned',
      argv: ['-config', join(dir, 'bad.yaml')],
      code: 1,
      stderr: new RegExp(`^maglevt: ${join(dir, 'bad.yaml').replace(/[.]/g, '\\.')}: maglev\\.frontends\\.web\\.protocl \\(5:7\\): .+`),
    },
    { name: 'semantic error, positioned', argv: ['-config', join(dir, 'semantic.yaml')], code: 1, stderr: /semantic\.yaml: maglev\.frontends\.web\.pools\[0\]\.backends\.ghost \(\d+:\d+\): / },
    { name: 'missing file', argv: ['-config', join(dir, 'nope.yaml')], code: 1, stderr: /nope\.yaml: cannot read config file: ENOENT/ },
    { name: 'version', argv: ['-version'], code: 0, stdout: /^maglevt \d+\.\d+\.\d+.* \(commit \w+, built .+\)\n$/, stderr: /^$/ },
    { name: 'help', argv: ['--help'], code: 0, stdout: /^Usage: maglevt .*-config/s, stderr: /^$/ },
  ];
  for (const c of cases) {
    const r = await run(c.argv);
    t.equal(r.code, c.code, `${c.name}: exit ${c.code}`);
    t.match(r.stderr, c.stderr, `${c.name}: stderr`);
    if (c.stdout !== undefined) t.match(r.stdout, c.stdout, `${c.name}: stdout`);
  }
});

t.test('an abort stops a run without -duration, with a final report', async (t) => {
  const config = join(t.testdir(), 'maglev.yaml');
  await writeFile(config, configYaml({ anycast: ['127.0.0.9', 0] }));
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const started = performance.now();
  const r = await run(['-config', config, '-report-interval', '50ms'], { signal: ac.signal });
  t.equal(r.code, 0);
  t.ok(performance.now() - started < 5000, 'stopped promptly');
  const lines = reports(r.stdout);
  t.ok(lines.length >= 2, 'reports while running');
  t.equal(lines.at(-1)!.final, true);
});

t.test('terminal mode on a TTY: alternate screen, table, q quits and restores', async (t) => {
  const server = net.createServer((s) => s.destroy());
  t.teardown(() => close(server));
  const port = await listen(server);
  const config = join(t.testdir(), 'maglev.yaml');
  await writeFile(config, configYaml({ smtp: ['127.0.0.1', port], anycast: ['127.0.0.9', 0] }));
  // q once a frame shows a probed row (or after 5 s, which the row checks below would catch).
  const pressQ = async (stdin: PassThrough, stdout: Capture): Promise<void> => {
    await waitFor(() => /smtp\s+127\.0\.0\.1:\d+\s+tcp\s+\d+\s+0\s+100\.0/.test(stdout.text), 5000);
    stdin.write('q');
  };
  const r = await run(['-config', config, '-interval', '50ms'], { tty: true, keys: (stdin, stdout) => void pressQ(stdin, stdout) });
  t.equal(r.code, 0, 'q quits with exit 0');
  t.ok(r.stdout.startsWith('\x1b[?1049h\x1b[?25l'), 'enters the alternate screen, cursor hidden');
  t.ok(r.stdout.endsWith('\x1b[0m\x1b[?25h\x1b[?1049l'), 'restores the screen and cursor on quit');
  const plain = r.stdout.replace(new RegExp(`${esc}\\[[0-9;?]*[A-Za-z]`, 'g'), '\n');
  t.match(plain, /maglevt .* on test\.example\.net/, 'title with the FQDN');
  t.match(plain, /smtp\s+127\.0\.0\.1:\d+\s+tcp\s+\d+\s+0\s+100\.0/, 'the TCP row');
  t.match(plain, /anycast\s+127\.0\.0\.9:\*\s+n\/a/, 'the n/a row');
  t.match(plain, /ERRORS/, 'the error panel');
  t.ok(r.stdout.includes(`${esc}[30;1H`), 'paints all 30 rows of the terminal');
  t.notOk(r.stdout.includes(`${esc}[31;1H`), 'and no more');
});
