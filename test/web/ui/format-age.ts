import t from 'tap';
import { ageSince, formatAge, nsToMs } from '../../../src/web/ui/format-age.js';

t.test('ages use two units', async (t) => {
  const s = 1000;
  const cases = [
    { in: 0, want: 'now' },
    { in: 999, want: 'now' },
    { in: -5000, want: 'now' },
    { in: s, want: '1s' },
    { in: 59 * s, want: '59s' },
    { in: 60 * s, want: '1m0s' },
    { in: 630 * s, want: '10m30s' },
    { in: 3599 * s, want: '59m59s' },
    { in: 3600 * s, want: '1h0m' },
    { in: (72 * 60 + 5) * s, want: '1h12m' },
    { in: 86_399 * s, want: '23h59m' },
    { in: (40 * 3600 + 59 * 60) * s, want: '1d16h' },
    { in: 400 * 86_400 * s, want: '400d0h' },
  ];
  for (const c of cases) t.equal(formatAge(c.in), c.want, String(c.in));
});

t.test('nanosecond strings', async (t) => {
  const cases = [
    { in: '1776002862123000000', want: 1776002862123 },
    { in: '0', want: undefined },
    { in: '', want: undefined },
    { in: 'x', want: undefined },
    { in: '999', want: 0 },
    { in: undefined, want: undefined },
  ];
  for (const c of cases) t.equal(nsToMs(c.in), c.want, String(c.in));
  t.equal(ageSince('1000000000', 1000 + 630_000), '10m30s');
  t.equal(ageSince('0', 5), '');
});
