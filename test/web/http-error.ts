import t from 'tap';
import { status } from '@grpc/grpc-js';
import { HttpError, httpErrorOf, httpStatusForGrpc } from '../../src/web/http-error.js';

t.test('gRPC codes map to HTTP statuses', async (t) => {
  const cases = [
    { code: status.NOT_FOUND, want: 404 },
    { code: status.INVALID_ARGUMENT, want: 400 },
    { code: status.FAILED_PRECONDITION, want: 409 },
    { code: status.UNAVAILABLE, want: 503 },
    { code: status.INTERNAL, want: 500 },
    { code: status.DEADLINE_EXCEEDED, want: 500 },
    { code: status.RESOURCE_EXHAUSTED, want: 500 },
    { code: undefined, want: 500 },
  ];
  for (const c of cases) t.equal(httpStatusForGrpc(c.code), c.want, String(c.code));
});

t.test('errors become {status, error} with the server message only', async (t) => {
  const grpcErr = Object.assign(new Error('5 NOT_FOUND: backend "x" not found'), { code: status.NOT_FOUND, details: 'backend "x" not found' });
  t.same(httpErrorOf(grpcErr), { status: 404, error: 'backend "x" not found' });
  t.same(httpErrorOf(new HttpError(413, 'too big')), { status: 413, error: 'too big' });
  t.same(httpErrorOf(new Error('boom')), { status: 500, error: 'boom' });
  t.same(httpErrorOf('text'), { status: 500, error: 'text' });
});
