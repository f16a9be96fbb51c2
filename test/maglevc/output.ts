// maglevc layouts: the examples verbatim (fed through the server's real
// view → wire conversion), list rows, VPP tables, config results, and colour that keeps every
// column where it was.

import t from 'tap';
import { backendInfo, frontendInfo, healthCheckInfo, vppInfoMsg, vppLbCountersMsg, vppLbStateMsg } from '../../src/control/grpc-convert.js';
import {
  formatBackend,
  formatBackendAction,
  formatBackendList,
  formatConfigCheck,
  formatConfigReload,
  formatFrontend,
  formatFrontendList,
  formatHealthCheck,
  formatHealthCheckList,
} from '../../src/maglevc/output.js';
import { ageText, label, probeDurationText, stripAnsi, table } from '../../src/maglevc/output-style.js';
import { formatVppInfo, formatVppLbCounters, formatVppLbState, vipAddress, vipOfFrontend } from '../../src/maglevc/output-vpp.js';
import { FakeControlPlane, T0 } from '../support/fake-control-plane.js';

const plain = { color: false };
const colour = { color: true };
const fake = new FakeControlPlane();
const text = (lines: readonly string[]): string => lines.join('\n');

void t.test('show frontends <f>: the upstream layout', (t) => {
  t.equal(
    text(formatFrontend(plain, frontendInfo(fake.getFrontend('web4')))),
    `frontend web4
  description    public web, IPv4
  address        198.51.100.1
  protocol       tcp
  port           80
  state          up
  src-ip-sticky  false
  flush-on-down  true
  pool primary (active)
    nginx0-ams weight 100 effective 100 state up
    nginx0-fra weight 100 effective 0 state down
  pool fallback
    nginx1-zrh weight 50 effective 0 state disabled [disabled]`,
  );
  const web6 = formatFrontend(plain, frontendInfo(fake.getFrontend('web6')));
  t.equal(web6[1], '  description    -', 'an empty description shows as -');
  t.equal(web6.at(-1), '    nginx0-ams weight 10 effective 10 state up');
  t.end();
});

void t.test('show frontends <f>: the panic row appears with a threshold', (t) => {
  const f = frontendInfo(fake.getFrontend('web4'));
  const cases: Array<{ name: string; in: { threshold: number; panic: boolean }; want: string | undefined }> = [
    { name: 'off: no row', in: { threshold: 0, panic: false }, want: undefined },
    { name: 'on, not in panic', in: { threshold: 50, panic: false }, want: '  panic          no (threshold 50%)' },
    { name: 'in panic', in: { threshold: 30, panic: true }, want: '  panic          yes (threshold 30%): every backend at its configured weight, health ignored' },
  ];
  for (const c of cases) {
    const lines = formatFrontend(plain, { ...f, panic_threshold: c.in.threshold, panic: c.in.panic });
    t.equal(
      lines.find((l) => l.startsWith('  panic')),
      c.want,
      c.name,
    );
  }
  t.end();
});

void t.test('pool member rows stay regex-friendly with fixed-width names', (t) => {
  const f = frontendInfo(fake.getFrontend('web4'));
  f.pools[0]!.backends[0]!.name = 'a';
  const rows = formatFrontend(plain, f).filter((l) => l.startsWith('    '));
  t.same(rows.slice(0, 2), ['    a          weight 100 effective 100 state up', '    nginx0-fra weight 100 effective 0 state down']);
  for (const r of rows) t.match(r, /^\s+(\S+)\s+weight (\d+) effective (\d+) state (\S+)( \[disabled\])?$/);
  t.end();
});

