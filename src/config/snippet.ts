// How text from the config file may appear in an error message. Error texts reach any gRPC
// client (CheckConfig, ReloadConfig) and the logs, and the file may be anything the path points
// at, so a value is quoted short (at most maxSnippetChars characters, with the full length
// stated when cut) and every character that is not printable is escaped. Pure.

/** The most characters of a file value that a message quotes. */
export const maxSnippetChars = 40;

/** The longest message taken over from the YAML parser (its messages can quote tags and anchors). */
export const maxParserMessageChars = 160;

/** Letters, marks, digits, punctuation, symbols and the plain space print safely; nothing else. */
const unprintable = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;

function escapeChar(c: string): string {
  const cp = c.codePointAt(0)!;
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** `text` with its unprintable characters escaped and backslashes doubled. */
export function escapeUnprintable(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(unprintable, escapeChar);
}

/** The first `max` code points of `text`, and how many it has in all. */
function cut(text: string, max: number): { head: string; length: number; whole: boolean } {
  let length = 0;
  let end = 0;
  for (const ch of text) {
    if (length < max) end += ch.length;
    length++;
  }
  return { head: text.slice(0, end), length, whole: length <= max };
}

/** A file value in double quotes, escaped and cut: `"abc"`, or `"abc…" (3000000 characters)`. */
export function quoteSnippet(text: string): string {
  const c = cut(text, maxSnippetChars);
  const body = escapeUnprintable(c.head).replace(/"/g, '\\"');
  return c.whole ? `"${body}"` : `"${body}…" (${c.length} characters)`;
}

/** A file value without quotes (numbers, booleans), escaped and cut like quoteSnippet. */
export function plainSnippet(text: string, max = maxSnippetChars): string {
  const c = cut(text, max);
  return c.whole ? escapeUnprintable(text) : `${escapeUnprintable(c.head)}… (${c.length} characters)`;
}

/** A message from the YAML parser, escaped and cut to maxParserMessageChars characters. */
export function boundedParserMessage(message: string): string {
  const c = cut(message, maxParserMessageChars);
  return c.whole ? escapeUnprintable(message) : `${escapeUnprintable(c.head)}…`;
}

/** The longest mapping key a key path shows whole: the longest valid name. */
export const maxPathKeyChars = 64;

/** A mapping key as it appears in a key path: escaped, and cut when longer than any valid name. */
export function pathKey(key: string): string {
  return plainSnippet(key, maxPathKeyChars);
}
