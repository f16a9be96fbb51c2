// Differential fuzzing of the two HTTP response readers: the C one the native prober runs
// (native/http-reader.c, through the addon's readHttpResponse) and the TypeScript one the JS
// prober runs (src/workers/probes/http-response-reader.ts). Thousands of seeded inputs: made
// from a grammar of status lines, headers, framings and bodies near every limit, then mutated
// (bytes flipped, inserted, deleted, truncated), split into random chunks and, for some, at
// every offset. Both readers must reach the same verdict: kind, head status, detail, body bytes.
// The seed is in each test name; rerun one with FUZZ_SEED=<seed>.

import t, { type Test } from 'tap';
import { loadNative } from '../../../src/shared/native.js';
import { formatProbeDetail, type DetailKind } from '../../../src/shared/probe-detail.js';
import { HttpResponseReader, type ReadStep } from '../../../src/workers/probes/http-response-reader.js';
import { seededRandom, type Rng } from '../../support/seeded-random.js';

const native = loadNative();

interface Verdict {
  readonly kind: 'more' | 'head' | 'body' | 'invalid';
  readonly status: number;
  readonly detail?: string;
  readonly body?: string;
}

/** The JS reader driven the way the prober drives it (after the head, the body when wanted). */
function jsVerdict(chunks: readonly Buffer[], wantBody: boolean, eof: boolean): Verdict {
  const r = new HttpResponseReader(wantBody);
  let step: ReadStep = { kind: 'more' };
  let status = 0;
  for (const chunk of chunks) {
    step = r.feed(chunk);
    if (step.kind === 'head') {
      status = step.status;
      if (wantBody) step = r.feed(Buffer.alloc(0));
    }
    if (step.kind !== 'more') break;
  }
  if (step.kind === 'more' && eof) step = r.end();
  if (step.kind === 'invalid') return { kind: 'invalid', status, detail: step.detail };
  if (step.kind === 'body') return { kind: 'body', status, body: step.body.toString('latin1') };
  return { kind: step.kind, status };
}

const kinds = ['more', 'head', 'body', 'invalid'] as const;

function cVerdict(chunks: readonly Buffer[], wantBody: boolean, eof: boolean): Verdict {
  const [kind, error, status, body] = native.readHttpResponse(chunks, wantBody, eof);
  const k = kinds[kind] ?? 'more';
  if (k === 'invalid') return { kind: k, status, detail: formatProbeDetail(error as DetailKind, 0, undefined) };
  if (k === 'body') return { kind: k, status, body: (body ?? Buffer.alloc(0)).toString('latin1') };
  return { kind: k, status };
}

// ---- the grammar -------------------------------------------------------------------------

const eols = ['\r\n', '\n', '\r\n', '\r\n', '\r\r\n', '\r'];
const spaces = ['', ' ', '  ', '\t', ' \t', '\xa0', '\x0b', '\x0c', '\r'];

function eol(rng: Rng): string {
  return rng.chance(0.9) ? '\r\n' : rng.pick(eols);
}

function statusLine(rng: Rng): string {
  const version = rng.chance(0.9) ? rng.pick(['HTTP/1.1', 'HTTP/1.0']) : rng.pick(['HTTP/1.2', 'HTTP/2', 'http/1.1', 'HTTP/1.', 'HTTP/1.1 ', 'SSH-2.0', '']);
  const code = rng.chance(0.85)
    ? String(rng.pick([200, 204, 301, 304, 404, 500, 503, 101, 100, 103, 199, 999, 100 + rng.int(900)]))
    : rng.pick(['20', '2000', '099', '2O0', '', ' 200', '-10']);
  const reason = rng.chance(0.9) ? rng.pick(['', ' OK', '\tOK', ' Not Found', ' ', ' \xff\xfe']) : rng.pick([' \r', ' a\rb', 'x']);
  return `${version} ${code}${reason}`;
}

function headerName(rng: Rng): string {
  if (rng.chance(0.3)) return rng.pick(['Content-Length', 'content-length', 'CONTENT-LENGTH', 'Transfer-Encoding', 'transfer-encoding']);
  if (rng.chance(0.1)) return rng.pick(['', 'Bad Name', 'a\rb', 'x\xe9', '"q"', ' X', 'X ', 'Conte nt-Length']);
  return rng.pick(['Server', 'X-A', 'Link', 'Set-Cookie', 'x!#$%&\'*+.^_`|~-9']);
}