void t.test('show backends <b>: the upstream layout', (t) => {
  t.equal(
    text(formatBackend(plain, backendInfo(fake.getBackend('nginx0-fra')), T0 - 1000)),
    `backend nginx0-fra
  address      192.0.2.11
  state        down
  enabled      true
  healthcheck  http-healthz
  health       0 (rise 2, fall 3)
  last-probe   L4TOUT timeout after 1s during connect (1.0s, 3s ago)
  frontends    web4
  transitions
    2026-04-12T14:07:39.123Z  up -> down  L4TOUT  timeout after 1s during connect
    2026-04-12T13:02:11.004Z  unknown -> up  L7OK  HTTP 200`,
  );
  const stat = formatBackend(plain, backendInfo(fake.getBackend('nginx1-zrh')), T0);
  t.equal(stat[4], '  healthcheck  -', 'static backend');
  t.equal(stat[6], '  last-probe   -', 'no probe yet');
  t.equal(stat.at(-1), '    2026-04-12T14:06:42.123Z  unknown -> disabled  disabled', 'an empty detail is left out');
  const ams = formatBackend(plain, backendInfo(fake.getBackend('nginx0-ams')), T0);
  t.equal(ams[6], '  last-probe   L7OK HTTP 200 (12.5ms, 2s ago)');
  t.equal(ams[7], '  frontends    web4, web6');
  t.end();
});

void t.test('show vpp lb state <f>: the upstream layout', (t) => {
  const web4 = frontendInfo(fake.getFrontend('web4'));
  t.equal(
    text(formatVppLbState(plain, vppLbStateMsg(fake.lbState), (v) => vipOfFrontend(v, web4))),
    `conf ip4-src-address 192.0.2.254 ip6-src-address 2001:db8::fe sticky-buckets-per-core 65536 flow-timeout 40
vip 198.51.100.1 protocol 6 port 80 encap gre4 index 1 flow-table-length 1024 src-ip-sticky false
  as 192.0.2.10 weight 100 buckets 1024 flags used
  as 192.0.2.11 weight 0 buckets 0 flags used
  as 192.0.2.12 weight 0 buckets 0 flags used`,
  );
  const all = formatVppLbState(plain, vppLbStateMsg(fake.lbState));
  t.equal(all.length, 7, 'unfiltered: both VIPs');
  t.equal(all[5], 'vip 2001:db8::1 protocol 255 port 0 encap gre4 index 0 flow-table-length 1024 src-ip-sticky true');
  const removed = vppLbStateMsg({
    ...fake.lbState,
    vips: [{ ...fake.lbState.vips[0]!, applicationServers: [{ address: '192.0.2.9', weight: 0, flags: 0, numBuckets: 0, removedAt: T0 }] }],
  });
  t.equal(formatVppLbState(plain, removed).at(-1), '  as 192.0.2.9 weight 0 buckets 0 flags removed');
  t.end();
});

void t.test('VIP addresses drop only host prefix lengths', (t) => {
  const cases = [
    { in: '198.51.100.1/32', want: '198.51.100.1' },
    { in: '2001:db8::1/128', want: '2001:db8::1' },
    { in: '10.0.0.0/24', want: '10.0.0.0/24' },
    { in: '2001:db8::/32', want: '2001:db8::/32', why: '/32 is not a host length for IPv6' },
    { in: '192.0.2.1', want: '192.0.2.1' },
  ];
  for (const c of cases) t.equal(vipAddress(c.in), c.want, c.why ?? c.in);
  t.end();
});

void t.test('list rows are aligned', (t) => {
  t.same(formatFrontendList(plain, fake.listFrontends().map((n) => frontendInfo(fake.getFrontend(n)))), [
    'name  address       protocol  port  state',
    'web4  198.51.100.1  tcp       80    up',
    'web6  2001:db8::1   any       0     up',
  ]);
  t.same(formatBackendList(plain, fake.listBackends().map((n) => backendInfo(fake.getBackend(n)))), [
    'name        address     state     enabled  healthcheck',
    'nginx0-ams  192.0.2.10  up        true     http-healthz',
    'nginx0-fra  192.0.2.11  down      true     http-healthz',
    'nginx1-zrh  192.0.2.12  disabled  false    -',
  ]);
  t.same(formatHealthCheckList(plain, fake.listHealthChecks().map((n) => healthCheckInfo(fake.getHealthCheck(n)))), [
    'name          type  port  interval  timeout  rise  fall',
    'http-healthz  http  80    2s        1s       2     3',
    'icmp          icmp  0     1s        1s       2     3',
    'tcp-tls       tcp   443   2s        1s       2     3',
  ]);
  t.end();
});

