// The lean HTTP/1.x response reader behind the http/https prober: status line and headers (at
// most 16 KiB, 1xx interim responses skipped), then, only when asked, the body (Content-Length,
// chunked, or until close) capped at 64 KiB, and whether the connection may carry another request
// after it (`reusable`, for reuse-connection checks). Pure and incremental: the
// prober feeds socket chunks and acts on the first step that is not `more`. Chunks may live in
// a shared read buffer: anything kept past feed() is copied.

export const maxHeaderBytes = 16 * 1024;
export const maxBodyBytes = 64 * 1024;

export type ReadStep =
  | { readonly kind: 'more' }
  | { readonly kind: 'head'; readonly status: number }
  | { readonly kind: 'body'; readonly body: Buffer }
  | { readonly kind: 'invalid'; readonly detail: string };

const more: ReadStep = { kind: 'more' };
const empty = Buffer.alloc(0);
const statusLineRe = /^HTTP\/1\.[01] ([1-9][0-9][0-9])(?:[ \t][^\r\n]*)?$/;
const tokenRe = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

type Framing =
  | { readonly type: 'length'; remaining: number }
  | { readonly type: 'close' }
  | { readonly type: 'chunked'; state: 'size' | 'data' | 'crlf'; remaining: number };

function invalid(detail: string): ReadStep {
  return { kind: 'invalid', detail };
}

/** Index just past the blank line that ends a header block, or -1. */
function headEnd(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(10, from); i >= 0; i = buf.indexOf(10, i + 1)) {
    if (buf[i + 1] === 10) return i + 2;
    if (buf[i + 1] === 13 && buf[i + 2] === 10) return i + 3;
  }
  return -1;
}

export class HttpResponseReader {
  readonly #wantBody: boolean;
  #phase: 'head' | 'body' | 'done' = 'head';
  #pending: Buffer = empty;
  #framing: Framing = { type: 'close' };
  readonly #parts: Buffer[] = [];
  #bodyBytes = 0;
  /** HTTP/1.1 without `Connection: close` (read only when the body is wanted). */
  #keepAlive = false;
  /** The body ended at its framing's end, with no byte after it. */
  #clean = false;

  /** With `wantBody` false the reader stops at the headers and ignores framing headers. */
  constructor(wantBody: boolean) {
    this.#wantBody = wantBody;
  }