function headerValue(rng: Rng, name: string, bodyLength: number): string {
  const lower = name.toLowerCase();
  const pad = (v: string): string => `${rng.pick(spaces)}${v}${rng.pick(spaces)}`;
  if (lower === 'content-length') {
    return pad(rng.chance(0.8) ? String(bodyLength + rng.pick([0, 0, 0, 1, -1, 5])) : rng.pick(['', '-1', 'x', '1'.repeat(16), '0'.repeat(15), '1 2', '+3', '0x10']));
  }
  if (lower === 'transfer-encoding') return pad(rng.pick(['chunked', 'CHUNKED', 'gzip, chunked', 'chunked, gzip', 'gzip', '', ',', 'chunked,', ' chunked ', 'chunked\xa0', 'xchunked']));
  return pad(rng.pick(['x', '', 'a:b', 'v'.repeat(rng.int(50)), '\xa0', 'tab\there']));
}

function chunkedBody(rng: Rng, body: string): string {
  let out = '';
  let pos = 0;
  while (pos < body.length) {
    const n = Math.min(body.length - pos, 1 + rng.int(rng.chance(0.2) ? 70_000 : 40));
    const size = rng.chance(0.5) ? n.toString(16) : n.toString(16).toUpperCase();
    const ext = rng.chance(0.1) ? rng.pick([';a=b', ' ;x', '\t', ';', `;${'e'.repeat(rng.pick([10, 1100, 2000]))}`, ';\r']) : '';
    out += `${rng.chance(0.05) ? rng.pick(['zz', '', '123456789', '-1']) : size}${ext}${eol(rng)}${body.slice(pos, pos + n)}${rng.chance(0.05) ? 'X' : eol(rng)}`;
    pos += n;
  }
  return `${out}0${eol(rng)}${rng.chance(0.3) ? `Trailer: x${eol(rng)}` : ''}${eol(rng)}`;
}

function bodyText(rng: Rng): string {
  const n = rng.pick([0, 1, 2, 10, 100, 1000, 65_535, 65_536, 65_537, 70_000, rng.int(300)]);
  let s = '';
  while (s.length < n) s += rng.pick(['ok', 'health', '\r\n', '\n', 'MARK', '\x00\xff', 'x'.repeat(100)]);
  return s.slice(0, n);
}

function head(rng: Rng, bodyLength: number): string {
  let h = statusLine(rng) + eol(rng);
  const count = rng.chance(0.1) ? rng.int(400) : rng.int(6);
  for (let i = 0; i < count; i++) {
    const name = headerName(rng);
    h += rng.chance(0.03) ? `no colon${eol(rng)}` : `${name}:${headerValue(rng, name, bodyLength)}${eol(rng)}`;
  }
  if (rng.chance(0.05)) h += `X-Fill: ${'f'.repeat(16_300 - Math.min(h.length, 16_300) + rng.between(-8, 8))}${eol(rng)}`;
  return h + rng.pick(['\r\n', '\r\n', '\n', '\r\r\n']);
}

/** One generated response: maybe interim 1xx heads, a final head, a body in some framing. */
function response(rng: Rng): Buffer {
  let text = '';
  for (let i = rng.chance(0.1) ? rng.between(1, 3) : 0; i > 0; i--) text += `HTTP/1.1 ${rng.pick([100, 102, 103])} Interim${eol(rng)}${rng.chance(0.5) ? `Link: </a>${eol(rng)}` : ''}${eol(rng)}`;
  const body = bodyText(rng);
  const framing = rng.pick(['length', 'chunked', 'close', 'none']);
  let h = head(rng, body.length);
  if (framing === 'length' && !/content-length/i.test(h)) h = h.replace(/(\r?\n)(\r?\n)$/, `$1Content-Length: ${body.length}$1$2`);
  if (framing === 'chunked' && !/transfer-encoding/i.test(h)) h = h.replace(/(\r?\n)(\r?\n)$/, '$1Transfer-Encoding: chunked$1$2');
  text += h + (framing === 'chunked' ? chunkedBody(rng, body) : body);
  return Buffer.from(text, 'latin1');
}

function mutate(rng: Rng, b: Buffer): Buffer {
  let out = Buffer.from(b);
  for (let m = rng.int(4); m > 0; m--) {
    const at = rng.int(out.length + 1);
    switch (rng.int(5)) {
      case 0:
        if (out.length > 0) out[Math.min(at, out.length - 1)] = rng.pick([0, 9, 10, 13, 32, 48, 58, 59, 0x7f, 0xa0, 0xff, rng.int(256)]);
        break;
      case 1:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(rng.pick(['\r', '\n', '\r\n', '\n\n', ':', ';', ' ', '\xa0', '0']), 'latin1'), out.subarray(at)]);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.between(1, 8)))]);
        break;
      case 3:
        out = out.subarray(0, at);
        break;
      default:
        out = Buffer.concat([out.subarray(0, at), rng.bytes(rng.int(8)), out.subarray(at)]);
    }
  }
  return out;
}