void t.test('health checks in detail', (t) => {
  const tcp = formatHealthCheck(plain, healthCheckInfo(fake.getHealthCheck('tcp-tls')));
  t.same(tcp.slice(0, 2), ['healthcheck tcp-tls', '  type                  tcp']);
  t.same(tcp.slice(-3), ['  ssl                   true', '  server-name           example.com', '  insecure-skip-verify  true']);
  const http = formatHealthCheck(plain, healthCheckInfo(fake.getHealthCheck('http-healthz')));
  t.ok(http.includes('  response-code         200-299'));
  t.ok(http.includes('  fast-interval         1s'));
  const icmp = formatHealthCheck(plain, healthCheckInfo(fake.getHealthCheck('icmp')));
  t.equal(icmp.length, 11, 'icmp: no http or tcp rows');
  t.equal(icmp.at(-2), '  probe-ipv4-src  192.0.2.254');
  t.end();
});

void t.test('reuse-connection in show healthcheck and, once a check has it, show healthchecks', (t) => {
  const reusing = healthCheckInfo({ ...fake.getHealthCheck('http-healthz'), name: 'keep', reuseConnection: true });
  const plainHttp = healthCheckInfo(fake.getHealthCheck('http-healthz'));
  t.equal(formatHealthCheck(plain, reusing).at(-1), '  reuse-connection      true');
  t.equal(formatHealthCheck(plain, plainHttp).at(-1), '  reuse-connection      false');
  t.same(formatHealthCheckList(plain, [plainHttp, reusing, healthCheckInfo(fake.getHealthCheck('icmp'))]), [
    'name          type  port  interval  timeout  rise  fall  connection',
    'http-healthz  http  80    2s        1s       2     3     new',
    'keep          http  80    2s        1s       2     3     reuse',
    'icmp          icmp  0     1s        1s       2     3     -',
  ]);
  t.end();
});

void t.test('VPP info and counters', (t) => {
  const info = fake.vpp.state === 'connected' ? fake.vpp.info : undefined;
  if (info === undefined) throw new Error('fixture');
  t.equal(
    text(formatVppInfo(plain, vppInfoMsg(info), T0)),
    `version       26.06-release
build-date    2026-06-01T10:00:00
build-dir     /w/vpp
vpp-pid       4242
vpp-boottime  2026-04-11T14:07:42.123Z (up 24h0m0s)
connected     2026-04-12T13:07:42.123Z (for 1h0m0s)`,
  );
  t.equal(formatVppInfo(plain, vppInfoMsg({ ...info, bootTime: undefined }), T0)[4], 'vpp-boottime  unknown');
  t.equal(
    text(formatVppLbCounters(plain, vppLbCountersMsg(fake.counters))),
    `vip           protocol  port  first  next  untracked  no-server  fib-packets     fib-bytes
198.51.100.1  6         80       10  1000          0          2         1012  123456789012
2001:db8::1   255       0         1     5          3          0            0             0`,
  );
  t.end();
});

void t.test('operator replies and config results', (t) => {
  t.same(formatBackendAction(plain, backendInfo(fake.getBackend('nginx1-zrh'))), ['backend nginx1-zrh state disabled enabled false']);
  t.same(formatConfigCheck({ ok: true, parse_error: '', semantic_error: '' }), ['config ok']);
  t.same(formatConfigCheck({ ok: false, parse_error: 'maglev.yaml:3:1 a\nmaglev.yaml:9:2 b', semantic_error: '' }), [
    'parse error:',
    '  maglev.yaml:3:1 a',
    '  maglev.yaml:9:2 b',
  ]);
  t.same(formatConfigReload({ ok: true, parse_error: '', semantic_error: '', reload_error: '' }), ['config reloaded']);
  t.same(formatConfigReload({ ok: false, parse_error: '', semantic_error: 'frontends.web4: x', reload_error: 'apply failed' }), [
    'semantic error:',
    '  frontends.web4: x',
    'reload error:',
    '  apply failed',
  ]);
  t.end();
});

