// End to end (issue 6): maglevt in JSON mode, run in-process, against VIPs that are test-fleet
// backends (a VIP address is just where maglevt connects). One HTTP VIP on an up backend that
// names itself in an X-Backend header (a `raw` fleet answer), one HTTP VIP on a backend
// answering 503, one TCP VIP on a backend that is down (refused), and one TCP VIP on the up
// backend. Asserts the per-VIP OK %, the error classes, the -header tally, and that the fleet
// saw a new connection per probe (no -keepalive).

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import t from 'tap';
import { startFleet } from '../../src/fleet/fleet.js';
import { main, type MaglevtIo } from '../../src/maglevt/maglevt.js';

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

interface VipReport {
  name: string;
  kind: string;
  n: number;
  fail: number;
  okPct: number | null;
  last: string;
  tally: { value: string; count: number; receiving: boolean }[];
  anomalies: Record<string, number>;
}
interface Report {
  final: boolean;
  vips: VipReport[];
}

const [upAddress, errAddress, downAddress] = ['127.0.8.1', '127.0.8.2', '127.0.8.3'];
const named = (name: string): string => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Backend: ${name}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`;

t.test('maglevt -json against VIPs served by the fleet', async (t) => {
  const fleet = await startFleet({ httpPort: 0, httpsPort: 0, backends: [upAddress, errAddress, downAddress] });
  t.teardown(() => fleet.close());
  await fleet.set(upAddress, { kind: 'raw', response: named('nginx-up') });
  await fleet.set(errAddress, { kind: 'status', code: 503 });
  await fleet.set(downAddress, { kind: 'down' });
  // TCP VIPs use the fleet's TLS port: not in -http-ports or -https-ports, so a plain connect.
  const tcpPort = fleet.httpsPort!;
  const frontends: [string, string, number][] = [
    ['web', upAddress, fleet.httpPort],
    ['web-503', errAddress, fleet.httpPort],
    ['tcp-down', downAddress, tcpPort],
    ['tcp-up', upAddress, tcpPort],
  ];
  const yaml =
    'maglev:\n  vpp:\n    lb:\n      ipv4-src-address: 192.0.2.254\n  backends:\n    b1: { address: 192.0.2.10 }\n  frontends:\n' +
    frontends.map(([name, address, port]) => `    ${name}:\n      address: ${address}\n      protocol: tcp\n      port: ${port}\n      pools:\n        - name: p\n          backends:\n            b1: {}\n`).join('');
  const configPath = join(t.testdir(), 'maglev.yaml');
  await writeFile(configPath, yaml);

  const before = Object.fromEntries([upAddress, errAddress, downAddress].map((a) => [a, fleet.count(a)]));
  const stdout = new Capture();
  const stderr = new Capture();
  const io: MaglevtIo = { stdin: new PassThrough(), stdout, stderr, fqdn: async () => 'test.example.net' };
  const argv = ['-config', configPath, '-json', '-duration', '2s', '-interval', '50ms', '-timeout', '2s', '-http-ports', String(fleet.httpPort), '-header', 'X-Backend', '-uri', '/probe'];
  const code = await main(argv, {}, io);
  t.equal(code, 0, 'exit 0');
  t.equal(stderr.text, '', 'nothing on stderr');

  const lines = stdout.text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Report);
  const last = lines.at(-1)!;
  t.equal(last.final, true, 'ends with the final report');
  const vip = (name: string): VipReport => {
    const v = last.vips.find((x) => x.name === name);
    if (v === undefined) throw new Error(`no VIP ${name} in the report`);
    return v;
  };
  t.same(
    last.vips.map((v) => `${v.name}:${v.kind}`),
    ['web:http', 'web-503:http', 'tcp-down:tcp', 'tcp-up:tcp'],
    'every VIP with its probe kind',
  );
  for (const [name] of frontends) t.ok(vip(name).n >= 5, `${name} probed repeatedly (${vip(name).n})`);

  const web = vip('web');
  t.match(web, { fail: 0, okPct: 100, last: '200' }, 'the up backend: 100 % OK');
  t.same(
    web.tally.map((e) => [e.value, e.count]),
    [['nginx-up', web.n]],
    '-header tallies every answer to the backend that sent it',
  );
  t.match(web.anomalies, { 'http-err': 0, 'net-err': 0, timeout: 0 }, 'no failures on the up VIP');

  const err = vip('web-503');
  t.match(err, { okPct: 0, last: '503' }, 'the 503 backend: 0 % OK');
  t.equal(err.fail, err.n, 'every 503 is a failure');
  t.equal(err.anomalies['http-err'], err.n, 'classed http-err');

  const down = vip('tcp-down');
  t.match(down, { okPct: 0, last: 'refused' }, 'the down backend: 0 % OK, refused');
  t.equal(down.anomalies['net-err'], down.n, 'classed net-err');

  t.match(vip('tcp-up'), { fail: 0, okPct: 100, last: 'ok' }, 'a TCP connect to the up backend succeeds');

  // Without -keepalive each probe is its own connection: the up backend saw one per HTTP and
  // TCP probe (one may still have been in flight when maglevt stopped), the 503 one per probe.
  const seen = (a: string): number => fleet.count(a) - (before[a] ?? 0);
  const upProbes = web.n + vip('tcp-up').n;
  t.ok(seen(upAddress) >= upProbes && seen(upAddress) <= upProbes + 2, `up backend: a connection per probe (${seen(upAddress)} for ${upProbes})`);
  t.ok(seen(errAddress) >= err.n && seen(errAddress) <= err.n + 1, `503 backend: a connection per probe (${seen(errAddress)} for ${err.n})`);
  t.equal(fleet.stats(upAddress)?.lastRequest?.path, '/probe', 'GET -uri');
  t.equal(seen(downAddress), 0, 'the down backend accepted nothing');
});
