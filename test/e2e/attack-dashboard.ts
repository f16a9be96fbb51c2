// Attack: the dashboard (maglevd-frontend) as an open door. Unauthenticated SSE streams were
// unlimited (3000 took it to 100 % CPU), any Host was served (DNS rebinding could read
// /view/api/state), failed logins were neither logged nor slowed, and a dashboard refused by
// maglevd's 64-stream WatchEvents cap showed "reachable" with nothing in the log above debug.

import { request, type IncomingMessage } from 'node:http';
import type { ClientReadableStream } from '@grpc/grpc-js';
import t, { type Test } from 'tap';
import type { Event } from '../../src/api/maglev-messages.js';
import { createRealClock } from '../../src/shared/clock.js';
import { startDashboard } from '../../src/web/dashboard.js';
import { SpaAssets } from '../../src/web/spa-assets.js';
import { startHarness } from '../support/grpc-harness.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { until } from '../support/wait-for.js';

/** A GET (or `method`) with raw headers; resolves with the response (body drained unless `keep`). */
function get(port: number, path: string, headers: Record<string, string> = {}, keep = false): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      if (keep) return resolve({ res, body: '' });
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ res, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function setup(t: Test, watchStreamsTaken = 0) {
  const h = await startHarness(t);
  // Others hold maglevd's WatchEvents streams before the dashboard starts.
  const held: Array<ClientReadableStream<Event>> = [];
  for (let i = 0; i < watchStreamsTaken; i++) {
    const s = h.client.watchEvents({ log: false });
    s.on('error', () => {});
    held.push(s);
  }
  t.teardown(() => held.forEach((s) => s.cancel()));
  if (watchStreamsTaken > 0) await until(() => h.server.watchStreams === watchStreamsTaken, 'the streams are held');
  const logger = new RecordingLogger();
  const d = await startDashboard({
    servers: [h.address],
    listen: { host: '127.0.0.1', port: 0 },
    clock: createRealClock(),
    logger,
    admin: { user: 'ops', password: 'pw' },
    assets: new SpaAssets('/nonexistent'),
    timing: { refreshMs: 60_000, reconnectMinMs: 200, reconnectMaxMs: 400 },
  });
  t.teardown(() => d.stop());
  return { h, d, logger, port: d.port };
}

void t.test('SSE streams are capped per client address (503 and a log line)', async (t) => {
  const { d, logger, port } = await setup(t);
  const open = [];
  for (let i = 0; i < 8; i++) open.push(await get(port, '/view/api/events', {}, true));
  t.same(open.map((o) => o.res.statusCode), Array(8).fill(200), 'eight streams served');
  const ninth = await get(port, '/view/api/events');
  t.equal(ninth.res.statusCode, 503, 'the ninth from the same address is refused');
  t.match(JSON.parse(ninth.body), { error: 'too many event streams' });
  t.match(logger.records.find((r) => r.msg === 'sse-refused'), { level: 'warn', attrs: { remote: '127.0.0.1', reason: 'at most 8 streams per client' } });
  t.equal(d.server.streams, 8);
  for (const o of open) o.res.destroy();
  await until(() => d.server.streams === 0, 'streams closed');
  t.equal((await get(port, '/view/api/events', {}, true)).res.statusCode, 200, 'a slot that frees is served again');
});

void t.test('a foreign Host (DNS rebinding) gets 421, a foreign Origin 403; both logged', async (t) => {
  const { logger, port } = await setup(t);
  const rebound = await get(port, '/view/api/state', { host: `evil.example:${port}` });
  t.equal(rebound.res.statusCode, 421, 'state is not served to a rebound name');
  t.notMatch(rebound.body, /frontends/);
  t.equal((await get(port, '/metrics', { host: 'evil.example' })).res.statusCode, 421);
  t.equal((await get(port, '/view/api/state', { origin: 'http://evil.example' })).res.statusCode, 403, 'a foreign Origin');
  t.equal((await get(port, '/view/api/state', { host: `localhost:${port}` })).res.statusCode, 200, 'localhost is served');
  t.equal((await get(port, '/view/api/state')).res.statusCode, 200, 'an IP literal is served');
  t.equal((await get(port, '/healthz', { host: 'anything' })).res.statusCode, 200, '/healthz answers any Host');
  const refused = logger.records.filter((r) => r.msg === 'host-refused');
  t.ok(refused.length >= 3, 'each refusal is logged');
  t.match(refused[0], { level: 'warn', attrs: { host: 'evil.example', status: 421 } });
});

void t.test('failed logins are logged and locked out per address (429 with Retry-After)', async (t) => {
  const { logger, port } = await setup(t);
  const bad = { authorization: `Basic ${Buffer.from('ops:guess').toString('base64')}` };
  const codes: Array<number | undefined> = [];
  for (let i = 0; i < 7; i++) codes.push((await get(port, '/admin/', bad)).res.statusCode);
  t.same(codes, [401, 401, 401, 401, 401, 401, 429], 'five free failures, a sixth starts a lockout, the next is 429');
  const locked = await get(port, '/admin/', { authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}` });
  t.equal(locked.res.statusCode, 429, 'even the right password waits out the lockout');
  t.ok(Number(locked.res.headers['retry-after']) >= 1, 'Retry-After says how long');
  const failed = logger.records.filter((r) => r.msg === 'admin-login-failed');
  t.equal(failed.length, 6, 'every failed check is logged');
  t.match(failed[5], { level: 'warn', attrs: { remote: '127.0.0.1', failures: 6, lock_ms: 1000 } });
  await new Promise((r) => setTimeout(r, 1100));
  t.not((await get(port, '/admin/', { authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}` })).res.statusCode, 429, 'served after the lockout');
});

void t.test("a WatchEvents stream refused by maglevd's cap is shown and logged as such", async (t) => {
  const { d, logger, port } = await setup(t, 64);
  await until(() => logger.records.some((r) => r.msg === 'watch-refused'), 'the refusal logged', 5000);
  t.match(logger.records.find((r) => r.msg === 'watch-refused'), { level: 'warn', attrs: { err: 'too many WatchEvents streams (at most 64)' } });
  const scope = d.scopes[0]!;
  await until(() => scope.state.reachable, 'reachable (unary calls work)', 8000);
  const state = JSON.parse((await get(port, '/view/api/state')).body) as { maglevds: Array<{ reachable: boolean; watchRefused: string | null }> };
  t.match(state.maglevds[0], { reachable: true, watchRefused: 'too many WatchEvents streams (at most 64)' }, 'the state says the stream is refused');
});
