import t from 'tap';
import { encodeFrame, FrameDecoder, frameHeaderSize } from '../../src/vpp/frame.js';

const msg = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

/** Splits a byte stream into reads of the given sizes (the last read takes the rest). */
function split(stream: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  for (const s of sizes) {
    if (off >= stream.length) break;
    out.push(stream.subarray(off, off + s));
    off += s;
  }
  if (off < stream.length) out.push(stream.subarray(off));
  return out;
}

t.test('frame header', async (t) => {
  const f = encodeFrame(Buffer.from([1, 2, 3]));
  t.equal(f.length, frameHeaderSize + 3);
  t.same([...f.subarray(0, 8)], [0, 0, 0, 0, 0, 0, 0, 0], 'q is zero');
  t.equal(f.readUInt32BE(8), 3, 'data_len big-endian');
  t.equal(f.readUInt32BE(12), 0, 'gc_mark_timestamp zero');
});

t.test('reassembly', async (t) => {
  const messages = [msg(10, 1), msg(0, 2), msg(70, 3), msg(300_000, 4), msg(18, 5)];
  const stream = Buffer.concat(messages.map(encodeFrame));
  const cases: Array<{ name: string; reads: Buffer[] }> = [
    { name: 'one read holding every frame', reads: [stream] },
    { name: 'byte by byte (first 200 bytes), then 64 KB reads', reads: [...split(stream.subarray(0, 200), new Array<number>(200).fill(1)), ...split(stream.subarray(200), new Array<number>(100).fill(65536))] },
    { name: 'split inside a header', reads: split(stream, [5, 20, 3]) },
    { name: 'odd read sizes', reads: split(stream, [17, 1000, 7, 123_457, 99_999, 31]) },
  ];
  for (const c of cases) {
    const d = new FrameDecoder();
    const got: Buffer[] = [];
    for (const r of c.reads) got.push(...d.push(r));
    t.equal(got.length, messages.length, `${c.name}: count`);
    t.ok(
      got.every((g, i) => g.equals(messages[i]!)),
      `${c.name}: contents`,
    );
    t.equal(d.buffered, 0, `${c.name}: nothing left over`);
  }
});

t.test('a partial frame stays buffered', async (t) => {
  const d = new FrameDecoder();
  const f = encodeFrame(msg(100, 9));
  t.same(d.push(f.subarray(0, 50)), []);
  t.equal(d.buffered, 34, 'the header is consumed, 34 body bytes held');
  t.equal(d.push(f.subarray(50))[0]?.length, 100);
});

t.test('an absurd frame length is a protocol error', async (t) => {
  const d = new FrameDecoder(1024);
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1025, 8);
  t.throws(() => d.push(header), { code: 'VPP_PROTOCOL' });
});
