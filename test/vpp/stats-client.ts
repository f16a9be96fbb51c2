import t from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNative } from '../../src/shared/native.js';
import { startStatsPublisher } from '../../src/vpp/sim/stats-publisher.js';
import { connectStatsSegment, openStatsSegmentFd, openStatsSegmentFile } from '../../src/vpp/stats-client.js';
import { buildSegmentImage } from '../../src/vpp/stats-segment-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'maglev-stats-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const lbNames = ['packet from existing sessions', 'first session packet', 'untracked packet', 'no server configured'];

t.test('SEQPACKET + SCM_RIGHTS round trip with the publisher; counters advance and are seen', async (t) => {
  const socketPath = join(dir, 'stats.sock');
  const pub = await startStatsPublisher({ socketPath, threads: 3 });
  t.teardown(() => pub.close());
  const client = await connectStatsSegment(socketPath);
  t.teardown(() => client.close());
  t.equal(client.size, pub.size, 'fstat size of the received memfd');

  const first = await client.read({ scalars: ['/sys/boottime'], simple: lbNames.map((name) => ({ name, indices: [0] })) });
  const boot = Number(first.scalars.get('/sys/boottime'));
  t.ok(Math.abs(boot - Date.now() / 1000) < 60, 'boottime is about now');
  t.equal(first.simple.size, 0, 'lb counters are absent before the first VIP');

  pub.zeroSimpleIndex('first session packet', 2); // VIP add at pool index 2
  pub.addSimple('first session packet', 2, 0, 5n);
  pub.addSimple('first session packet', 2, 2, 7n);
  pub.addCombined('/net/route/to', 4, 1, 3n, 180n);
  const read = () =>
    client.read({ simple: [{ name: 'first session packet', indices: [2] }], combined: [{ name: '/net/route/to', indices: [4] }] });
  const a = await read();
  t.equal(a.simple.get('first session packet')?.get(2), 12n);
  t.same(a.combined.get('/net/route/to')?.get(4), { packets: 3n, bytes: 180n });

  pub.addSimple('first session packet', 2, 1, 1n); // in place: no epoch change
  pub.addCombined('/net/route/to', 4, 2, 2n ** 60n, 2n ** 62n);
  const b = await read();
  t.equal(b.epoch, a.epoch, 'value updates do not move the epoch');
  t.equal(b.simple.get('first session packet')?.get(2), 13n);
  t.same(b.combined.get('/net/route/to')?.get(4), { packets: 2n ** 60n + 3n, bytes: 2n ** 62n + 180n });

  pub.setSimple('first session packet', 40, 1, 2n ** 63n); // longer vectors: a relayout
  pub.setScalar('/sys/heartbeat', 9);
  pub.setScalar('/sys/last_update', 77);
  pub.setNameVector('/if/names', ['local0', 'tap0']);
  const c = await client.read({
    simple: [{ name: 'first session packet', indices: [2, 40] }],
    scalars: ['/sys/heartbeat', '/sys/last_update'],
    nameVectors: ['/if/names'],
  });
  t.ok(c.epoch > b.epoch, 'layout change bumps the epoch');
  t.same([...c.simple.get('first session packet')!], [
    [2, 13n],
    [40, 2n ** 63n],
  ]);
  t.equal(c.scalars.get('/sys/heartbeat'), 9n);
  t.equal(c.scalars.get('/sys/last_update'), 77n);
  t.same(c.nameVectors.get('/if/names'), ['local0', 'tap0']);

  pub.zeroSimpleIndex('first session packet', 2); // VIP index reuse
  const d = await read();
  t.equal(d.simple.get('first session packet')?.get(2), 0n);

  const second = await connectStatsSegment(socketPath);
  t.teardown(() => second.close());
  t.same((await second.read({ simple: [{ name: 'first session packet', indices: [40] }] })).simple.get('first session packet')?.get(40), 2n ** 63n);
});

t.test('publisher rejects misuse and cleans up its socket', async (t) => {
  const socketPath = join(dir, 'misuse.sock');
  const pub = await startStatsPublisher({ socketPath, threads: 2, sizeBytes: 64 * 1024 });
  t.throws(() => pub.addSimple('c', 0, 2, 1n), RangeError, 'thread out of range');
  t.throws(() => pub.addSimple('c', -1, 0, 1n), RangeError, 'negative index');
  pub.addCombined('comb', 0, 0, 1n, 1n);
  t.throws(() => pub.addSimple('comb', 0, 0, 1n), TypeError, 'kind mismatch');
  pub.setSimple('c', 1, 0, 5n);
  t.throws(() => pub.setSimple('c', 100_000, 0, 1n), RangeError, 'layout larger than the segment');
  t.throws(() => pub.setSimple('huge', 100_000, 0, 1n), RangeError, 'new entry larger than the segment');
  pub.setSimple('c', 1, 1, 6n);
  const client = await connectStatsSegment(socketPath);
  const r = await client.read({ simple: [{ name: 'c', indices: [1] }, { name: 'huge', indices: [0] }] });
  client.close();
  t.equal(r.simple.get('c')?.get(1), 11n, 'a refused growth leaves the segment usable');
  t.notOk(r.simple.has('huge'), 'a refused new entry is not in the segment');
  t.ok(existsSync(socketPath));
  await pub.close();
  await pub.close();
  t.notOk(existsSync(socketPath), 'socket file removed');
});

t.test('connect failures are STATS_SEGMENT errors', async (t) => {
  await t.rejects(connectStatsSegment(join(dir, 'none.sock')), {
    code: 'STATS_SEGMENT',
    message: `stats segment ${join(dir, 'none.sock')}: no such file or directory`,
  });
  const silent = join(dir, 'silent.sock');
  const n = loadNative();
  const listener = n.listenSeqpacket(silent);
  t.teardown(() => n.closeFd(listener));
  await t.rejects(connectStatsSegment(silent, { timeoutMs: 30 }), {
    code: 'STATS_SEGMENT',
    message: `stats segment ${silent}: no segment received before the timeout`,
  });
});

t.test('a segment can be injected by fd or path, and close is final', async (t) => {
  const img = buildSegmentImage(new Map([['/sys/boottime', { kind: 'scalar', value: 123n }]]), { base: 0x7f0000000000n, epoch: 1n, size: 4096 });
  const path = join(dir, 'segment.bin');
  writeFileSync(path, Buffer.concat([img.image, Buffer.alloc(4096 - img.image.length)]));
  const byPath = openStatsSegmentFile(path);
  t.equal(byPath.size, 4096);
  t.equal((await byPath.read({ scalars: ['/sys/boottime'] })).scalars.get('/sys/boottime'), 123n);
  byPath.close();
  byPath.close();
  await t.rejects(byPath.read({ scalars: ['/sys/boottime'] }), { code: 'STATS_SEGMENT', message: 'stats segment is closed' });

  const n = loadNative();
  const memfd = n.memfdCreate('empty');
  t.throws(() => openStatsSegmentFd(memfd), { code: 'STATS_SEGMENT', message: `stats segment fd ${memfd}: empty segment` });
  t.throws(() => openStatsSegmentFile(join(dir, 'missing.bin')), { code: 'STATS_SEGMENT' });
});