  /** Feeds the next chunk (an empty chunk processes bytes left over after `head`). */
  feed(chunk: Buffer): ReadStep {
    const buf = this.#pending.length === 0 ? chunk : chunk.length === 0 ? this.#pending : Buffer.concat([this.#pending, chunk]);
    this.#pending = empty;
    if (this.#phase === 'head') return this.#readHead(buf, Math.max(0, buf.length - chunk.length - 3));
    if (this.#phase === 'body') return this.#readBody(buf);
    return more;
  }

  /**
   * After the body step: the connection may carry the next request. Only an HTTP/1.1 response
   * without `Connection: close` whose body (Content-Length or chunked, no trailers, within the
   * cap) ended exactly where the bytes read so far end; anything else would leave the next
   * response misframed.
   */
  get reusable(): boolean {
    return this.#phase === 'done' && this.#keepAlive && this.#clean;
  }

  /** The peer closed the connection. */
  end(): ReadStep {
    if (this.#phase === 'head') return invalid('connection closed before headers');
    if (this.#phase === 'body' && this.#framing.type === 'close') return this.#finish();
    if (this.#phase === 'body') return invalid('connection closed during body');
    return more;
  }

  #readHead(buf: Buffer, searchFrom: number): ReadStep {
    for (;;) {
      const end = headEnd(buf, searchFrom);
      if (end < 0) {
        this.#pending = Buffer.from(buf);
        return buf.length > maxHeaderBytes ? invalid('headers exceed 16 KiB') : more;
      }
      if (end > maxHeaderBytes) return invalid('headers exceed 16 KiB');
      const lines = buf.toString('latin1', 0, end).split(/\r?\n/);
      const status = statusLineRe.exec(lines[0] ?? '');
      if (status?.[1] === undefined) return invalid('malformed status line');
      const code = Number(status[1]);
      let contentLength: string | undefined;
      let transferEncoding: string | undefined;
      let close = false;
      for (let i = 1; i < lines.length - 2; i++) {
        const line = lines[i] ?? '';
        const colon = line.indexOf(':');
        if (colon <= 0 || !tokenRe.test(line.slice(0, colon))) return invalid('malformed header');
        if (!this.#wantBody) continue;
        const name = line.slice(0, colon).toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'content-length') {
          if (!/^[0-9]{1,15}$/.test(value) || (contentLength !== undefined && contentLength !== value)) return invalid('malformed content-length');
          contentLength = value;
        } else if (name === 'transfer-encoding') {
          transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        } else if (name === 'connection') {
          close ||= value.toLowerCase().split(',').some((token) => token.trim() === 'close');
        }
      }
      if (code >= 100 && code < 200 && code !== 101) {
        buf = buf.subarray(end);
        searchFrom = 0;
        continue;
      }
      this.#pending = this.#wantBody ? Buffer.from(buf.subarray(end)) : empty;
      this.#phase = 'body';
      this.#keepAlive = this.#wantBody && !close && (lines[0] ?? '').startsWith('HTTP/1.1 ');
      if (code === 204 || code === 304 || (code >= 100 && code < 200)) this.#framing = { type: 'length', remaining: 0 };
      else if (transferEncoding !== undefined) {
        const last = transferEncoding.split(',').pop()?.trim().toLowerCase();
        this.#framing = last === 'chunked' ? { type: 'chunked', state: 'size', remaining: 0 } : { type: 'close' };
      } else if (contentLength !== undefined) this.#framing = { type: 'length', remaining: Number(contentLength) };
      return { kind: 'head', status: code };
    }
  }

  #readBody(buf: Buffer): ReadStep {
    const f = this.#framing;
    if (f.type === 'close') {
      this.#take(buf, buf.length);
      return this.#bodyBytes >= maxBodyBytes ? this.#finish() : more;
    }
    if (f.type === 'length') {
      const n = this.#take(buf, f.remaining);
      f.remaining -= n;
      this.#clean = f.remaining === 0 && n === buf.length && this.#bodyBytes < maxBodyBytes;
      return f.remaining === 0 || this.#bodyBytes >= maxBodyBytes ? this.#finish() : more;
    }
    let pos = 0;
    while (pos < buf.length) {
      if (f.state === 'size' || f.state === 'crlf') {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) {
          this.#pending = Buffer.from(buf.subarray(pos));
          return this.#pending.length > 1024 ? invalid('malformed chunked body') : more;
        }
        const line = buf.toString('latin1', pos, nl).replace(/\r$/, '');
        pos = nl + 1;
        if (f.state === 'crlf') {
          if (line !== '') return invalid('malformed chunked body');
          f.state = 'size';
          continue;
        }
        const size = /^([0-9A-Fa-f]{1,8})[ \t]*(?:;.*)?$/.exec(line);
        if (size?.[1] === undefined) return invalid('malformed chunked body');
        f.remaining = parseInt(size[1], 16);
        if (f.remaining === 0) {
          // Reusable only when the blank line that ends the message (no trailers) came with it.
          this.#clean = /^\r?\n$/.test(buf.toString('latin1', pos)) && this.#bodyBytes < maxBodyBytes;
          return this.#finish();
        }
        f.state = 'data';
      } else {
        const n = this.#take(buf.subarray(pos), f.remaining);
        pos += n;
        f.remaining -= n;
        if (this.#bodyBytes >= maxBodyBytes) return this.#finish();
        if (f.remaining === 0) f.state = 'crlf';
        else break;
      }
    }
    return more;
  }

  /** Keeps up to `limit` bytes of buf (and never more than the body cap); returns bytes consumed. */
  #take(buf: Buffer, limit: number): number {
    const n = Math.min(buf.length, limit);
    const keep = Math.min(n, maxBodyBytes - this.#bodyBytes);
    if (keep > 0) {
      this.#parts.push(Buffer.from(buf.subarray(0, keep)));
      this.#bodyBytes += keep;
    }
    return n;
  }

  #finish(): ReadStep {
    this.#phase = 'done';
    return { kind: 'body', body: this.#parts.length === 1 ? (this.#parts[0] ?? empty) : Buffer.concat(this.#parts, this.#bodyBytes) };
  }
}
