import t from 'tap';
import type { ProbeSample } from '../../src/maglevt/probe-sample.js';
import { classifySample, isOk, lastStatus, percentile, VipStats, type Finding, type VipStatsSnapshot } from '../../src/maglevt/vip-stats.js';

const http = (latencyMs: number, status = 200, header?: string): ProbeSample => ({ type: 'http', latencyMs, status, header });
const tcp = (latencyMs: number): ProbeSample => ({ type: 'tcp', latencyMs });
const timeout = (latencyMs = 1000): ProbeSample => ({ type: 'timeout', latencyMs });
const refused: ProbeSample = { type: 'error', latencyMs: 0.3, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:80' };
const reset: ProbeSample = { type: 'error', latencyMs: 2, code: 'ECONNRESET', message: 'read ECONNRESET' };
const tlsBad: ProbeSample = { type: 'error', latencyMs: 2, code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' };

t.test('percentile: nearest rank', async (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  const cases: { name: string; in: number[]; q: number; want: number | undefined }[] = [
    { name: 'empty', in: [], q: 0.5, want: undefined },
    { name: 'one sample is every percentile', in: [7], q: 0.99, want: 7 },
    { name: 'p50 of 1..100', in: hundred, q: 0.5, want: 50 },
    { name: 'p95 of 1..100', in: hundred, q: 0.95, want: 95 },
    { name: 'p99 of 1..100', in: hundred, q: 0.99, want: 99 },
    { name: 'p100 is the max', in: hundred, q: 1, want: 100 },
    { name: 'p50 of four rounds down to the 2nd', in: [1, 2, 3, 4], q: 0.5, want: 2 },
    { name: 'p99 of ten is the 10th', in: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], q: 0.99, want: 10 },
  ];
  for (const c of cases) t.equal(percentile(c.in, c.q), c.want, c.name);
});

t.test('lastStatus and isOk', async (t) => {
  const cases: { name: string; in: ProbeSample; want: string; ok: boolean }[] = [
    { name: 'HTTP 200', in: http(1), want: '200', ok: true },
    { name: 'HTTP 301 is ok', in: http(1, 301), want: '301', ok: true },
    { name: 'HTTP 404', in: http(1, 404), want: '404', ok: false },
    { name: 'HTTP 503', in: http(1, 503), want: '503', ok: false },
    { name: 'TCP connect', in: tcp(1), want: 'ok', ok: true },
    { name: 'timeout', in: timeout(), want: 'timeout', ok: false },
    { name: 'refused', in: refused, want: 'refused', ok: false },
    { name: 'reset', in: reset, want: 'reset', ok: false },
    { name: 'other code shown as is', in: tlsBad, want: 'DEPTH_ZERO_SELF_SIGNED_CERT', ok: false },
  ];
  for (const c of cases) {
    t.equal(lastStatus(c.in), c.want, `${c.name}: status`);
    t.equal(isOk(c.in), c.ok, `${c.name}: ok`);
  }
});

t.test('classifySample', async (t) => {
  const cases: { name: string; in: ProbeSample; p50: number | undefined; want: Finding | undefined }[] = [
    { name: 'timeout', in: timeout(300), p50: 1, want: { kind: 'timeout', detail: 'no answer within 300ms' } },
    { name: 'refused is net-err', in: refused, p50: 1, want: { kind: 'net-err', detail: 'connect ECONNREFUSED 127.0.0.1:80' } },
    { name: 'reset is net-err', in: reset, p50: undefined, want: { kind: 'net-err', detail: 'read ECONNRESET' } },
    { name: 'empty message falls back to the code', in: { type: 'error', latencyMs: 1, code: 'EX', message: '' }, p50: 1, want: { kind: 'net-err', detail: 'EX' } },
    { name: 'HTTP 503 is http-err, naming the backend', in: http(2, 503, 'nginx1'), p50: 1, want: { kind: 'http-err', detail: 'HTTP 503 from nginx1' } },
    { name: 'HTTP 400 is http-err', in: http(2, 400), p50: undefined, want: { kind: 'http-err', detail: 'HTTP 400' } },
    { name: 'HTTP 399 is fine', in: http(2, 399), p50: 1, want: undefined },
    { name: 'HTTP 200 at p50 is fine', in: http(10), p50: 10, want: undefined },
    { name: 'spike: 5x p50 and 50ms', in: http(60, 200, 'nginx0'), p50: 10, want: { kind: 'spike', detail: 'latency 60.0ms > 5× p50 10.0ms from nginx0' } },
    { name: 'tcp spike', in: tcp(300), p50: 20, want: { kind: 'spike', detail: 'latency 300ms > 5× p50 20.0ms' } },
    { name: 'no spike at exactly 5x', in: http(60), p50: 12, want: undefined },
    { name: 'no spike under the 50ms floor', in: http(49), p50: 1, want: undefined },
    { name: 'no spike at exactly 50ms', in: http(50), p50: 1, want: undefined },
    { name: 'no spike without a p50', in: http(500), p50: undefined, want: undefined },
    { name: 'a slow 503 is http-err, not spike', in: http(500, 503), p50: 1, want: { kind: 'http-err', detail: 'HTTP 503' } },
  ];
  for (const c of cases) t.same(classifySample(c.in, c.p50), c.want, c.name);
});

type Step = readonly [sample: ProbeSample, atMs: number];

function feed(steps: readonly Step[]): { stats: VipStats; findings: (Finding | undefined)[] } {
  const stats = new VipStats();
  const findings = steps.map(([s, at]) => stats.record(s, at));
  return { stats, findings };
}

const repeat = (n: number, f: (i: number) => ProbeSample, startMs = 0): Step[] => Array.from({ length: n }, (_, i) => [f(i), startMs + i * 100] as const);

t.test('VipStats snapshots', async (t) => {
  const cases: { name: string; steps: Step[]; nowMs: number; want: Partial<VipStatsSnapshot> }[] = [
    {
      name: 'nothing yet',
      steps: [],
      nowMs: 0,
      want: { n: 0, fail: 0, okPct: undefined, p50Ms: undefined, maxMs: undefined, last: undefined, lastAtMs: undefined, tally: [] },
    },
    {
      name: 'mixed outcomes',
      steps: [
        [http(4), 0],
        [http(2, 503), 100],
        [timeout(1000), 1100],
        [refused, 1200],
        [http(6), 1300],
      ],
      nowMs: 1300,
      want: { n: 5, fail: 3, okPct: 40, p50Ms: 4, p95Ms: 6, maxMs: 6, last: '200', lastAtMs: 1300 },
    },
    {
      name: 'timeouts and errors carry no latency',
      steps: [
        [timeout(1000), 0],
        [refused, 100],
      ],
      nowMs: 100,
      want: { n: 2, fail: 2, okPct: 0, p50Ms: undefined, maxMs: undefined, last: 'refused' },
    },
    {
      name: 'the window keeps the last 100: old failures leave OK % but stay in FAIL',
      steps: [...repeat(50, () => refused), ...repeat(100, () => tcp(3), 5000)],
      nowMs: 20000,
      want: { n: 150, fail: 50, okPct: 100, p50Ms: 3, maxMs: 3, last: 'ok' },
    },
    {
      name: 'the window drops old latencies from the max',
      steps: [[tcp(900), 0], ...repeat(100, (i) => tcp(i + 1), 100)],
      nowMs: 20000,
      want: { n: 101, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 },
    },
  ];
  for (const c of cases) {
    const { stats } = feed(c.steps);
    t.match(stats.snapshot(c.nowMs), c.want, c.name);
  }
});

t.test('VipStats tally: counts, last seen and the 5 s receiving window', async (t) => {
  const { stats } = feed([
    [http(1, 200, 'nginx0'), 1000],
    [http(1, 200, 'nginx1'), 2000],
    [http(1, 200, 'nginx0'), 3000],
    [http(1, 503, 'nginx1'), 4000],
    [http(1, 200), 5000],
    [tcp(1), 6000],
  ]);
  const cases: { name: string; nowMs: number; want: { value: string; count: number; lastSeenMs: number; receiving: boolean }[] }[] = [
    {
      name: 'both recent',
      nowMs: 4000,
      want: [
        { value: 'nginx0', count: 2, lastSeenMs: 3000, receiving: true },
        { value: 'nginx1', count: 2, lastSeenMs: 4000, receiving: true },
      ],
    },
    {
      name: 'nginx0 drained 5 s after it was last seen',
      nowMs: 8000,
      want: [
        { value: 'nginx0', count: 2, lastSeenMs: 3000, receiving: false },
        { value: 'nginx1', count: 2, lastSeenMs: 4000, receiving: true },
      ],
    },
    {
      name: 'both drained',
      nowMs: 9000,
      want: [
        { value: 'nginx0', count: 2, lastSeenMs: 3000, receiving: false },
        { value: 'nginx1', count: 2, lastSeenMs: 4000, receiving: false },
      ],
    },
  ];
  for (const c of cases) t.same(stats.snapshot(c.nowMs).tally, c.want, c.name);
});

t.test('VipStats findings and anomaly counts', async (t) => {
  const cases: { name: string; steps: Step[]; wantKinds: (string | undefined)[]; wantAnomalies: Record<string, number>; wantFail: number }[] = [
    {
      name: 'a spike needs 10 answered samples before it',
      steps: [...repeat(9, () => http(10)), [http(100), 5000]],
      wantKinds: [...Array<undefined>(9).fill(undefined), undefined],
      wantAnomalies: { spike: 0 },
      wantFail: 0,
    },
    {
      name: 'spike after 10 samples; it is not a FAIL',
      steps: [...repeat(10, () => http(10)), [http(100), 5000]],
      wantKinds: [...Array<undefined>(10).fill(undefined), 'spike'],
      wantAnomalies: { spike: 1, timeout: 0 },
      wantFail: 0,
    },
    {
      name: 'failures do not count towards the spike baseline',
      steps: [...repeat(10, () => refused), [tcp(100), 5000]],
      wantKinds: [...Array<string>(10).fill('net-err'), undefined],
      wantAnomalies: { 'net-err': 10, spike: 0 },
      wantFail: 10,
    },
    {
      name: 'each kind counted',
      steps: [
        [timeout(), 0],
        [reset, 100],
        [http(1, 500), 200],
        [http(1, 404), 300],
      ],
      wantKinds: ['timeout', 'net-err', 'http-err', 'http-err'],
      wantAnomalies: { timeout: 1, 'net-err': 1, 'http-err': 2, spike: 0 },
      wantFail: 4,
    },
  ];
  for (const c of cases) {
    const { stats, findings } = feed(c.steps);
    t.same(
      findings.map((f) => f?.kind),
      c.wantKinds,
      `${c.name}: findings`,
    );
    const snap = stats.snapshot(10000);
    t.match(snap.anomalies, c.wantAnomalies, `${c.name}: anomaly counts`);
    t.equal(snap.fail, c.wantFail, `${c.name}: fail`);
  }
});

t.test('snapshot is a copy', async (t) => {
  const { stats } = feed([[timeout(), 0]]);
  const before = stats.snapshot(0);
  stats.record(timeout(), 100);
  t.equal(before.anomalies.timeout, 1);
  t.equal(stats.snapshot(100).anomalies.timeout, 2);
});
