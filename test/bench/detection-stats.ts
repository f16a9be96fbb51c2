import t from 'tap';
import { bucketDelta, histogramQuantile, matchWrites, percentile } from '../../bench/detection-stats.js';

void t.test('bucketDelta: the observations between two scrapes, sorted by bound', (t) => {
  const before = new Map([['0.001', 5], ['0.002', 8], ['+Inf', 9]]);
  const after = new Map([['+Inf', 20], ['0.002', 18], ['0.001', 10]]);
  t.same(bucketDelta(before, after), [
    { le: 0.001, count: 5 },
    { le: 0.002, count: 10 },
    { le: Infinity, count: 11 },
  ]);
  t.same(bucketDelta(new Map(), new Map([['1', 2]])), [{ le: 1, count: 2 }], 'no earlier scrape');
  t.end();
});

void t.test('histogramQuantile interpolates inside the bucket, as PromQL does', (t) => {
  const b = [
    { le: 0.001, count: 50 },
    { le: 0.002, count: 90 },
    { le: 0.01, count: 100 },
    { le: Infinity, count: 100 },
  ];
  const cases: Array<{ name: string; q: number; in: typeof b; want: number | undefined }> = [
    { name: 'median at the first bound', q: 0.5, in: b, want: 0.001 },
    { name: 'first bucket from 0', q: 0.25, in: b, want: 0.0005 },
    { name: 'inside the second bucket', q: 0.7, in: b, want: 0.0015 },
    { name: 'p99 in the third', q: 0.99, in: b, want: 0.0092 },
    { name: 'in +Inf: the highest finite bound', q: 0.99, in: [{ le: 0.001, count: 1 }, { le: Infinity, count: 10 }], want: 0.001 },
    { name: 'no observations', q: 0.5, in: [{ le: Infinity, count: 0 }], want: undefined },
    { name: 'empty', q: 0.5, in: [], want: undefined },
  ];
  for (const c of cases) {
    const got = histogramQuantile(c.q, c.in);
    if (c.want === undefined) t.equal(got, undefined, c.name);
    else t.ok(got !== undefined && Math.abs(got - c.want) < 1e-12, `${c.name}: ${got}`);
  }
  t.end();
});

void t.test('percentile: nearest rank', (t) => {
  const cases: Array<{ in: number[]; q: number; want: number | undefined }> = [
    { in: [], q: 0.5, want: undefined },
    { in: [3, 1, 2], q: 0.5, want: 2 },
    { in: [3, 1, 2], q: 0.99, want: 3 },
    { in: [3, 1, 2], q: 0, want: 1 },
    { in: Array.from({ length: 100 }, (_, i) => i + 1), q: 0.99, want: 99 },
  ];
  for (const c of cases) t.equal(percentile(c.in, c.q), c.want, `${c.q} of ${c.in.length}`);
  t.end();
});

void t.test('matchWrites pairs each transition with the first later write to its address', (t) => {
  const transitions = [
    { atMs: 100, address: 'a' },
    { atMs: 200, address: 'a' },
    { atMs: 150, address: 'b' },
    { atMs: 300, address: 'c' },
    { atMs: 400, address: 'b' },
  ];
  const writes = [
    { atMs: 99, address: 'a' },
    { atMs: 100.5, address: 'a' },
    { atMs: 201.25, address: 'a' },
    { atMs: 151, address: 'b' },
    { atMs: 2000, address: 'b' },
  ];
  const r = matchWrites(transitions, writes, 1000);
  t.same(r.latenciesMs, [0.5, 1.25, 1]);
  t.equal(r.unmatched, 2, 'c has no write; b’s second write is too late');
  t.end();
});
