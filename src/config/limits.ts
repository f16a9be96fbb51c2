// Limits checked before a config text is handed to the YAML parser (docs/security.md). Parsing
// runs on the main thread, next to the checker and the gRPC server, and its cost grows with the
// input: a 4 MB file of nested `[` took about a minute to reject. So files over 16 MiB and flow
// collections nested deeper than 64 levels (the schema needs 6) are refused up front, with an
// issue positioned where the limit is crossed. Pure.

import type { ConfigIssue } from './issue.js';

/** The largest config file (and text) that is parsed: 16 MiB, room for ~150 000 backends. */
export const maxConfigBytes = 16 * 1024 * 1024;

/** The deepest nesting of flow collections (`[...]`, `{...}`) that is parsed. */
export const maxFlowDepth = 64;

/** line:col (1-based) of the character at `offset`. */
function positionOf(text: string, offset: number): { line: number; col: number } {
  const head = text.slice(0, offset);
  return { line: (head.match(/\n/g)?.length ?? 0) + 1, col: offset - head.lastIndexOf('\n') };
}

/**
 * The issue for a file whose first maxConfigBytes bytes are `head` and that goes on: positioned
 * at the first character past the limit.
 */
export function oversizeIssue(head: string): ConfigIssue {
  return {
    path: '',
    ...positionOf(head, head.length),
    message: `the config file is larger than ${maxConfigBytes} bytes (16 MiB); it is not parsed`,
  };
}

/** The first maxConfigBytes bytes as text (a character split by the cut is dropped). */
export function headOf(bytes: Buffer): string {
  return bytes.subarray(0, maxConfigBytes).toString('utf8').replace(/\uFFFD$/, '');
}

/** The end of a quoted scalar that starts at `start` (the index after its closing quote). */
function skipQuoted(text: string, start: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (q === '"' && c === '\\') i++;
    else if (c === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  return text.length;
}

/** Whether a quote at `i` opens a quoted scalar: it starts a line or follows `: - [ { , ?`. */
function opensScalar(text: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const c = text[j];
    if (c === ' ' || c === '\t') continue;
    return c === '\n' || c === ':' || c === '-' || c === '[' || c === '{' || c === ',' || c === '?';
  }
  return true;
}

/**
 * Offset of the first `[` or `{` nested deeper than maxFlowDepth, or -1. Comments and quoted
 * scalars are skipped; brackets inside plain scalars count, which can only over-count in files
 * that carry dozens of unbalanced brackets in values.
 */
export function deepFlowOffset(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if ((c === '"' || c === "'") && opensScalar(text, i)) {
      i = skipQuoted(text, i) - 1;
    } else if (c === '[' || c === '{') {
      if (++depth > maxFlowDepth) return i;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return -1;
}

/** The issue that stops `text` before parsing, if any (size first, then nesting). */
export function configLimitIssue(text: string): ConfigIssue | undefined {
  // A string of n UTF-16 units holds at most 3n UTF-8 bytes: most texts skip the byte count.
  if (text.length * 3 > maxConfigBytes && Buffer.byteLength(text, 'utf8') > maxConfigBytes) {
    return oversizeIssue(headOf(Buffer.from(text, 'utf8')));
  }
  const deep = deepFlowOffset(text);
  if (deep < 0) return undefined;
  return { path: '', ...positionOf(text, deep), message: `flow collections nested deeper than ${maxFlowDepth} levels; the file is not parsed` };
}
