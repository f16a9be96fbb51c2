import t from 'tap';
import { isDaemonError } from '../../src/shared/errors.js';
import { statsEntry, statsHeader } from '../../src/vpp/stats-layout.js';
import { buildSegmentImage, type SegmentImage, type StatsModelEntry } from '../../src/vpp/stats-segment-builder.js';
import { StatsSegmentReader, type StatsRequest } from '../../src/vpp/stats-segment.js';
import { bufferSource, type SegmentSource } from '../../src/vpp/stats-source.js';

const base = 0x7f0000000000n;
const size = 64 * 1024;
const big = 2n ** 60n; // well above 2^53

function model(): Map<string, StatsModelEntry> {
  return new Map<string, StatsModelEntry>([
    ['/sys/boottime', { kind: 'scalar', value: 1_700_000_000n }],
    ['/sys/heartbeat', { kind: 'scalar', value: 42n }],
    ['/if/names', { kind: 'nameVector', names: ['local0', null, 'loop0'] }],
    [
      'first session packet',
      {
        kind: 'simple',
        threads: [
          [1n, 2n, 3n, big],
          [10n, 20n, 30n, big + 7n],
        ],
      },
    ],
    // Unequal thread lengths: an index past a thread's vector counts 0 there.
    ['untracked packet', { kind: 'simple', threads: [[5n], [6n, 7n, 8n]] }],
    [
      '/net/route/to',
      {
        kind: 'combined',
        threads: [
          [
            [1n, 100n],
            [2n, 200n],
          ],
          [
            [3n, 300n],
            [big, big * 8n],
          ],
        ],
      },
    ],
  ]);
}

function build(m = model(), epoch = 1n): SegmentImage & { buf: Buffer } {
  const img = buildSegmentImage(m, { base, epoch, size });
  const buf = Buffer.alloc(size);
  img.image.copy(buf);
  return { ...img, buf };
}

/** A source over buf (not a copy), so tests can change the segment between reads. */
function liveSource(buf: Buffer, onRead?: (n: number) => void): SegmentSource {
  let n = 0;
  return {
    size: buf.length,
    read(offset, length) {
      onRead?.(++n);
      return Buffer.from(buf.subarray(offset, offset + length));
    },
  };
}

function entryOffset(img: SegmentImage, name: string): number {
  return img.directoryOffset + img.entryIndex.get(name)! * statsEntry.size;
}

t.test('reads scalars, simple and combined counters summed over threads, and name vectors', async (t) => {
  const reader = new StatsSegmentReader(bufferSource(build().buf));
  const r = await reader.read({
    scalars: ['/sys/boottime', '/sys/heartbeat', '/sys/missing'],
    simple: [
      { name: 'first session packet', indices: [0, 2, 3, 9] },
      { name: 'untracked packet', indices: [0, 2] },
      { name: 'no server configured', indices: [0] },
    ],
    combined: [{ name: '/net/route/to', indices: [1, 0] }],
    nameVectors: ['/if/names'],
  });
  t.equal(r.epoch, 1n);
  t.same([...r.scalars], [
    ['/sys/boottime', 1_700_000_000n],
    ['/sys/heartbeat', 42n],
  ]);
  const cases: Array<{ name: string; got: unknown; want: unknown }> = [
    { name: 'index 0 over 2 threads', got: r.simple.get('first session packet')?.get(0), want: 11n },
    { name: 'index 2', got: r.simple.get('first session packet')?.get(2), want: 33n },
    { name: 'sum above 2^53 is exact', got: r.simple.get('first session packet')?.get(3), want: 2n * big + 7n },
    { name: 'index past every vector', got: r.simple.get('first session packet')?.get(9), want: 0n },
    { name: 'index past one thread only', got: r.simple.get('untracked packet')?.get(2), want: 8n },
    { name: 'unequal threads, index 0', got: r.simple.get('untracked packet')?.get(0), want: 11n },
    { name: 'absent counter is absent', got: r.simple.has('no server configured'), want: false },
    { name: 'combined index 0', got: r.combined.get('/net/route/to')?.get(0), want: { packets: 4n, bytes: 400n } },
    { name: 'combined above 2^53', got: r.combined.get('/net/route/to')?.get(1), want: { packets: big + 2n, bytes: big * 8n + 200n } },
    { name: 'name vector with a null slot', got: r.nameVectors.get('/if/names'), want: ['local0', null, 'loop0'] },
  ];
  for (const c of cases) t.same(c.got, c.want, c.name);
});

