import t from 'tap';
import type { Anomaly } from '../../src/maglevt/anomaly-log.js';
import type { VipView } from '../../src/maglevt/json-report.js';
import { clockTime, render, settingsSummary, type SummaryInput, type TuiState } from '../../src/maglevt/tui-render.js';
import type { VipStatsSnapshot } from '../../src/maglevt/vip-stats.js';

const nowMs = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const noAnomalies = { timeout: 0, 'http-err': 0, 'net-err': 0, spike: 0 };
const esc = '\x1b';
const sgrRe = new RegExp(`${esc}\\[[0-9;]*m`, 'g');
const stripAnsi = (s: string): string => s.replace(sgrRe, '');

function stats(over: Partial<VipStatsSnapshot>): VipStatsSnapshot {
  return {
    n: 120,
    fail: 0,
    okPct: 100,
    p50Ms: 1.5,
    p95Ms: 3.25,
    p99Ms: 12.5,
    maxMs: 230,
    last: '200',
    lastAtMs: nowMs,
    tally: [],
    anomalies: noAnomalies,
    ...over,
  };
}

const vips: VipView[] = [
  {
    target: { name: 'web4', address: '198.51.100.1', protocol: 'tcp', port: 80, kind: 'http' },
    stats: stats({
      tally: [
        { value: 'nginx0', count: 61, lastSeenMs: nowMs - 100, receiving: true },
        { value: 'nginx1', count: 59, lastSeenMs: nowMs - 9000, receiving: false },
      ],
    }),
  },
  {
    target: { name: 'smtp', address: '2001:db8::25', protocol: 'tcp', port: 25, kind: 'tcp' },
    stats: stats({ n: 40, fail: 7, okPct: 82.5, last: 'refused', anomalies: { ...noAnomalies, 'net-err': 7 } }),
  },
  { target: { name: 'anycast-all', address: '198.51.100.9', protocol: 'any', port: 0, kind: 'n/a' }, stats: undefined },
];

function anomalies(n: number): Anomaly[] {
  return Array.from({ length: n }, (_, i) => ({ seq: i + 1, atMs: nowMs - (n - i) * 1000, vip: 'smtp', kind: 'net-err' as const, detail: `connect ECONNREFUSED #${i + 1}` }));
}

function state(over: Partial<TuiState> = {}): TuiState {
  return {
    version: '1.2.3',
    fqdn: 'lb0.example.net',
    nowMs,
    summary: 'every 100ms ±10%',
    tally: true,
    vips,
    anomalies: anomalies(3),
    anomalyTotals: { ...noAnomalies, 'net-err': 7 },
    color: false,
    ...over,
  };
}

t.test('every frame is exactly height lines of at most width characters', async (t) => {
  const cases: { name: string; width: number; height: number; s: TuiState }[] = [
    { name: 'roomy', width: 160, height: 40, s: state() },
    { name: 'classic 80x24', width: 80, height: 24, s: state() },
    { name: 'narrow', width: 30, height: 12, s: state() },
    { name: 'tiny', width: 10, height: 3, s: state() },
    { name: 'colour', width: 80, height: 24, s: state({ color: true }) },
    { name: 'many anomalies', width: 100, height: 20, s: state({ anomalies: anomalies(500) }) },
    { name: 'many VIPs', width: 100, height: 15, s: state({ vips: Array.from({ length: 30 }, () => vips).flat() }) },
  ];
  for (const c of cases) {
    const lines = render(c.s, c.width, c.height).split('\n');
    t.equal(lines.length, c.height, `${c.name}: lines`);
    const widest = Math.max(...lines.map((l) => [...stripAnsi(l)].length));
    t.ok(widest <= c.width, `${c.name}: widest line ${widest} <= ${c.width}`);
    if (!c.s.color) t.notOk(lines.join('\n').includes(esc), `${c.name}: no escapes without colour`);
  }
});

