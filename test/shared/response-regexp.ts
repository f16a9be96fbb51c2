// response-regexp under RE2: what compiles, what matches, and how a refusal is located.

import t from 'tap';
import { compileResponseRegexp, regexpSyntaxError } from '../../src/shared/response-regexp.js';

t.test('matching (searches anywhere, like Go MatchString)', (t) => {
  const cases = [
    { name: 'substring', in: ['ok', 'status: ok\n'], want: true },
    { name: 'anchored', in: ['^status: healthy$', 'status: sick'], want: false },
    { name: 'inline case-insensitive flag', in: ['(?i)HEALTHY', 'healthy'], want: true },
    { name: '\\z end of text', in: ['ok\\z', 'ok\n'], want: false },
    { name: 'catastrophic for a backtracker, linear here', in: ['(a+)+$', `${'a'.repeat(30)}b`], want: false },
    { name: 'same, matching', in: ['(a+)+$', 'a'.repeat(30)], want: true },
    { name: 'Unicode class', in: ['\\p{Greek}', 'αβγ'], want: true },
  ] as const;
  for (const c of cases) t.equal(compileResponseRegexp(c.in[0]).test(c.in[1]), c.want, c.name);
  t.end();
});

t.test('RE2 refuses what it refuses, and says where', (t) => {
  const cases = [
    { name: 'valid', in: 'health(y|ier)', want: undefined },
    { name: 'backreference', in: '(a)\\1', want: { description: 'invalid escape sequence', fragment: '\\1', offset: 3 } },
    { name: 'lookahead', in: 'ok(?=x)', want: { description: 'invalid or unsupported Perl syntax', fragment: '(?=', offset: 2 } },
    { name: 'negative lookahead', in: 'a(?!b)', want: { description: 'invalid or unsupported Perl syntax', fragment: '(?!', offset: 1 } },
    { name: 'repeat count over 1000', in: 'x{1001}', want: { description: 'invalid repeat count', fragment: '{1001}', offset: 1 } },
    { name: 'unbalanced', in: 'a(b', want: { description: 'missing closing )', fragment: 'a(b', offset: 0 } },
  ] as const;
  for (const c of cases) t.same(regexpSyntaxError(c.in), c.want, c.name);
  t.throws(() => compileResponseRegexp('(?=x)'), 'compile throws on what the check refuses');
  t.end();
});
