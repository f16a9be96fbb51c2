import t from 'tap';
import { jsonReport } from '../../src/maglevt/json-report.js';

t.test('jsonReport', async (t) => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
  const report = jsonReport({
    nowMs: at,
    startedMs: at - 1500.4,
    final: true,
    vips: [
      {
        target: { name: 'web6', address: '2001:db8::1', protocol: 'tcp', port: 443, kind: 'https' },
        stats: {
          n: 3,
          fail: 1,
          okPct: 200 / 3,
          p50Ms: 1.23456,
          p95Ms: 2,
          p99Ms: 2,
          maxMs: 2,
          last: 'timeout',
          lastAtMs: at,
          tally: [{ value: 'nginx0', count: 2, lastSeenMs: at - 6000, receiving: false }],
          anomalies: { timeout: 1, 'http-err': 0, 'net-err': 0, spike: 0 },
        },
      },
      { target: { name: 'all', address: '192.0.2.9', protocol: 'any', port: 0, kind: 'n/a' }, stats: undefined },
      {
        target: { name: 'fresh', address: '192.0.2.1', protocol: 'tcp', port: 25, kind: 'tcp' },
        stats: { n: 0, fail: 0, okPct: undefined, p50Ms: undefined, p95Ms: undefined, p99Ms: undefined, maxMs: undefined, last: undefined, lastAtMs: undefined, tally: [], anomalies: { timeout: 0, 'http-err': 0, 'net-err': 0, spike: 0 } },
      },
    ],
    anomalies: [{ seq: 4, atMs: at - 100, vip: 'web6', kind: 'timeout', detail: 'no answer within 1.00s' }],
  });
  t.same(JSON.parse(JSON.stringify(report)), {
    time: '2026-01-02T03:04:05.000Z',
    elapsedMs: 1500,
    final: true,
    vips: [
      {
        name: 'web6',
        vip: '[2001:db8::1]:443',
        address: '2001:db8::1',
        protocol: 'tcp',
        port: 443,
        kind: 'https',
        n: 3,
        fail: 1,
        okPct: 66.67,
        p50Ms: 1.235,
        p95Ms: 2,
        p99Ms: 2,
        maxMs: 2,
        last: 'timeout',
        tally: [{ value: 'nginx0', count: 2, lastSeen: '2026-01-02T03:03:59.000Z', receiving: false }],
        anomalies: { timeout: 1, 'http-err': 0, 'net-err': 0, spike: 0 },
      },
      { name: 'all', vip: '192.0.2.9:*', address: '192.0.2.9', protocol: 'any', port: 0, kind: 'n/a', last: 'n/a' },
      {
        name: 'fresh',
        vip: '192.0.2.1:25',
        address: '192.0.2.1',
        protocol: 'tcp',
        port: 25,
        kind: 'tcp',
        n: 0,
        fail: 0,
        okPct: null,
        p50Ms: null,
        p95Ms: null,
        p99Ms: null,
        maxMs: null,
        last: null,
        tally: [],
        anomalies: { timeout: 0, 'http-err': 0, 'net-err': 0, spike: 0 },
      },
    ],
    anomalies: [{ time: '2026-01-02T03:04:04.900Z', vip: 'web6', kind: 'timeout', detail: 'no answer within 1.00s' }],
  });
});