t.test('layout at 160x30', async (t) => {
  const lines = render(state(), 160, 30).split('\n');
  t.match(lines[0], /^ maglevt 1\.2\.3 on lb0\.example\.net .*q quits/, 'title with version and FQDN');
  t.match(lines[0], clockTime(nowMs), 'title shows the time');
  t.match(lines[1], /3 VIPs · every 100ms ±10%/, 'settings line');
  t.equal(lines[2], '', 'blank after the header');
  const head = lines[3]!;
  const titles = ['VIP', 'ADDRESS', 'TYPE', 'N', 'FAIL', 'OK%', 'P50', 'P95', 'P99', 'MAX', 'LAST', 'BACKENDS'];
  let at = -1;
  for (const title of titles) {
    const i = head.indexOf(title, at + 1);
    t.ok(i > at, `column ${title} present, in order`);
    at = i;
  }
  t.match(lines[4], /^web4\s+198\.51\.100\.1:80\s+http\s+120\s+0\s+100\.0\s+1\.50ms\s+3\.25ms\s+12\.5ms\s+230ms\s+200\s+nginx0 61 {2}\(nginx1 59\)$/, 'http row; drained value in parentheses');
  t.match(lines[5], /^smtp\s+\[2001:db8::25\]:25\s+tcp\s+40\s+7\s+82\.5 .* refused/, 'tcp row');
  t.match(lines[6], /^anycast-all\s+198\.51\.100\.9:\*\s+n\/a\s+n\/a\s*$/, 'n/a row has no numbers');
  t.equal(lines[7], '', 'blank before the panel');
  t.match(lines[8], /^ERRORS {2}timeout 0 · http-err 0 · net-err 7 · spike 0/, 'panel head with totals');
  t.match(lines[9], /^\d\d:\d\d:\d\d\.\d{3} {2}smtp\s+net-err\s+connect ECONNREFUSED #3$/, 'newest first');
  t.match(lines[11], /#1$/, 'oldest last');
  t.same(lines.slice(12), Array<string>(18).fill(''), 'blank to the bottom');
  // The column edges line up between the head and every row.
  const okCol = head.indexOf('OK%') + 'OK%'.length;
  t.equal(lines[4]!.slice(okCol - 5, okCol), '100.0', 'OK% right-aligned under its title');
});

t.test('the error panel fills the rest of the screen', async (t) => {
  const cases: { name: string; height: number; anomalies: number; wantPanelLines: number }[] = [
    { name: 'more anomalies than room', height: 30, anomalies: 100, wantPanelLines: 30 - 9 },
    { name: 'exactly the room', height: 20, anomalies: 11, wantPanelLines: 11 },
    { name: 'fewer than room', height: 20, anomalies: 2, wantPanelLines: 2 },
    { name: 'none', height: 20, anomalies: 0, wantPanelLines: 0 },
  ];
  for (const c of cases) {
    const lines = render(state({ anomalies: anomalies(c.anomalies) }), 120, c.height).split('\n');
    const panel = lines.slice(9).filter((l) => l !== '');
    t.equal(panel.length, c.wantPanelLines, c.name);
    if (c.anomalies > 0) t.match(panel[0], new RegExp(`#${c.anomalies}$`), `${c.name}: newest on top`);
  }
});

t.test('a long table is cut to keep three error lines', async (t) => {
  const many = Array.from({ length: 20 }, (_, i) => ({ ...vips[0]!, target: { ...vips[0]!.target, name: `vip${i}` } }));
  const lines = render(state({ vips: many, anomalies: anomalies(50) }), 120, 16).split('\n');
  t.equal(lines.length, 16);
  t.match(lines[3], /^VIP /);
  t.match(lines[10], /^… 14 more VIPs/, 'overflow line after 6 rows');
  t.equal(lines[11], '');
  t.match(lines[12], /^ERRORS/);
  t.equal(lines.slice(13).filter((l) => /net-err/.test(l)).length, 3, 'three error lines');
});

t.test('without -header there is no BACKENDS column', async (t) => {
  const lines = render(state({ tally: false }), 160, 20).split('\n');
  t.notMatch(lines[3], /BACKENDS/);
  t.notMatch(lines[4], /nginx/);
});

t.test('colour: receiving white, drained grey, failures red, title inverse', async (t) => {
  const frame = render(state({ color: true }), 160, 20);
  const lines = frame.split('\n');
  const has = (line: string | undefined, part: string, name: string): void => void t.ok(line?.includes(part), name);
  t.ok(lines[0]?.startsWith(`${esc}[7m maglevt`), 'inverse title');
  has(lines[4], `${esc}[97mnginx0 61${esc}[0m`, 'receiving value is white');
  has(lines[4], `${esc}[90mnginx1 59${esc}[0m`, 'drained value is grey, without parentheses');
  has(lines[5], `${esc}[31m   7${esc}[0m`, 'FAIL count red');
  has(lines[5], `${esc}[31mrefused`, 'failing LAST red');
  has(lines[9], `${esc}[31mnet-err`, 'net-err red in the panel');
});

t.test('settingsSummary', async (t) => {
  const base = { intervalMs: 100, timeoutMs: 1000, uri: '/healthz', host: undefined, header: undefined, keepalive: false, insecure: false };
  const cases: { name: string; in: SummaryInput; want: string }[] = [
    { name: 'defaults', in: base, want: 'every 100ms ±10% · timeout 1.00s · GET /healthz · new connection per probe' },
    {
      name: 'everything',
      in: { ...base, host: 'www.example.com', header: 'X-Backend', keepalive: true, insecure: true },
      want: 'every 100ms ±10% · timeout 1.00s · GET /healthz Host: www.example.com · keepalive · TLS unverified · tally X-Backend',
    },
  ];
  for (const c of cases) t.equal(settingsSummary(c.in), c.want, c.name);
});
