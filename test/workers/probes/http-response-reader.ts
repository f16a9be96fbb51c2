// The response reader, table-driven: each case is a response split into chunks (to cross every
// boundary), whether the body is wanted, and the steps it must produce.

import t from 'tap';
import { HttpResponseReader, maxBodyBytes, type ReadStep } from '../../../src/workers/probes/http-response-reader.js';

interface Case {
  readonly name: string;
  readonly chunks: readonly string[];
  readonly wantBody: boolean;
  /** Close the stream after the chunks. */
  readonly eof?: boolean;
  /** The first step that is not `more` (body as text). */
  readonly want: { kind: 'head'; status: number } | { kind: 'body'; body: string } | { kind: 'invalid'; detail: string } | { kind: 'more' };
}

const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

const cases: Case[] = [
  { name: 'head in one chunk', chunks: [ok], wantBody: false, want: { kind: 'head', status: 200 } },
  { name: 'head split byte by byte', chunks: [...'HTTP/1.0 503 Busy\r\nA: b\r\n\r\n'], wantBody: false, want: { kind: 'head', status: 503 } },
  { name: 'terminator split across chunks', chunks: ['HTTP/1.1 204 No\r\n\r', '\n'], wantBody: false, want: { kind: 'head', status: 204 } },
  { name: 'bare LF line endings', chunks: ['HTTP/1.1 200 OK\nServer: x\n\n'], wantBody: false, want: { kind: 'head', status: 200 } },
  { name: 'no reason phrase', chunks: ['HTTP/1.1 200\r\n\r\n'], wantBody: false, want: { kind: 'head', status: 200 } },
  { name: 'incomplete head', chunks: ['HTTP/1.1 200 OK\r\nA: b\r\n'], wantBody: false, want: { kind: 'more' } },
  { name: 'incomplete head then close', chunks: ['HTTP/1.1 200 OK\r\n'], eof: true, wantBody: false, want: { kind: 'invalid', detail: 'connection closed before headers' } },
  { name: 'nothing then close', chunks: [], eof: true, wantBody: false, want: { kind: 'invalid', detail: 'connection closed before headers' } },
  { name: 'HTTP/2 preface is not a status line', chunks: ['HTTP/2 200\r\n\r\n'], wantBody: false, want: { kind: 'invalid', detail: 'malformed status line' } },
  { name: 'two-digit status', chunks: ['HTTP/1.1 20 OK\r\n\r\n'], wantBody: false, want: { kind: 'invalid', detail: 'malformed status line' } },
  { name: 'status 099', chunks: ['HTTP/1.1 099 X\r\n\r\n'], wantBody: false, want: { kind: 'invalid', detail: 'malformed status line' } },
  { name: 'header without colon', chunks: ['HTTP/1.1 200 OK\r\nbad\r\n\r\n'], wantBody: false, want: { kind: 'invalid', detail: 'malformed header' } },
  { name: 'header with space in name', chunks: ['HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n'], wantBody: false, want: { kind: 'invalid', detail: 'malformed header' } },
  { name: 'obsolete line folding', chunks: ['HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n'], wantBody: false, want: { kind: 'invalid', detail: 'malformed header' } },
  { name: 'headers over 16 KiB without end', chunks: ['HTTP/1.1 200 OK\r\n', `X: ${'a'.repeat(17_000)}`], wantBody: false, want: { kind: 'invalid', detail: 'headers exceed 16 KiB' } },
  { name: 'headers over 16 KiB with end', chunks: [`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(17_000)}\r\n\r\n`], wantBody: false, want: { kind: 'invalid', detail: 'headers exceed 16 KiB' } },
  { name: '100 and 103 skipped', chunks: ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Hints\r\nLink: x\r\n\r\n', 'HTTP/1.1 201 Created\r\n\r\n'], wantBody: false, want: { kind: 'head', status: 201 } },
  { name: '101 is final', chunks: ['HTTP/1.1 101 Switching\r\n\r\n'], wantBody: false, want: { kind: 'head', status: 101 } },
  { name: 'head when the body is wanted', chunks: [ok], wantBody: true, want: { kind: 'head', status: 200 } },
  { name: 'conflicting content-length', chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n'], wantBody: true, want: { kind: 'invalid', detail: 'malformed content-length' } },
  { name: 'non-numeric content-length', chunks: ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'], wantBody: true, want: { kind: 'invalid', detail: 'malformed content-length' } },
  { name: 'content-length ignored without body', chunks: ['HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'], wantBody: false, want: { kind: 'head', status: 200 } },
];

for (const c of cases) {
  t.test(c.name, (t) => {
    const r = new HttpResponseReader(c.wantBody);
    let step: ReadStep = { kind: 'more' };
    for (const chunk of c.chunks) {
      step = r.feed(Buffer.from(chunk, 'latin1'));
      if (step.kind !== 'more') break;
    }
    if (step.kind === 'more' && c.eof === true) step = r.end();
    t.same(step.kind === 'body' ? { kind: 'body', body: step.body.toString() } : step, c.want);
    t.end();
  });
}

interface BodyCase {
  readonly name: string;
  readonly chunks: readonly string[];
  readonly eof?: boolean;
  readonly want: { body: string } | { detail: string } | 'more';
}

const bodyCases: BodyCase[] = [
  { name: 'content-length in the head chunk', chunks: [ok], want: { body: 'ok' } },
  { name: 'content-length split', chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe', 'l', 'lo'], want: { body: 'hello' } },
  { name: 'content-length extra bytes ignored', chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'], want: { body: 'ok' } },
  { name: 'content-length 0', chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'], want: { body: '' } },
  { name: 'content-length short then close', chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc'], eof: true, want: { detail: 'connection closed during body' } },
  { name: '204 has no body', chunks: ['HTTP/1.1 204 No Content\r\n\r\n'], want: { body: '' } },
  { name: '304 has no body', chunks: ['HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'], want: { body: '' } },
  { name: 'until close', chunks: ['HTTP/1.1 200 OK\r\n\r\nab', 'cd'], eof: true, want: { body: 'abcd' } },
  { name: 'until close, not closed yet', chunks: ['HTTP/1.1 200 OK\r\n\r\nab'], want: 'more' },
  { name: 'chunked', chunks: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n'], want: { body: 'abcde' } },
  { name: 'chunked byte by byte', chunks: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', ...'A\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n'], want: { body: '0123456789x' } },
  { name: 'chunked with LF only', chunks: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\n0\n\n'], want: { body: 'ab' } },
  { name: 'chunked wins over content-length', chunks: ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n'], want: { body: 'z' } },
  { name: 'transfer-encoding without chunked reads until close', chunks: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw'], eof: true, want: { body: 'raw' } },
  { name: 'chunked bad size', chunks: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'], want: { detail: 'malformed chunked body' } },
  { name: 'chunked missing CRLF after data', chunks: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n'], want: { detail: 'malformed chunked body' } },
  { name: 'chunked cut short', chunks: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'], eof: true, want: { detail: 'connection closed during body' } },
  { name: 'chunked endless size line', chunks: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '1'.repeat(2000)], want: { detail: 'malformed chunked body' } },
];

for (const c of bodyCases) {
  t.test(`body: ${c.name}`, (t) => {
    const r = new HttpResponseReader(true);
    let step: ReadStep = { kind: 'more' };
    let headSeen = false;
    for (const chunk of c.chunks) {
      step = r.feed(Buffer.from(chunk, 'latin1'));
      if (step.kind === 'head') {
        headSeen = true;
        step = r.feed(Buffer.alloc(0));
      }
      if (step.kind !== 'more') break;
    }
    if (step.kind === 'more' && c.eof === true) step = r.end();
    t.ok(headSeen || step.kind === 'invalid', 'head came first');
    if (c.want === 'more') t.equal(step.kind, 'more');
    else if ('body' in c.want) t.same(step.kind === 'body' ? step.body.toString('latin1') : step, c.want.body);
    else t.same(step, { kind: 'invalid', detail: c.want.detail });
    t.end();
  });
}

t.test('the body is capped at 64 KiB in every framing', (t) => {
  const big = 'b'.repeat(maxBodyBytes + 5000);
  const framings = {
    length: `HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`,
    close: `HTTP/1.1 200 OK\r\n\r\n${big}`,
    chunked: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${(big.length).toString(16)}\r\n${big}\r\n0\r\n\r\n`,
  };
  for (const [name, text] of Object.entries(framings)) {
    const r = new HttpResponseReader(true);
    t.equal(r.feed(Buffer.from(text, 'latin1')).kind, 'head', name);
    const step = r.feed(Buffer.alloc(0));
    t.equal(step.kind === 'body' ? step.body.length : -1, maxBodyBytes, `${name}: capped without waiting for the rest`);
  }
  t.end();
});

t.test('reusable: only a complete HTTP/1.1 keep-alive response with its own framing', (t) => {
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n';
  const cases: Array<{ name: string; in: readonly string[]; wantBody?: boolean; want: boolean }> = [
    { name: 'content-length', in: [ok], want: true },
    { name: 'content-length split', in: ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe', 'llo'], want: true },
    { name: 'content-length 0', in: ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'], want: true },
    { name: '204', in: ['HTTP/1.1 204 No Content\r\n\r\n'], want: true },
    { name: 'keep-alive asked explicitly', in: ['HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok'], want: true },
    { name: 'chunked', in: [`${chunked}0\r\n\r\n`], want: true },
    { name: 'chunked, the last chunk in one read', in: [chunked, '0\r\n\r\n'], want: true },
    // Conservative: the blank line after the last chunk must come with it (servers write them together).
    { name: 'chunked, the final blank line in a later read', in: [chunked, '0\r\n', '\r\n'], want: false },
    { name: 'chunked with a trailer', in: [`${chunked}0\r\nX-T: 1\r\n\r\n`], want: false },
    { name: 'bytes after the body', in: [`${ok}HTTP`], want: false },
    { name: 'Connection: close', in: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'], want: false },
    { name: 'Connection: close among other tokens', in: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Upgrade, Close\r\n\r\nok'], want: false },
    { name: 'HTTP/1.0', in: ['HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'], want: false },
    { name: 'body until close', in: ['HTTP/1.1 200 OK\r\n\r\nok'], want: false },
    { name: 'body over the cap', in: [`HTTP/1.1 200 OK\r\nContent-Length: ${maxBodyBytes + 1}\r\n\r\n${'b'.repeat(maxBodyBytes + 1)}`], want: false },
    { name: 'head only (body not wanted)', in: [ok], wantBody: false, want: false },
  ];
  for (const c of cases) {
    const r = new HttpResponseReader(c.wantBody ?? true);
    for (const chunk of c.in) {
      if (r.feed(Buffer.from(chunk, 'latin1')).kind === 'head') r.feed(Buffer.alloc(0));
    }
    t.equal(r.reusable, c.want, c.name);
  }
  t.end();
});
