import t from 'tap';
import { formatLatency } from '../../src/maglevt/latency-format.js';

t.test('formatLatency', async (t) => {
  const cases = [
    { in: 0, want: '0.00ms' },
    { in: 0.4219, want: '0.42ms' },
    { in: 9.994, want: '9.99ms' },
    { in: 9.996, want: '10.0ms' },
    { in: 12.34, want: '12.3ms' },
    { in: 99.96, want: '100ms' },
    { in: 230.4, want: '230ms' },
    { in: 999.4, want: '999ms' },
    { in: 999.6, want: '1.00s' },
    { in: 1250, want: '1.25s' },
  ];
  for (const c of cases) t.equal(formatLatency(c.in), c.want, String(c.in));
});
