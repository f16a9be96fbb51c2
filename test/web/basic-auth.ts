import t from 'tap';
import { adminCredentialsFromEnv, basicAuthChallenge, checkAdminAuth, constantTimeEqual, parseBasicAuth } from '../../src/web/basic-auth.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const creds = { user: 'ops', password: 's3cret:with:colons' };

t.test('credentials come from the environment; unset or empty disables admin', async (t) => {
  t.same(adminCredentialsFromEnv({ MAGLEV_FRONTEND_USER: 'a', MAGLEV_FRONTEND_PASSWORD: 'b' }), { user: 'a', password: 'b' });
  t.equal(adminCredentialsFromEnv({ MAGLEV_FRONTEND_USER: 'a' }), undefined);
  t.equal(adminCredentialsFromEnv({ MAGLEV_FRONTEND_PASSWORD: 'b' }), undefined);
  t.equal(adminCredentialsFromEnv({ MAGLEV_FRONTEND_USER: '', MAGLEV_FRONTEND_PASSWORD: 'b' }), undefined);
});

t.test('parseBasicAuth', async (t) => {
  const cases: Array<{ in: string | undefined; want: { user: string; password: string } | undefined }> = [
    { in: `Basic ${b64('ops:pw')}`, want: { user: 'ops', password: 'pw' } },
    { in: `basic ${b64('ops:a:b')}`, want: { user: 'ops', password: 'a:b' } },
    { in: `Basic ${b64('ops:')}`, want: { user: 'ops', password: '' } },
    { in: `Basic ${b64('nocolon')}`, want: undefined },
    { in: `Bearer ${b64('ops:pw')}`, want: undefined },
    { in: 'Basic !!!', want: undefined },
    { in: undefined, want: undefined },
  ];
  for (const c of cases) t.same(parseBasicAuth(c.in), c.want, String(c.in));
});

t.test('checkAdminAuth: 403 when disabled, 401 without or with wrong credentials', async (t) => {
  const cases = [
    { name: 'disabled', expected: undefined, header: `Basic ${b64('ops:x')}`, want: 403 },
    { name: 'no header', expected: creds, header: undefined, want: 401 },
    { name: 'wrong user', expected: creds, header: `Basic ${b64(`root:${creds.password}`)}`, want: 401 },
    { name: 'wrong password', expected: creds, header: `Basic ${b64('ops:s3cret')}`, want: 401 },
    { name: 'longer password', expected: creds, header: `Basic ${b64(`ops:${creds.password}x`)}`, want: 401 },
    { name: 'right', expected: creds, header: `Basic ${b64(`ops:${creds.password}`)}`, want: 200 },
  ];
  for (const c of cases) {
    const v = checkAdminAuth(c.expected, c.header);
    t.equal(v.ok ? 200 : v.status, c.want, c.name);
  }
  const disabled = checkAdminAuth(undefined, undefined);
  t.same(disabled, { ok: false, status: 403, error: 'admin disabled' });
  t.match(basicAuthChallenge(), /^Basic realm="maglev admin"/);
});

t.test('constantTimeEqual compares strings of any length through fixed-size digests', async (t) => {
  // timingSafeEqual itself throws on unequal lengths: these must not.
  t.equal(constantTimeEqual('a', 'a'), true);
  t.equal(constantTimeEqual('a', 'ab'), false);
  t.equal(constantTimeEqual('', 'x'.repeat(10_000)), false);
  t.equal(constantTimeEqual('ü', 'ü'), true);
});
