// How file text may appear in config errors (src/config/snippet.ts): quoted short, escaped,
// and cut with the full length stated, so CheckConfig never returns a file's contents.

import t from 'tap';
import {
  boundedParserMessage,
  escapeUnprintable,
  maxParserMessageChars,
  maxPathKeyChars,
  maxSnippetChars,
  pathKey,
  plainSnippet,
  quoteSnippet,
} from '../../src/config/snippet.js';

void t.test('escapeUnprintable', async (t) => {
  const cases = [
    { name: 'plain ASCII stays', in: 'web-1.a_b: {x}', want: 'web-1.a_b: {x}' },
    { name: 'letters of any script stay', in: 'héllo Ωmega 東京', want: 'héllo Ωmega 東京' },
    { name: 'newline, tab and CR', in: 'a\nb\tc\rd', want: 'a\\nb\\tc\\rd' },
    { name: 'NUL and ESC', in: 'a\u0000b\u001b[31m', want: 'a\\u0000b\\u001b[31m' },
    { name: 'DEL and a C1 control', in: '\u007f\u0085', want: '\\u007f\\u0085' },
    { name: 'bidi override and zero-width space', in: '\u202eab\u200b', want: '\\u202eab\\u200b' },
    { name: 'a lone surrogate', in: 'a\ud800b', want: 'a\\ud800b' },
    { name: 'an emoji is a symbol', in: '🙂', want: '🙂' },
    { name: 'a private-use astral character', in: '\u{f0000}', want: '\\u{f0000}' },
    { name: 'a backslash is doubled', in: 'a\\u0000', want: 'a\\\\u0000' },
  ];
  for (const c of cases) t.equal(escapeUnprintable(c.in), c.want, c.name);
});

void t.test('quoteSnippet and plainSnippet', async (t) => {
  t.equal(maxSnippetChars, 40);
  const long = 'x'.repeat(3_000_000);
  const cases = [
    { name: 'short', in: 'abc', quoted: '"abc"', plain: 'abc' },
    { name: 'empty', in: '', quoted: '""', plain: '' },
    { name: 'a double quote is escaped', in: 'a"b', quoted: '"a\\"b"', plain: 'a"b' },
    { name: 'exactly the limit', in: 'y'.repeat(40), quoted: `"${'y'.repeat(40)}"`, plain: 'y'.repeat(40) },
    { name: 'a 3 MB value is cut', in: long, quoted: `"${'x'.repeat(40)}…" (3000000 characters)`, plain: `${'x'.repeat(40)}… (3000000 characters)` },
    { name: 'characters, not UTF-16 units, are counted', in: '🙂'.repeat(41), quoted: `"${'🙂'.repeat(40)}…" (41 characters)`, plain: `${'🙂'.repeat(40)}… (41 characters)` },
    { name: 'escaped after the cut', in: `${'\u0000'.repeat(50)}`, quoted: `"${'\\u0000'.repeat(40)}…" (50 characters)`, plain: `${'\\u0000'.repeat(40)}… (50 characters)` },
  ];
  for (const c of cases) {
    t.equal(quoteSnippet(c.in), c.quoted, `quoted: ${c.name}`);
    t.equal(plainSnippet(c.in), c.plain, `plain: ${c.name}`);
  }
});

void t.test('pathKey keeps valid names whole and cuts longer keys', async (t) => {
  t.equal(maxPathKeyChars, 64);
  const cases = [
    { name: 'a name', in: 'web-1', want: 'web-1' },
    { name: 'a name with a space', in: 'bad name', want: 'bad name' },
    { name: '64 characters', in: 'k'.repeat(64), want: 'k'.repeat(64) },
    { name: '65 characters', in: 'k'.repeat(65), want: `${'k'.repeat(64)}… (65 characters)` },
    { name: 'a shadow line', in: 'root:$6$salt$hash\u0000', want: 'root:$6$salt$hash\\u0000' },
  ];
  for (const c of cases) t.equal(pathKey(c.in), c.want, c.name);
});

void t.test('boundedParserMessage', async (t) => {
  t.equal(maxParserMessageChars, 160);
  const cases = [
    { name: 'short', in: 'Unresolved tag: !foo', want: 'Unresolved tag: !foo' },
    { name: 'escaped', in: 'Unresolved tag: !a\u0007', want: 'Unresolved tag: !a\\u0007' },
    { name: 'cut', in: `Unresolved tag: !${'t'.repeat(1000)}`, want: `Unresolved tag: !${'t'.repeat(160 - 17)}…` },
  ];
  for (const c of cases) t.equal(boundedParserMessage(c.in), c.want, c.name);
});
