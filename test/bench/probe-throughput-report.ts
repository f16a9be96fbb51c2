// probe-throughput's section: a row per checker (n/a where a figure is missing, e.g. a checker
// that did not run) and the CPU-per-check ratios the targets are stated in.

import t from 'tap';
import { cpuRatio, formatRun, type ReportRow, type RunReport } from '../../bench/probe-throughput-report.js';

const rows: ReportRow[] = [
  { kind: 'maglevd', checker: 'maglevd (dist/)', expectedPerS: 2000, checksPerS: 1990, cpuUsPerCheck: 120, cpuPctOfCore: 23.9, okPct: 100, rssEndMb: 200, rssMaxMb: 220, notes: ['13 threads'] },
  { kind: 'haproxy', checker: 'HAProxy 2.6.12', expectedPerS: 2000, checksPerS: 1995, cpuUsPerCheck: 60, cpuPctOfCore: 12, okPct: 99.5, rssEndMb: 28, rssMaxMb: 28, notes: [] },
  { kind: 'floor', checker: 'C floor (epoll, 1 thread)', expectedPerS: 2000, notes: ['not run: cc is not installed'] },
];

const report: RunReport = {
  type: 'http',
  backends: 2000,
  intervalMs: 1000,
  timeoutMs: 1000,
  durationMs: 30_000,
  warmupMs: 10_000,
  fleet: 'nginx/1.22.1 (1 worker)',
  startedAt: new Date('2026-12-05T17:00:00Z'),
  loadStart: 1.25,
  loadEnd: 2,
  machine: { node: 'v20.20.2', cpuModel: 'AMD EPYC', cores: 2, kernel: '6.1.0' },
  rows,
};

t.test('ratios', async (t) => {
  const cases = [
    { name: 'maglevd / HAProxy', in: ['maglevd', 'haproxy'] as const, want: 2 },
    { name: 'no floor figure', in: ['maglevd', 'floor'] as const, want: undefined },
  ];
  for (const c of cases) t.equal(cpuRatio(rows, c.in[0], c.in[1]), c.want, c.name);
});

t.test('section', async (t) => {
  const text = formatRun(report);
  t.match(text, /^## probe-throughput: http, 2000 backends every 1s, 30s per checker \(2026-12-05T17:00:00\.000Z\)/);
  t.match(text, /load average 1\.3 at start, 2\.0 at end/);
  t.match(text, /\| maglevd \(dist\/\) \| 120\.0 \| 23\.9 \| 1990 \(2000\) \| 100\.00 \| 200 \/ 220 \| n\/a \| 13 threads \|/);
  t.match(text, /\| C floor \(epoll, 1 thread\) \| n\/a \| n\/a \| n\/a \(2000\) \| n\/a \| n\/a \/ n\/a \| n\/a \| not run: cc is not installed \|/);
  t.match(text, /CPU per check: maglevd \/ HAProxy 2\.00 ×; maglevd \/ C floor n\/a\./);
  t.notMatch(text, /reuse/, 'no reuse line without a reuse row');
});

t.test('section with a reuse-connection row', async (t) => {
  const reuse: ReportRow = { kind: 'maglevd-reuse', checker: 'maglevd reuse-connection (dist/)', expectedPerS: 2000, checksPerS: 1990, cpuUsPerCheck: 30, cpuPctOfCore: 6, okPct: 100, rssEndMb: 200, rssMaxMb: 220, notes: [] };
  const text = formatRun({ ...report, rows: [rows[0]!, reuse, ...rows.slice(1)] });
  t.match(text, /With reuse-connection: maglevd reuse \/ maglevd 0\.25 ×; maglevd reuse \/ HAProxy 0\.50 ×\./);
});
