// The dashboard's HTTP surface against a real gRPC maglevd (the fake control plane behind the real
// server): every route of the reload table, auth and cross-site refusal on /admin, gRPC → HTTP error
// mapping, and the SSE stream (headers, retry, ping, live events, log events only on /admin,
// Last-Event-ID replay and resync).

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createRealClock } from '../../src/shared/clock.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { startDashboard, type Dashboard } from '../../src/web/dashboard.js';
import { SpaAssets } from '../../src/web/spa-assets.js';
import { startHarness, type Harness } from '../support/grpc-harness.js';
import { waitFor } from '../support/wait-for.js';

const auth = `Basic ${Buffer.from('ops:pw').toString('base64')}`;

interface SseClient {
  readonly events: Array<{ id?: string; event?: string; data?: string; comment?: string }>;
  readonly response: Promise<Response>;
  raw(): string;
  close(): void;
}

function openSse(url: string, headers: Record<string, string> = {}): SseClient {
  const ctl = new AbortController();
  const events: SseClient['events'] = [];
  let raw = '';
  let buf = '';
  const response = fetch(url, { headers, signal: ctl.signal });
  void response
    .then(async (res) => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        raw += text;
        buf += text;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseClient['events'][number] = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(': ')) ev.comment = line.slice(2);
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data = line.slice(6);
          }
          events.push(ev);
        }
      }
    })
    .catch(() => {});
  return { events, response, raw: () => raw, close: () => ctl.abort() };
}

