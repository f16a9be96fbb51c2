import t from 'tap';
import { ExpositionWriter, escapeLabelValue, familyHeader, flat, labelText, sampleValue } from '../../src/metrics/exposition.js';

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

void t.test('flat gives back the same string', (t) => {
  const cases: Array<{ name: string; in: string }> = [
    { name: 'ASCII label text', in: `${'backend="be-1"'},${'type="http"'}` },
    { name: 'quotes and backslashes', in: 'a\\"b\\\\c\\n' },
    { name: 'Latin-1', in: 'bäckend-é' },
    { name: 'BMP and astral', in: '☃-🚀' },
    { name: 'lone surrogates', in: 'x\ud800y\udc00' },
    { name: 'empty', in: '' },
  ];
  for (const c of cases) t.equal(flat(c.in), c.in, c.name);
  t.end();
});

/** What a writer holds, as text. */
function written(out: ExpositionWriter): string {
  return Buffer.concat(out.take()).toString('utf8');
}

void t.test('sample lines print values as sampleValue does', (t) => {
  const cases: Array<{ name: string; in: number; want: string }> = [
    { name: 'zero', in: 0, want: '0' },
    { name: 'negative zero', in: -0, want: '0' },
    { name: 'count', in: 1234567, want: '1234567' },
    { name: 'largest safe integer', in: Number.MAX_SAFE_INTEGER, want: '9007199254740991' },
    { name: 'negative', in: -42, want: '-42' },
    { name: 'fraction', in: 0.1 + 0.2, want: '0.30000000000000004' },
    { name: 'small', in: 1e-7, want: '1e-7' },
    { name: 'exponent', in: 1e21, want: '1e+21' },
    { name: 'NaN', in: NaN, want: 'NaN' },
    { name: 'Infinity', in: Infinity, want: '+Inf' },
    { name: '-Infinity', in: -Infinity, want: '-Inf' },
  ];
  for (const c of cases) {
    const out = new ExpositionWriter();
    out.sample('m{', 'a="1"', '}', c.in);
    t.equal(written(out), `m{a="1"} ${c.want}\n`, c.name);
  }
  t.end();
});

void t.test('text across chunks and blocks stays whole UTF-8, in order', (t) => {
  const allocated: number[] = [];
  // Tiny chunks and blocks: every line crosses a boundary somewhere.
  const out = new ExpositionWriter({ chunkChars: 7, blockBytes: 16, alloc: (n) => (allocated.push(n), Buffer.allocUnsafe(n)) });
  const want: string[] = [];
  const labels = ['backend="bäckend"', 'backend="☃-🚀"', 'backend="plain"', 'backend="x\\"y"'];
  for (let i = 0; i < 40; i++) {
    const l = labels[i % labels.length]!;
    out.sample('m{', l, '}', i);
    want.push(`m{${l}} ${i}\n`);
    if (i % 7 === 0) {
      out.line(`# ${l}`);
      want.push(`# ${l}\n`);
    }
    if (i % 11 === 0) {
      out.text('\n');
      want.push('\n');
    }
  }
  const chunks = out.take();
  t.equal(Buffer.concat(chunks).toString('utf8'), want.join(''));
  t.notOk(chunks.some((c) => c.toString('utf8').includes('\ufffd')), 'no character split between chunks');
  t.ok(allocated.length > 1 && allocated.every((n) => n >= 16), 'blocks come from alloc');
  t.same(out.take(), [], 'empty after take');
  t.end();
});
