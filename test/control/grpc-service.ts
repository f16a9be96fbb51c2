// The input limits of the maglev.Maglev handlers (docs/security.md): names of at most 64 bytes
// (counted in UTF-8 bytes, never echoed when longer), a short log_level, and at most 64 open
// WatchEvents streams (the next one is RESOURCE_EXHAUSTED until one closes). In-process, over
// the real gRPC server and a fake control plane.

import { status } from '@grpc/grpc-js';
import t from 'tap';
import { maxLogLevelBytes, maxNameBytes, maxWatchStreams } from '../../src/control/grpc-service.js';
import { startHarness, watch } from '../support/grpc-harness.js';
import { waitFor } from '../support/wait-for.js';

void t.test('names: up to 64 bytes are looked up, longer ones are INVALID_ARGUMENT without an echo', async (t) => {
  t.equal(maxNameBytes, 64);
  const h = await startHarness(t);
  const cases: Array<[string, string, status, string]> = [
    ['64 ASCII bytes', 'a'.repeat(64), status.NOT_FOUND, `frontend "${'a'.repeat(64)}" not found`],
    ['65 ASCII bytes', 'a'.repeat(65), status.INVALID_ARGUMENT, 'name is longer than 64 bytes'],
    ['16 four-byte characters = 64 bytes', '😀'.repeat(16), status.NOT_FOUND, `frontend "${'😀'.repeat(16)}" not found`],
    ['33 two-byte characters = 66 bytes', 'é'.repeat(33), status.INVALID_ARGUMENT, 'name is longer than 64 bytes'],
    ['60 KiB (under the request cap)', 'x'.repeat(60 * 1024), status.INVALID_ARGUMENT, 'name is longer than 64 bytes'],
    ['1 MiB (over the 64 KiB request cap)', 'x'.repeat(1 << 20), status.RESOURCE_EXHAUSTED, 'Received message larger than max (1048580 vs 65536)'],
  ];
  for (const [what, name, code, details] of cases) {
    const e = await h.fail('GetFrontend', { name });
    t.same([e.code, e.details], [code, details], what);
  }
  const w = await h.fail('SetFrontendPoolBackendWeight', { frontend: 'web4', pool: 'p'.repeat(65), backend: 'nginx0-ams', weight: 1 });
  t.same([w.code, w.details], [status.INVALID_ARGUMENT, 'pool is longer than 64 bytes']);
  t.equal(h.fake.calls.length, 0, 'the control plane was never asked');
});

void t.test('WatchEvents: an over-long log_level is refused without an echo', async (t) => {
  t.equal(maxLogLevelBytes, 16);
  const h = await startHarness(t);
  const long = watch(h.client, { log_level: 'd'.repeat(17) });
  const st = await long.end;
  t.same([st.code, st.details], [status.INVALID_ARGUMENT, 'log_level is longer than 16 bytes: expected debug, info, warn or error']);
  const short = watch(h.client, { log_level: 'd'.repeat(16) });
  t.match((await short.end).details, /^invalid log_level "d{16}"/, 'short bad levels keep the usual message');
});

void t.test('WatchEvents: at most 64 streams; the next is RESOURCE_EXHAUSTED until one closes', async (t) => {
  t.equal(maxWatchStreams, 64);
  const h = await startHarness(t);
  const open = Array.from({ length: maxWatchStreams }, () => watch(h.client, { log: false }));
  await Promise.all(open.map((w) => w.take(1)));
  t.equal(h.server.watchStreams, 64);
  const refused = watch(h.client, { log: false });
  const st = await refused.end;
  t.same([st.code, st.details], [status.RESOURCE_EXHAUSTED, 'too many WatchEvents streams (at most 64)']);
  open[0]?.stream.cancel();
  await open[0]?.end;
  await waitFor(() => h.server.watchStreams < 64, 5000);
  const again = watch(h.client, { log: false });
  await again.take(1);
  t.pass('a new stream is accepted once one closed');
  for (const w of [...open, again]) w.stream.cancel();
});
