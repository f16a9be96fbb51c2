// Fleet behaviours: JSON validation and the HTTP answer bytes, table-driven.

import t from 'tap';
import { parseBehaviour, responseBytes, type FleetBehaviour } from '../../src/fleet/fleet-behaviour.js';

t.test('parseBehaviour accepts', (t) => {
  const cases: Array<{ in: unknown; want: FleetBehaviour }> = [
    { in: { kind: 'up' }, want: { kind: 'up' } },
    { in: { kind: 'down', extra: 1 }, want: { kind: 'down' } },
    { in: { kind: 'silent' }, want: { kind: 'silent' } },
    { in: { kind: 'reset' }, want: { kind: 'reset' } },
    { in: { kind: 'status', code: 503 }, want: { kind: 'status', code: 503 } },
    { in: { kind: 'slow', delayMs: 250 }, want: { kind: 'slow', delayMs: 250 } },
    { in: { kind: 'raw', response: 'x' }, want: { kind: 'raw', response: 'x' } },
    { in: { kind: 'body', body: 'b' }, want: { kind: 'body', body: 'b', framing: 'length' } },
    { in: { kind: 'body', body: 'b', framing: 'chunked', status: 201, chunkSize: 2 }, want: { kind: 'body', body: 'b', framing: 'chunked', status: 201, chunkSize: 2 } },
  ];
  for (const c of cases) t.same(parseBehaviour(c.in), c.want, JSON.stringify(c.in));
  t.end();
});

t.test('parseBehaviour refuses', (t) => {
  const cases: Array<{ in: unknown; want: RegExp }> = [
    { in: null, want: /must be an object/ },
    { in: 'up', want: /must be an object/ },
    { in: { kind: 'sideways' }, want: /kind must be one of/ },
    { in: { kind: 'status', code: 700 }, want: /code must be an integer in 100\.\.599/ },
    { in: { kind: 'status', code: '503' }, want: /code must be/ },
    { in: { kind: 'slow', delayMs: -1 }, want: /delayMs/ },
    { in: { kind: 'raw' }, want: /response must be a string/ },
    { in: { kind: 'body', body: 'x', framing: 'gzip' }, want: /framing must be/ },
  ];
  for (const c of cases) t.throws(() => parseBehaviour(c.in), c.want, JSON.stringify(c.in));
  t.end();
});

t.test('answer bytes', (t) => {
  const text = (b: FleetBehaviour): string | undefined => responseBytes(b)?.toString('latin1');
  t.match(text({ kind: 'up' }), /^HTTP\/1\.1 200 OK\r\n.*Content-Length: 2\r\n.*\r\n\r\nok$/s);
  t.equal(text({ kind: 'slow', delayMs: 5 }), text({ kind: 'up' }));
  t.match(text({ kind: 'status', code: 503 }), /^HTTP\/1\.1 503 Fleet\r\n.*Content-Length: 10\r\n\r\nstatus 503$/s);
  t.match(text({ kind: 'body', body: 'hello', framing: 'close' }), /^HTTP\/1\.1 200 Fleet\r\n(?!.*Content-Length).*\r\n\r\nhello$/s);
  t.match(text({ kind: 'body', body: 'hello', framing: 'chunked', chunkSize: 2 }), /Transfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n2\r\nll\r\n1\r\no\r\n0\r\n\r\n$/);
  t.equal(text({ kind: 'raw', response: 'junk' }), 'junk');
  for (const kind of ['down', 'silent', 'reset'] as const) t.equal(responseBytes({ kind }), undefined, kind);
  t.end();
});
