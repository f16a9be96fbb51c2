// The limits checked before YAML parsing (src/config/limits.ts): the flow-nesting scan
// (comments and quoted scalars skipped), the positions of the issues, and parseConfig refusing
// deep or oversized texts at once instead of spending seconds in the parser.

import t from 'tap';
import { parseConfig } from '../../src/config/loader.js';
import { configLimitIssue, deepFlowOffset, headOf, maxConfigBytes, maxFlowDepth, oversizeIssue } from '../../src/config/limits.js';

void t.test('deepFlowOffset', async (t) => {
  t.equal(maxFlowDepth, 64);
  const cases: Array<[string, string, number]> = [
    ['empty', '', -1],
    ['64 levels', `${'['.repeat(64)}${']'.repeat(64)}`, -1],
    ['65 levels', `${'['.repeat(65)}${']'.repeat(65)}`, 64],
    ['65 mixed levels after a prefix', `a: ${'[{'.repeat(33)}`, 3 + 64],
    ['many siblings', '[]'.repeat(10_000), -1],
    ['closings without openings', `${']'.repeat(100)}${'['.repeat(64)}`, -1],
    ['a comment', `# ${'['.repeat(100)}\na: 1`, -1],
    ['a comment after a value', `a: 1 # ${'{'.repeat(100)}`, -1],
    ['# inside a plain scalar is not a comment', `a: b#${'['.repeat(65)}`, 5 + 64],
    ['a double-quoted scalar', `a: "x\\"${'['.repeat(100)}"`, -1],
    ['a single-quoted scalar with an escaped quote', `a: 'it''s ${'['.repeat(100)}'`, -1],
    ['an apostrophe inside a plain scalar opens nothing', `a: it's ${'['.repeat(65)}`, 8 + 64],
    ['a quoted key in a flow map', `{"k${'['.repeat(100)}": 1}`, -1],
    ['a quoted scalar at the very start', `"${'['.repeat(100)}"`, -1],
    ['an unterminated quoted scalar runs to the end', `a: '${'['.repeat(100)}`, -1],
  ];
  for (const [what, text, want] of cases) t.equal(deepFlowOffset(text), want, what);
});

void t.test('issues are positioned where the limit is crossed', async (t) => {
  const deep = configLimitIssue(`maglev:\n  backends:\n    a: ${'['.repeat(70)}`);
  t.same(deep, { path: '', line: 3, col: 8 + 64, message: 'flow collections nested deeper than 64 levels; the file is not parsed' });
  t.same(oversizeIssue('ab\ncd'), { path: '', line: 2, col: 3, message: `the config file is larger than ${maxConfigBytes} bytes (16 MiB); it is not parsed` });
  t.equal(headOf(Buffer.from(`${'a'.repeat(maxConfigBytes - 1)}é`)).length, maxConfigBytes - 1, 'a character split by the cut is dropped');
  t.equal(configLimitIssue('maglev: {}\n'), undefined);
  t.same(oversizeIssue('abc'), { path: '', line: 1, col: 4, message: `the config file is larger than ${maxConfigBytes} bytes (16 MiB); it is not parsed` }, 'one line');
});

void t.test('the size limit counts UTF-8 bytes', async (t) => {
  const cases: Array<{ name: string; in: string; want: { line: number; col: number } | undefined }> = [
    { name: 'a long ASCII text under the limit is scanned, not refused', in: 'a'.repeat(maxConfigBytes / 2), want: undefined },
    { name: 'ASCII exactly at the limit', in: 'a'.repeat(maxConfigBytes), want: undefined },
    { name: 'one ASCII byte over', in: 'a'.repeat(maxConfigBytes + 1), want: { line: 1, col: maxConfigBytes + 1 } },
    { name: 'two-byte characters over the limit', in: `x\n${'é'.repeat(maxConfigBytes / 2)}`, want: { line: 2, col: maxConfigBytes / 2 } },
  ];
  for (const c of cases) {
    const got = configLimitIssue(c.in);
    t.same(got === undefined ? undefined : { line: got.line, col: got.col }, c.want, c.name);
  }
});

void t.test('parseConfig refuses deep nesting at once, and keeps ordinary brackets', async (t) => {
  const t0 = performance.now();
  const r = parseConfig(`maglev:\n  backends: ${'['.repeat(2_000_000)}${']'.repeat(2_000_000)}\n`);
  const ms = performance.now() - t0;
  t.match(r, { ok: false, stage: 'parse', errors: [{ line: 2, col: 13 + 64, message: /nested deeper than 64/ }] });
  t.ok(ms < 10_000, `rejected in ${Math.round(ms)} ms (the YAML parser needs about a minute for this text)`);
  const ordinary = parseConfig(`maglev:
  healthchecks:
    h:
      type: http
      port: 80
      params: { path: "/x[1]", response-regexp: '^[a-z]{2,}(\\[ok\\])?$' }
  backends: { b: { address: 192.0.2.1, healthcheck: h } }
  frontends: { f: { address: 192.0.2.9, pools: [ { name: p, backends: { b: { weight: 1 } } } ] } }
  vpp: { lb: { ipv4-src-address: 192.0.2.254 } }
`);
  t.ok(ordinary.ok, ordinary.ok ? 'flow style and brackets in values load' : JSON.stringify(ordinary.errors));
});