void t.test('colour: dark-blue labels with equal-length escapes keep every column', (t) => {
  const layouts: Array<[string, (s: { color: boolean }) => string[]]> = [
    ['frontend', (s) => formatFrontend(s, frontendInfo(fake.getFrontend('web4')))],
    ['backend', (s) => formatBackend(s, backendInfo(fake.getBackend('nginx0-fra')), T0)],
    ['healthcheck', (s) => formatHealthCheck(s, healthCheckInfo(fake.getHealthCheck('http-healthz')))],
    ['lb state', (s) => formatVppLbState(s, vppLbStateMsg(fake.lbState))],
    ['counters', (s) => formatVppLbCounters(s, vppLbCountersMsg(fake.counters))],
    ['vpp info', (s) => formatVppInfo(s, vppInfoMsg(fake.vpp.state === 'connected' ? fake.vpp.info : (undefined as never)), T0)],
    ['set backend', (s) => formatBackendAction(s, backendInfo(fake.getBackend('nginx0-ams')))],
  ];
  for (const [name, f] of layouts) {
    const c = f(colour);
    t.same(c.map(stripAnsi), f(plain), `${name}: identical once escapes are removed`);
    t.ok(c.some((l) => l.includes('\x1b[34m')), `${name}: has dark-blue labels`);
    for (const l of c) {
      // eslint-disable-next-line no-control-regex
      const escapes = l.match(/\x1b\[[0-9;]*m/g) ?? [];
      t.ok(escapes.every((e, i) => e === (i % 2 === 0 ? '\x1b[34m' : '\x1b[0m')), `${name}: every label wrapped the same way`);
    }
  }
  t.equal(label(colour, 'state').length - 'state'.length, label(colour, 'src-ip-sticky').length - 'src-ip-sticky'.length, 'same escape length for every label');
  // Padding a coloured label by its coloured length lines columns up as well.
  const rows = ['address', 'state', 'healthcheck'].map((k) => label(colour, k));
  const w = Math.max(...rows.map((r) => r.length));
  const padded = rows.map((r) => stripAnsi(r.padEnd(w + 2) + 'v'));
  t.same(new Set(padded.map((p) => p.indexOf('v'))).size, 1);
  t.end();
});

void t.test('small formatters', (t) => {
  const cases: Array<[string, string]> = [
    [probeDurationText('1000400000'), '1.0s'],
    [probeDurationText('12500000'), '12.5ms'],
    [probeDurationText('250000'), '250µs'],
    [ageText(3400), '3s'],
    [ageText(90_000), '1m30s'],
    [ageText(-5), '0s'],
  ];
  for (const [got, want] of cases) t.equal(got, want);
  t.same(table([['a', '1'], ['bbb', '22']], new Set([1])), ['a     1', 'bbb  22']);
  t.end();
});

void t.test('the agent check: its verdict beside the state in every backend view', (t) => {
  const base = fake.getBackend('nginx0-ams');
  const drained = backendInfo({
    ...base,
    agent: { verdict: { state: 'drain', percent: 100 }, port: 9999, lastAnswer: 'drain', lastAnswerAt: T0 - 2000, badAnswers: 3, lastError: 'bad answer: unknown word "what?"' },
  });
  const lines = formatBackend(plain, drained, T0);
  t.equal(lines[2], '  state        up');
  t.equal(lines[6], '  agent        drain (port 9999, answer "drain" 2s ago, 3 bad answers, latest: bad answer: unknown word "what?")');
  const half = backendInfo({ ...base, agent: { verdict: { state: 'up', percent: 50 }, port: 9999, lastAnswer: '', lastAnswerAt: undefined, badAnswers: 0, lastError: '' } });
  t.equal(formatBackend(plain, half, T0)[6], '  agent        up 50% (port 9999, no answer yet)');
  t.same(formatBackendList(plain, [drained]), ['name        address     state             enabled  healthcheck', 'nginx0-ams  192.0.2.10  up (agent drain)  true     http-healthz']);
  t.same(formatBackendAction(plain, half), ['backend nginx0-ams state up (agent up 50%) enabled true']);
  const f = frontendInfo(fake.getFrontend('web4'));
  f.pools[0]!.backends[0]!.agent_state = 'drain';
  t.match(formatFrontend(plain, f).find((l) => l.includes('agent')), /weight 100 effective \d+ state up agent drain$/);
  const hc = healthCheckInfo({ ...fake.getHealthCheck('http-healthz'), agent: { port: 9999, intervalMs: 500, timeoutMs: 200, send: 'web' } });
  t.equal(formatHealthCheck(plain, hc).at(-1), '  agent                 port 9999, interval 500ms, timeout 200ms, send "web"');
  t.end();
});
