import t from 'tap';
import { escapeLabelValue, familyHeader, labelText, sampleValue } from '../../src/metrics/exposition.js';

void t.test('label values, sample values, headers', (t) => {
  const labels: Array<{ in: string; want: string }> = [
    { in: 'nginx0-ams', want: 'nginx0-ams' },
    { in: 'a"b', want: 'a\\"b' },
    { in: 'a\\b', want: 'a\\\\b' },
    { in: 'a\nb', want: 'a\\nb' },
    { in: '', want: '' },
  ];
  for (const c of labels) t.equal(escapeLabelValue(c.in), c.want, JSON.stringify(c.in));
  const values: Array<{ in: number; want: string }> = [
    { in: 0, want: '0' },
    { in: 1.5, want: '1.5' },
    { in: 123456789012, want: '123456789012' },
    { in: Infinity, want: '+Inf' },
    { in: -Infinity, want: '-Inf' },
    { in: NaN, want: 'NaN' },
  ];
  for (const c of values) t.equal(sampleValue(c.in), c.want, String(c.in));
  t.equal(labelText(['backend', 'type'], ['x"y', 'http']), 'backend="x\\"y",type="http"');
  t.equal(labelText([], []), '');
  t.equal(familyHeader('m', 'two\nlines \\ here', 'counter'), '# HELP m two\\nlines \\\\ here\n# TYPE m counter');
  t.end();
});