/** Random chunks: mostly a few large ones, sometimes many tiny ones, empty ones included. */
function split(rng: Rng, b: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  const tiny = rng.chance(0.2);
  for (let pos = 0; pos < b.length; ) {
    const n = rng.chance(0.05) ? 0 : tiny ? rng.between(1, 4) : rng.between(1, rng.pick([16, 512, 20_000, 100_000]));
    chunks.push(b.subarray(pos, pos + n));
    pos += n;
  }
  return chunks;
}

function compare(t: Test, label: string, chunks: readonly Buffer[], wantBody: boolean, eof: boolean): boolean {
  const js = jsVerdict(chunks, wantBody, eof);
  const c = cVerdict(chunks, wantBody, eof);
  if (js.kind === c.kind && js.status === c.status && js.detail === c.detail && js.body === c.body) return true;
  const input = Buffer.concat(chunks);
  t.fail(`${label}: the readers disagree`, {
    js: { ...js, body: js.body?.slice(0, 80) },
    c: { ...c, body: c.body?.slice(0, 80) },
    wantBody,
    eof,
    chunks: chunks.map((x) => x.length).slice(0, 40),
    input: input.toString('latin1').slice(0, 400),
  });
  return false;
}

const seeds = process.env['FUZZ_SEED'] === undefined ? [1, 2, 3, 4] : [Number(process.env['FUZZ_SEED'])];
const perSeed = 1200;

for (const seed of seeds) {
  t.test(`generated and mutated responses, random chunks (seed ${seed})`, (t) => {
    const rng = seededRandom(seed);
    let agreed = 0;
    const verdicts = new Map<string, number>();
    for (let i = 0; i < perSeed; i++) {
      const base = response(rng);
      const input = rng.chance(0.4) ? mutate(rng, base) : base;
      const wantBody = rng.chance(0.6);
      const eof = rng.chance(0.7);
      const chunks = split(rng, input);
      if (!compare(t, `seed ${seed} #${i}`, chunks, wantBody, eof)) break;
      agreed++;
      const v = jsVerdict(chunks, wantBody, eof);
      const key = v.kind === 'invalid' ? `invalid:${v.detail ?? ''}` : v.kind;
      verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
    }
    t.equal(agreed, perSeed, `${agreed} inputs, same verdicts`);
    t.comment([...verdicts].map(([k, n]) => `${k} ${n}`).join(', '));
    // The generator must reach every verdict, or the comparison proves little.
    for (const want of ['head', 'body', 'more', 'invalid:malformed status line', 'invalid:malformed header', 'invalid:headers exceed 16 KiB']) {
      t.ok(verdicts.has(want), `reached ${want}`);
    }
    t.end();
  });
}

t.test('every split point of responses near the limits', (t) => {
  const rng = seededRandom(77);
  const inputs = [
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 204 No\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\n\r\n',
    'HTTP/1.1 200 OK\nServer: x\n\nuntil close',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 01\r\n\r\nx',
    'HTTP/1.1 2OO OK\r\n\r\n',
    `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(16_384 - 23)}\r\n\r\n`,
    `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(16_384 - 22)}\r\n\r\n`,
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(1030)}\r\nz\r\n0\r\n\r\n`,
    ...Array.from({ length: 6 }, () => response(rng).subarray(0, 2000).toString('latin1')),
  ];
  let checked = 0;
  for (const [n, text] of inputs.entries()) {
    const b = Buffer.from(text, 'latin1');
    const step = b.length > 4000 ? 97 : 1;
    for (let at = 0; at <= b.length; at += step) {
      for (const wantBody of [false, true]) {
        for (const eof of [false, true]) {
          if (!compare(t, `input ${n} split at ${at}`, [b.subarray(0, at), b.subarray(at)], wantBody, eof)) {
            t.end();
            return;
          }
          checked++;
        }
      }
    }
  }
  t.ok(checked > 4000, `${checked} splits, same verdicts`);
  t.end();
});

t.test('byte by byte', (t) => {
  const rng = seededRandom(5);
  for (let i = 0; i < 200; i++) {
    const b = mutate(rng, response(rng)).subarray(0, 3000);
    const chunks = Array.from(b, (x) => Buffer.of(x));
    if (!compare(t, `#${i}`, chunks, rng.chance(0.5), true)) break;
  }
  t.end();
});
