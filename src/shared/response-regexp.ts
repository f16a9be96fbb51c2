// `response-regexp` (behaviour.md §3.6) with RE2 syntax and a linear-time matcher, as upstream
// (Go's regexp). JavaScript's RegExp backtracks: `(a+)+$` against 30 `a`s and a `b` kept a probe
// worker busy for seconds, so one hostile or unlucky backend stalled every probe of its shard.
// re2js is a pure-JS port of Go's regexp (same syntax, same error texts, DFA/NFA only): from µs to
// about 10 ms for a 64 KiB body depending on the pattern, and ~0.15 s for a thread's first match
// while its code warms up (bench/response-regexp.ts). Shared by the config check, which refuses
// what RE2 refuses, and the http prober.

import { RE2JS, RE2JSSyntaxException } from 're2js';

/** A compiled response-regexp: `test` searches the (already cut) body anywhere, like Go's MatchString. */
export interface ResponseRegexp {
  test(body: string): boolean;
}

/**
 * Why a pattern is not RE2: Go's description, the offending fragment and where it starts
 * (0-based, in UTF-16 units). When the engine names no fragment that occurs in the pattern,
 * the fragment is the whole pattern at offset 0.
 */
export interface RegexpSyntaxError {
  readonly description: string;
  readonly fragment: string;
  readonly offset: number;
}

/** Compiles; throws when the pattern is not RE2 syntax (check it with regexpSyntaxError first). */
export function compileResponseRegexp(source: string): ResponseRegexp {
  return RE2JS.compile(source);
}

/** undefined when `source` compiles under RE2, else what is wrong and where. */
export function regexpSyntaxError(source: string): RegexpSyntaxError | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (e) {
    const syntax = e instanceof RE2JSSyntaxException;
    const named = syntax ? (e.getPattern() ?? '') : '';
    const at = named === '' ? -1 : source.indexOf(named);
    const description = syntax ? e.getDescription() : e instanceof Error ? e.message : String(e);
    return at < 0 ? { description, fragment: source, offset: 0 } : { description, fragment: named, offset: at };
  }
}