t.test('names match exactly, not by prefix', async (t) => {
  const m = new Map<string, StatsModelEntry>([
    ['first session packets', { kind: 'simple', threads: [[99n]] }],
    ['first session packet', { kind: 'simple', threads: [[1n]] }],
  ]);
  const r = await new StatsSegmentReader(bufferSource(build(m).buf)).read({ simple: [{ name: 'first session packet', indices: [0] }] });
  t.equal(r.simple.get('first session packet')?.get(0), 1n);
});

t.test('u64 sums wrap like VPP, and a null thread vector is empty', async (t) => {
  const max = 2n ** 64n - 1n;
  const m = new Map<string, StatsModelEntry>([['c', { kind: 'simple', threads: [[max], [2n], []] }]]);
  const r = await new StatsSegmentReader(bufferSource(build(m).buf)).read({ simple: [{ name: 'c', indices: [0] }] });
  t.equal(r.simple.get('c')?.get(0), 1n);
});

t.test('an epoch change during the read is retried', async (t) => {
  const img = build();
  let bumped = false;
  const headerReads: number[] = [];
  const source = liveSource(img.buf, (n) => {
    // The third read is the first data read of attempt 1: VPP rewrites meanwhile.
    if (n === 3 && !bumped) {
      bumped = true;
      img.buf.writeBigUInt64LE(2n, statsHeader.epoch);
    }
  });
  const counting: SegmentSource = {
    size: source.size,
    read(offset, length) {
      if (offset === 0) headerReads.push(length);
      return source.read(offset, length);
    },
  };
  const r = await new StatsSegmentReader(counting).read({ scalars: ['/sys/boottime'] });
  t.equal(r.epoch, 2n, 'the kept reading is from the new epoch');
  t.equal(headerReads.length, 4, 'two attempts, each reading the header before and after');
  t.equal(r.scalars.get('/sys/boottime'), 1_700_000_000n);
});

t.test('an epoch that keeps changing fails after 1 + 3 attempts', async (t) => {
  const img = build();
  let epoch = 1n;
  let attempts = 0;
  const source = liveSource(img.buf, () => img.buf.writeBigUInt64LE(++epoch, statsHeader.epoch));
  const counting: SegmentSource = {
    size: source.size,
    read(offset, length) {
      if (offset === 0) attempts++;
      return source.read(offset, length);
    },
  };
  await t.rejects(new StatsSegmentReader(counting).read({ scalars: ['/sys/boottime'] }), {
    code: 'STATS_SEGMENT',
    message: 'stats segment: no consistent read after 4 attempts (the epoch kept changing)',
  });
  t.equal(attempts, 8, 'each attempt reads the header twice');
});

t.test('in_progress is waited for, and a stuck one fails after 100 ms', async (t) => {
  const img = build();
  img.buf.writeBigUInt64LE(1n, statsHeader.inProgress);
  const reader = new StatsSegmentReader(liveSource(img.buf));
  const start = performance.now();
  await t.rejects(reader.read({ scalars: ['/sys/boottime'] }), {
    code: 'STATS_SEGMENT',
    message: 'stats segment: update in progress for more than 100 ms',
  });
  const waited = performance.now() - start;
  t.ok(waited >= 99 && waited < 1000, `waited ${waited.toFixed(0)} ms`);

  setTimeout(() => {
    img.buf.writeBigUInt64LE(5n, statsHeader.epoch);
    img.buf.writeBigUInt64LE(0n, statsHeader.inProgress);
  }, 15);
  const r = await reader.read({ scalars: ['/sys/boottime'] });
  t.equal(r.epoch, 5n, 'reads once the update finished');
});

