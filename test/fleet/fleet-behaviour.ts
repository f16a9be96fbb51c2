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
    { in: { kind: 'half-open' }, want: { kind: 'half-open' } },
    { in: { kind: 'tls-stall', intervalMs: 5 }, want: { kind: 'tls-stall' } },
    { in: { kind: 'trickle', intervalMs: 20 }, want: { kind: 'trickle', intervalMs: 20 } },
    { in: { kind: 'certificate', certificate: 'expired' }, want: { kind: 'certificate', certificate: 'expired' } },
    { in: { kind: 'certificate', certificate: 'wrong-name' }, want: { kind: 'certificate', certificate: 'wrong-name' } },
    { in: { kind: 'huge', bytes: 100_000_000 }, want: { kind: 'huge', bytes: 100_000_000 } },
    { in: { kind: 'gzip-bomb', bytes: 2 ** 30 }, want: { kind: 'gzip-bomb', bytes: 2 ** 30 } },
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
    { in: { kind: 'trickle' }, want: /intervalMs must be an integer in 1\.\.60000/ },
    { in: { kind: 'trickle', intervalMs: 0 }, want: /intervalMs/ },
    { in: { kind: 'certificate' }, want: /certificate must be one of expired, wrong-name/ },
    { in: { kind: 'certificate', certificate: 'self-signed' }, want: /certificate must be one of/ },
    { in: { kind: 'huge', bytes: 0 }, want: /bytes must be an integer in 1\.\.1099511627776/ },
    { in: { kind: 'huge', bytes: 2 ** 41 }, want: /bytes must be/ },
    { in: { kind: 'gzip-bomb', bytes: 1.5 }, want: /bytes must be/ },
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
  // Faults that break TLS or pace the answer still answer like `up` once they let it through.
  t.equal(text({ kind: 'trickle', intervalMs: 5 }), text({ kind: 'up' }));
  t.equal(text({ kind: 'tls-stall' }), text({ kind: 'up' }));
  t.equal(text({ kind: 'certificate', certificate: 'expired' }), text({ kind: 'up' }));
  for (const kind of ['down', 'silent', 'reset', 'half-open'] as const) t.equal(responseBytes({ kind }), undefined, kind);
  t.equal(responseBytes({ kind: 'huge', bytes: 10 }), undefined, 'huge is streamed');
  t.equal(responseBytes({ kind: 'gzip-bomb', bytes: 10 }), undefined, 'gzip-bomb is streamed');
  t.end();
});
