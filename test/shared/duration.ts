import t from 'tap';
import { formatDurationMs, formatDurationNs, parseDurationMs, parseDurationNs } from '../../src/shared/duration.js';

t.test('parse Go durations', async (t) => {
  const cases: Array<{ in: string; want: number | undefined }> = [
    { in: '500ms', want: 500 },
    { in: '2s', want: 2000 },
    { in: '1m30s', want: 90_000 },
    { in: '1.5s', want: 1500 },
    { in: '1h', want: 3_600_000 },
    { in: '250us', want: 0.25 },
    { in: '250µs', want: 0.25 },
    { in: '0', want: 0 },
    { in: '0s', want: 0 },
    { in: '', want: undefined },
    { in: '5', want: undefined },
    { in: '-1s', want: undefined },
    { in: '1d', want: undefined },
    { in: '1s ', want: undefined },
    { in: 's', want: undefined },
  ];
  for (const c of cases) t.equal(parseDurationMs(c.in), c.want, JSON.stringify(c.in));
  t.equal(parseDurationNs('1ns'), 1);
});

t.test('format like Go', async (t) => {
  const cases: Array<{ in: number; want: string }> = [
    { in: 0, want: '0s' },
    { in: 500, want: '500ms' },
    { in: 1200, want: '1.2s' },
    { in: 90_000, want: '1m30s' },
    { in: 3_600_000, want: '1h0m0s' },
    { in: 1.2, want: '1.2ms' },
    { in: 0.25, want: '250µs' },
    { in: 5200, want: '5.2s' },
  ];
  for (const c of cases) t.equal(formatDurationMs(c.in), c.want, String(c.in));
  t.equal(formatDurationNs(15), '15ns');
});