t.test('a broken segment is an error, never a crash', async (t) => {
  const fsp = 'first session packet';
  const cases: Array<{ name: string; poke: (img: SegmentImage & { buf: Buffer }) => Buffer; req?: StatsRequest; message: RegExp }> = [
    { name: 'smaller than the header', poke: () => Buffer.alloc(16), message: /smaller than its header/ },
    { name: 'wrong version', poke: (i) => (i.buf.writeBigUInt64LE(1n, statsHeader.version), i.buf), message: /version 1, want 2/ },
    {
      name: 'directory pointer below base',
      poke: (i) => (i.buf.writeBigUInt64LE(base - 64n, statsHeader.directory), i.buf),
      message: /bad pointer 0x7effffffffc0 for the directory/,
    },
    {
      name: 'directory pointer past the end',
      poke: (i) => (i.buf.writeBigUInt64LE(base + BigInt(size), statsHeader.directory), i.buf),
      message: /bad pointer .* for the directory/,
    },
    {
      name: 'directory pointer into the header',
      poke: (i) => (i.buf.writeBigUInt64LE(base + 4n, statsHeader.directory), i.buf),
      message: /bad pointer .* for the directory/,
    },
    {
      name: 'directory length overruns',
      poke: (i) => (i.buf.writeUInt32LE(1_000_000, i.directoryOffset - 8), i.buf),
      message: /vector of 1000000 overruns the segment for the directory/,
    },
    {
      name: 'counter data pointer is garbage',
      poke: (i) => (i.buf.writeBigUInt64LE(0xdeadbeefn, entryOffset(i, fsp) + statsEntry.union), i.buf),
      message: /bad pointer 0xdeadbeef for "first session packet" threads/,
    },
    {
      name: 'thread vector length overruns',
      poke: (i) => (i.buf.writeUInt32LE(0xffffffff, i.counterOffsets.get(fsp)![1]! - 8), i.buf),
      message: /overruns the segment for "first session packet" thread 1/,
    },
    {
      name: 'entry of another type',
      poke: (i) => (i.buf.writeUInt32LE(3, entryOffset(i, fsp) + statsEntry.type), i.buf),
      message: /entry "first session packet" has type 3, want 2/,
    },
    {
      name: 'scalar read as a counter',
      poke: (i) => i.buf,
      req: { simple: [{ name: '/sys/boottime', indices: [0] }] },
      message: /entry "\/sys\/boottime" has type 1, want 2/,
    },
  ];
  for (const c of cases) {
    const buf = c.poke(build());
    const reader = new StatsSegmentReader(bufferSource(buf));
    let caught: unknown;
    try {
      await reader.read(c.req ?? { simple: [{ name: fsp, indices: [0, 3] }] });
    } catch (e) {
      caught = e;
    }
    t.ok(isDaemonError(caught, 'STATS_SEGMENT'), `${c.name}: STATS_SEGMENT`);
    t.match((caught as Error | undefined)?.message, c.message, c.name);
  }
});

t.test('source failures become STATS_SEGMENT; bad indices are the caller’s RangeError', async (t) => {
  const failing: SegmentSource = {
    size,
    read() {
      throw Object.assign(new Error('bad file descriptor'), { code: 'EBADF' });
    },
  };
  await t.rejects(new StatsSegmentReader(failing).read({ scalars: ['x'] }), {
    code: 'STATS_SEGMENT',
    message: 'stats segment: read failed: bad file descriptor',
  });
  const reader = new StatsSegmentReader(bufferSource(build().buf));
  await t.rejects(reader.read({ simple: [{ name: 'x', indices: [-1] }] }), RangeError);
  await t.rejects(reader.read({ combined: [{ name: 'x', indices: [1.5] }] }), RangeError);
});

t.test('builder refuses a layout that does not fit', async (t) => {
  t.throws(() => buildSegmentImage(model(), { base, epoch: 1n, size: 256 }), RangeError);
  t.throws(() => buildSegmentImage(new Map([['x'.repeat(128), { kind: 'scalar', value: 0n }]]), { base, epoch: 1n, size }), RangeError);
});
