// Server-sent events on the wire (WHATWG HTML §9.2): one event is `id:`, `event:` and one `data:`
// line per payload line, ended by a blank line. Pure text building, so the framing rules (no raw
// newline inside a field, comments for keep-alive) are tested apart from the streaming code.

/** The reconnect delay the browser is told to use, in ms (our choice). */
export const sseRetryMs = 2000;

export interface SseMessage {
  readonly id?: string;
  readonly event?: string;
  /** The payload; split on newlines into several data lines. */
  readonly data: string;
}

/** Field values must not carry CR or LF: they would end the field early. */
function field(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`SSE ${name} must not contain a newline`);
  return `${name}: ${value}\n`;
}

/** One complete event, including the terminating blank line. */
export function formatSseEvent(msg: SseMessage): string {
  let out = '';
  if (msg.id !== undefined) out += field('id', msg.id);
  if (msg.event !== undefined) out += field('event', msg.event);
  for (const line of msg.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line; browsers ignore it, proxies see traffic (the 15 s `: ping`). */
export function formatSseComment(text: string): string {
  if (/[\r\n]/.test(text)) throw new Error('SSE comment must not contain a newline');
  return `: ${text}\n\n`;
}

/** The stream's first bytes: the reconnect hint. */
export function formatSseRetry(ms: number = sseRetryMs): string {
  return `retry: ${Math.trunc(ms)}\n\n`;
}