async function setup(t: Test, opts: { admin?: boolean } = {}): Promise<{ h: Harness; d: Dashboard; base: string; name: string }> {
  const h = await startHarness(t);
  const dir = await mkdtemp(join(tmpdir(), 'maglev-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>test spa</title>');
  await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  const d = await startDashboard({
    servers: [h.address],
    listen: { host: '127.0.0.1', port: 0 },
    clock: createRealClock(),
    logger: createSilentLogger(),
    admin: opts.admin === false ? undefined : { user: 'ops', password: 'pw' },
    assets: new SpaAssets(dir),
    timing: { probeMs: 200, lbDebounceMs: 100, reconnectMinMs: 100, batchMs: 10 },
    pingMs: 300,
  });
  t.teardown(async () => {
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const scope = d.scopes[0]!;
  const ready = await waitFor(() => scope.state.reachable && scope.state.frontends.names.length === 2 && scope.state.lbState !== null, 5000);
  if (!ready) throw new Error('dashboard did not load the fake maglevd');
  return { h, d, base: `http://127.0.0.1:${d.port}`, name: h.address };
}

const getJson = async (url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> & { error?: string } }> => {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const adminPost = (base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> & { error?: string } }> =>
  getJson(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json', origin: base, ...headers },
    body: JSON.stringify(body),
  });

t.test('read-only API: state, one scope, maglevds, version, healthz, favicon', async (t) => {
  const { base, name } = await setup(t);
  const st = await getJson(`${base}/view/api/state`);
  t.equal(st.status, 200);
  const scopes = st.body.maglevds as Array<Record<string, unknown>>;
  t.equal(scopes.length, 1);
  t.match(scopes[0], { name, reachable: true, vpp: { version: '26.06-release', pid: 4242 }, lbState: { vips: [{ prefix: '198.51.100.1/32' }] } });
  t.same((scopes[0]!.frontends as Array<{ name: string }>).map((f) => f.name), ['web4', 'web6'], 'ListFrontends order');
  t.same((scopes[0]!.backends as Array<{ name: string }>).map((f) => f.name), ['nginx0-ams', 'nginx0-fra', 'nginx1-zrh']);
  t.same((scopes[0]!.healthchecks as Array<{ name: string }>).map((f) => f.name), ['http-healthz', 'icmp', 'tcp-tls']);
  t.match(scopes[0], { frontends: [{ pools: [{ name: 'primary', active: true, backends: [{ name: 'nginx0-ams', weight: 100, effectiveWeight: 100, state: 'up' }] }] }] });

  const one = await getJson(`${base}/view/api/state/${encodeURIComponent(name)}`);
  t.equal(one.status, 200);
  t.equal(one.body.name, name);
  t.same(await getJson(`${base}/view/api/state/nope`), { status: 404, body: { error: 'maglevd "nope" not found' } });
  t.same(await getJson(`${base}/view/api/maglevds`), { status: 200, body: [{ name, reachable: true }] });
  const v = await getJson(`${base}/view/api/version`);
  t.same(Object.keys(v.body).sort(), ['commit', 'date', 'version']);
  t.same(await getJson(`${base}/healthz`), { status: 200, body: { status: 'ok' } });
  const fav = await fetch(`${base}/favicon.ico`);
  t.equal(fav.headers.get('content-type'), 'image/svg+xml');
  t.match(await fav.text(), /^<svg/);
  t.same(await getJson(`${base}/view/api/nothing`), { status: 404, body: { error: 'not found' } });
  const post = await getJson(`${base}/view/api/state`, { method: 'POST' });
  t.equal(post.status, 405);
});

t.test('the SPA and its assets under /view/ and /admin/', async (t) => {
  const { base } = await setup(t);
  const redirect = await fetch(`${base}/`, { redirect: 'manual' });
  t.equal(redirect.status, 302);
  t.equal(redirect.headers.get('location'), '/view/');
  const page = await fetch(`${base}/view/`);
  t.equal(page.status, 200);
  t.equal(page.headers.get('cache-control'), 'no-cache');
  t.match(await page.text(), /test spa/);
  const js = await fetch(`${base}/view/assets/app-1234.js`);
  t.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  t.match(js.headers.get('cache-control'), /immutable/);
  t.equal((await fetch(`${base}/view/assets/nope.js`)).status, 404);
  t.equal((await fetch(`${base}/view/assets/..%2F..%2Fpackage.json`)).status, 404, 'no path traversal');
  const admin = await fetch(`${base}/admin/`);
  t.equal(admin.status, 401);
  t.match(admin.headers.get('www-authenticate'), /^Basic realm="maglev admin"/);
  t.equal((await fetch(`${base}/admin/`, { headers: { authorization: auth } })).status, 200);
  t.equal((await fetch(`${base}/admin/assets/app-1234.js`, { headers: { authorization: auth } })).status, 200);
});

t.test('admin actions: auth, cross-site refusal, results and error mapping', async (t) => {
  const { h, base, name } = await setup(t);
  const path = `/admin/api/${encodeURIComponent(name)}/backend/nginx0-fra/pause`;

  const noAuth = await getJson(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: '{}' });
  t.equal(noAuth.status, 401, 'no credentials');
  const wrong = await adminPost(base, path, {}, { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` });
  t.equal(wrong.status, 401, 'wrong password');
  const cases: Array<{ name: string; headers: Record<string, string> }> = [
    { name: 'foreign origin', headers: { origin: 'http://evil.example' } },
    { name: 'cross-site fetch metadata', headers: { 'sec-fetch-site': 'cross-site' } },
    { name: 'form content type', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  ];
  for (const c of cases) {
    const r = await adminPost(base, path, {}, c.headers);
    t.equal(r.status, 403, c.name);
    t.match(r.body.error, /^cross-site request refused/, `${c.name}: message`);
  }
  const noOrigin = await getJson(`${base}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{}' });
  t.equal(noOrigin.status, 403, 'no Origin and no Sec-Fetch-Site');
  t.notOk(h.fake.calls.includes('pause nginx0-fra'), 'refused requests never reached maglevd');

  const ok = await adminPost(base, path, {});
  t.equal(ok.status, 200);
  t.match(ok.body, { name: 'nginx0-fra', state: 'paused', enabled: true });
  t.ok(h.fake.calls.includes('pause nginx0-fra'));
  const viaFetchMetadata = await adminPost(base, path.replace('/pause', '/resume'), {}, { origin: '' });
  t.equal(viaFetchMetadata.status, 403, 'an empty Origin is not same-origin');
  const resumed = await getJson(`${base}${path.replace('/pause', '/resume')}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: '{}',
  });
  t.equal(resumed.status, 200, 'Sec-Fetch-Site: same-origin suffices');

  const errors = [
    { name: 'FAILED_PRECONDITION → 409', path: `/admin/api/${encodeURIComponent(name)}/backend/nginx1-zrh/pause`, body: {}, status: 409, error: 'backend "nginx1-zrh" is disabled' },
    { name: 'NOT_FOUND → 404', path: `/admin/api/${encodeURIComponent(name)}/backend/ghost/enable`, body: {}, status: 404, error: 'backend "ghost" not found' },
    { name: 'unknown action', path: `/admin/api/${encodeURIComponent(name)}/backend/nginx0-fra/explode`, body: {}, status: 404, error: 'unknown action "explode"' },
    { name: 'unknown maglevd', path: '/admin/api/nope/backend/nginx0-fra/pause', body: {}, status: 404, error: 'maglevd "nope" not found' },
    { name: 'weight out of range', path: `/admin/api/${encodeURIComponent(name)}/weight`, body: { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 101 }, status: 400, error: 'weight must be an integer 0..100' },
    { name: 'weight not a number', path: `/admin/api/${encodeURIComponent(name)}/weight`, body: { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: '5' }, status: 400, error: 'weight must be an integer 0..100' },
    { name: 'missing pool', path: `/admin/api/${encodeURIComponent(name)}/weight`, body: { frontend: 'web4', backend: 'nginx0-ams', weight: 5 }, status: 400, error: 'pool must be a non-empty string' },
    { name: 'pool NOT_FOUND → 404', path: `/admin/api/${encodeURIComponent(name)}/weight`, body: { frontend: 'web4', pool: 'gold', backend: 'nginx0-ams', weight: 5 }, status: 404, error: 'pool "gold" not found in frontend "web4"' },
  ];
  for (const c of errors) t.same(await adminPost(base, c.path, c.body), { status: c.status, body: { error: c.error } }, c.name);
  const bad = await getJson(`${base}/admin/api/${encodeURIComponent(name)}/weight`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', origin: base }, body: '{nope' });
  t.same(bad, { status: 400, body: { error: 'request body is not valid JSON' } });
  const get = await fetch(`${base}${path}`, { headers: { authorization: auth } });
  t.equal(get.status, 405);
  t.equal(get.headers.get('allow'), 'POST');

  const w = await adminPost(base, `/admin/api/${encodeURIComponent(name)}/weight`, { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 40, flush: true });
  t.equal(w.status, 200);
  t.match(w.body, { name: 'web4', pools: [{ name: 'primary', backends: [{ name: 'nginx0-ams', weight: 40 }] }] });
  t.ok(h.fake.calls.includes('weight web4 primary nginx0-ams 40 true'));

  // maglevd gone: UNAVAILABLE → 503.
  await h.server.shutdown(100);
  const gone = await adminPost(base, path, {});
  t.equal(gone.status, 503);
  t.type(gone.body.error, 'string');
});

t.test('SSE: headers, retry, ping, live events, admin-only log, replay and resync', async (t) => {
  const { h, d, base } = await setup(t);
  const view = openSse(`${base}/view/api/events`);
  const admin = openSse(`${base}/admin/api/events`, { authorization: auth });
  t.teardown(() => {
    view.close();
    admin.close();
  });
  const res = await view.response;
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  t.equal(res.headers.get('x-accel-buffering'), 'no');
  t.match(res.headers.get('cache-control'), /no-cache/);
  t.equal(res.headers.get('content-encoding'), null, 'never compressed');
  t.ok(await waitFor(() => view.raw().startsWith('retry: 2000\n\n'), 2000), 'retry hint first');
  t.ok(await waitFor(() => view.events.some((e) => e.comment === 'ping'), 2000), ': ping comment');
  t.equal(d.server.streams, 2);

  h.fake.transition('nginx0-ams', 'down', 'L4TOUT', 'timeout after 1s');
  h.fake.log('info', 'backend-pause', [['backend', 'nginx0-fra']]);
  t.ok(await waitFor(() => view.events.some((e) => e.event === 'backend'), 2000), 'backend event within 2 s');
  const be = view.events.find((e) => e.event === 'backend')!;
  t.match(JSON.parse(be.data!), { backend: 'nginx0-ams', transition: { from: 'up', to: 'down', code: 'L4TOUT', detail: 'timeout after 1s' } });
  t.match(be.id, new RegExp(`^${d.broker.epoch}-\\d+$`));
  t.ok(await waitFor(() => admin.events.some((e) => e.event === 'log' && e.data!.includes('backend-pause')), 2000), 'admin stream has log events');
  t.ok(await waitFor(() => view.events.some((e) => e.event === 'update' && e.data!.includes('"effectiveWeight":0')), 2000), 'refetched weights follow as update');
  t.ok(await waitFor(() => view.events.some((e) => e.event === 'lbstate'), 2000), 'lb state re-read after the transition');
  t.notOk(view.events.some((e) => e.event === 'log'), 'no log events on /view');

  // A browser that missed events after `be` gets them replayed; one from another epoch resyncs.
  const replay = openSse(`${base}/view/api/events`, { 'last-event-id': be.id! });
  const resync = openSse(`${base}/view/api/events?lastEventId=1-1`);
  t.teardown(() => {
    replay.close();
    resync.close();
  });
  t.ok(await waitFor(() => replay.events.some((e) => e.event === 'update'), 2000), 'replayed');
  t.notOk(replay.events.some((e) => e.id === be.id), 'nothing before the given id');
  t.ok(await waitFor(() => resync.events.some((e) => e.event === 'resync'), 2000), 'resync');
  t.match(resync.events.find((e) => e.event === 'resync')!.id, new RegExp(`^${d.broker.epoch}-\\d+$`), 'resync carries a current id');

  replay.close();
  t.ok(await waitFor(() => d.server.streams === 3, 2000), 'a closed browser is torn down');
});

t.test('admin disabled; SPA not built', async (t) => {
  const d = await startDashboard({
    servers: [],
    listen: { host: '127.0.0.1', port: 0 },
    clock: createRealClock(),
    logger: createSilentLogger(),
    admin: undefined,
    assets: new SpaAssets(join(tmpdir(), 'maglev-web-does-not-exist')),
  });
  t.teardown(() => d.stop());
  const base = `http://127.0.0.1:${d.port}`;
  t.same(await getJson(`${base}/admin/`, { headers: { authorization: auth } }), { status: 403, body: { error: 'admin disabled' } });
  t.same(await getJson(`${base}/admin/api/x/backend/y/pause`, { method: 'POST' }), { status: 403, body: { error: 'admin disabled' } });
  const page = await fetch(`${base}/view/`);
  t.equal(page.status, 503);
  t.match(await page.text(), /vite build --config src\/web\/ui\/vite\.config\.ts/);
  t.same(await getJson(`${base}/view/api/state`), { status: 200, body: { maglevds: [] } });
});
