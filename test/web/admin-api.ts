// The admin preview route: its body checks (a table), and POST /admin/api/{name}/preview end to
// end against a real gRPC maglevd over the fake control plane: the summary lines the confirm
// dialog shows, the full preview, the same auth and same-origin rules as the actions, errors
// mapped like theirs, and nothing applied.

import t from 'tap';
import { parsePreviewBody } from '../../src/web/admin-api.js';
import { HttpError } from '../../src/web/http-error.js';
import { createRealClock } from '../../src/shared/clock.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { startDashboard } from '../../src/web/dashboard.js';
import { startHarness } from '../support/grpc-harness.js';
import { waitFor } from '../support/wait-for.js';

t.test('preview bodies', async (t) => {
  const cases: Array<{ name: string; in: unknown; want: unknown }> = [
    { name: 'an action', in: { kind: 'pause', backend: 'b1' }, want: { frontend: '', backend: { name: 'b1', action: 'pause' } } },
    { name: 'an action for one frontend', in: { kind: 'disable', backend: 'b1', frontend: 'web4' }, want: { frontend: 'web4', backend: { name: 'b1', action: 'disable' } } },
    { name: 'a weight', in: { kind: 'weight', frontend: 'web4', pool: 'p', backend: 'b1', weight: 0 }, want: { frontend: 'web4', weight: { pool: 'p', backend: 'b1', weight: 0 } } },
    { name: 'a weight ignores flush', in: { kind: 'weight', frontend: 'web4', pool: 'p', backend: 'b1', weight: 5, flush: 'yes' }, want: { frontend: 'web4', weight: { pool: 'p', backend: 'b1', weight: 5 } } },
    { name: 'not an object', in: [], want: 'body must be a JSON object' },
    { name: 'null', in: null, want: 'body must be a JSON object' },
    { name: 'unknown kind', in: { kind: 'drain', backend: 'b1' }, want: 'kind must be weight, pause, resume, enable or disable' },
    { name: 'no kind', in: { backend: 'b1' }, want: 'kind must be weight, pause, resume, enable or disable' },
    { name: 'no backend', in: { kind: 'pause' }, want: 'backend must be a non-empty string' },
    { name: 'bad frontend', in: { kind: 'pause', backend: 'b1', frontend: 3 }, want: 'frontend must be a string' },
    { name: 'bad weight', in: { kind: 'weight', frontend: 'web4', pool: 'p', backend: 'b1', weight: 101 }, want: 'weight must be an integer 0..100' },
  ];
  for (const c of cases) {
    if (typeof c.want === 'string') {
      t.throws(() => parsePreviewBody(c.in), new HttpError(400, c.want), c.name);
    } else {
      t.same(parsePreviewBody(c.in), c.want, c.name);
    }
  }
});

t.test('POST /admin/api/{name}/preview', async (t) => {
  const h = await startHarness(t);
  const d = await startDashboard({
    servers: [h.address],
    listen: { host: '127.0.0.1', port: 0 },
    clock: createRealClock(),
    logger: createSilentLogger(),
    admin: { user: 'ops', password: 'pw' },
    timing: { probeMs: 200, lbDebounceMs: 50 },
  });
  t.teardown(() => d.stop());
  t.ok(await waitFor(() => d.scopes[0]!.state.reachable, 5000));
  const base = `http://127.0.0.1:${d.port}`;
  const url = `${base}/admin/api/${encodeURIComponent(h.address)}/preview`;
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}`, 'content-type': 'application/json', origin: base, ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { lines?: string[]; preview?: { ok: boolean; vips: Array<{ frontend: string; movedBuckets: number }> }; error?: string } };
  };
  h.fake.calls.length = 0;
  const pause = await post({ kind: 'pause', backend: 'nginx0-ams', frontend: 'web4' });
  t.equal(pause.status, 200);
  t.same(pause.body.lines, ["moves 100.0 % of web4's new flows: nginx0-ams 1024→0"]);
  t.match(pause.body.preview, { ok: true, vips: [{ frontend: 'web4', movedBuckets: 1024 }] });
  const weight = await post({ kind: 'weight', frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 100 });
  t.same(weight.body.lines, ["moves 0.0 % of web4's new flows"]);
  t.same(h.fake.calls, ['preview pause web4', 'preview weight web4'], 'previews only, nothing applied');

  t.same(await post({ kind: 'pause', backend: 'nginx1-zrh' }), { status: 409, body: { error: 'backend "nginx1-zrh" is disabled; cannot pause it' } });
  t.same(await post({ kind: 'pause', backend: 'ghost' }), { status: 404, body: { error: 'backend "ghost" not found' } });
  t.same(await post({ kind: 'nope', backend: 'x' }), { status: 400, body: { error: 'kind must be weight, pause, resume, enable or disable' } });
  t.equal((await post({ kind: 'pause', backend: 'nginx0-ams' }, { origin: 'http://evil.example' })).status, 403, 'same-origin rule');
  t.equal((await post({ kind: 'pause', backend: 'nginx0-ams' }, { authorization: '' })).status, 401, 'basic auth');
  t.equal((await fetch(url)).status, 401, 'GET without auth');
});
