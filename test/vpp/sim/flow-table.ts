import t from 'tap';
import { FlowTable } from '../../../src/vpp/sim/flow-table.js';

// Two buckets of four entries, 10 s timeout; values are AS names. Hashes 1, 3, 5, 7, 9 all land
// in bucket 1 (hash & 1); 2 in bucket 0.
type Op =
  | { put: { hash: number; value: string | undefined; vip: number; at: number } }
  | { flush: { vip: number; value?: string } }
  | { advance: number };

function run(ops: readonly Op[]): { table: FlowTable<string>; now: () => number } {
  const table = new FlowTable<string>(2, 10);
  let now = 100;
  for (const op of ops) {
    if ('put' in op) {
      const { available } = table.get(op.put.hash, op.put.vip, now);
      if (available !== op.put.at) throw new Error(`setup: wanted entry ${op.put.at} free, got ${available}`);
      table.put(op.put.hash, op.put.value, op.put.vip, available, now);
    } else if ('flush' in op) table.flush(op.flush.vip, op.flush.value);
    else now += op.advance;
  }
  return { table, now: () => now };
}

const put = (hash: number, value: string | undefined, at: number, vip = 1): Op => ({ put: { hash, value, vip, at } });
const full: Op[] = [put(1, 'a', 0), put(3, 'b', 1), put(5, 'c', 2), put(7, 'd', 3)];

t.test('lookups (lb_hash_get)', async (t) => {
  const cases: Array<{ name: string; in: { ops: Op[]; hash: number; vip?: number }; want: { found: string | undefined; available: number } }> = [
    { name: 'empty table: a miss, the first entry free', in: { ops: [], hash: 1 }, want: { found: undefined, available: 0 } },
    { name: 'a hit', in: { ops: [put(1, 'a', 0)], hash: 1 }, want: { found: 'a', available: 1 } },
    { name: 'same hash, another VIP: a miss', in: { ops: [put(1, 'a', 0)], hash: 1, vip: 2 }, want: { found: undefined, available: 1 } },
    { name: 'same bucket, another hash: a miss', in: { ops: [put(1, 'a', 0)], hash: 3 }, want: { found: undefined, available: 1 } },
    { name: 'other bucket: untouched', in: { ops: [put(1, 'a', 0)], hash: 2 }, want: { found: undefined, available: 0 } },
    { name: 'four valid entries: nothing free', in: { ops: full, hash: 9 }, want: { found: undefined, available: -1 } },
    { name: 'four valid entries: a hit still hits', in: { ops: full, hash: 5 }, want: { found: 'c', available: -1 } },
    { name: 'valid one second before the timeout', in: { ops: [put(1, 'a', 0), { advance: 9 }], hash: 1 }, want: { found: 'a', available: 1 } },
    { name: 'expired at the timeout: a miss, and its entry is free', in: { ops: [put(1, 'a', 0), { advance: 10 }], hash: 1 }, want: { found: undefined, available: 0 } },
    { name: 'the first expired entry is offered', in: { ops: [...full, { advance: 10 }], hash: 9 }, want: { found: undefined, available: 0 } },
    { name: 'a flushed entry matches nothing', in: { ops: [put(1, 'a', 0), { flush: { vip: 1, value: 'a' } }], hash: 1 }, want: { found: undefined, available: 1 } },
    {
      name: 'a flushed entry is not free before its timeout',
      in: { ops: [...full, { flush: { vip: 1 } }], hash: 9 },
      want: { found: undefined, available: -1 },
    },
    { name: 'a flushed entry is free after its timeout', in: { ops: [...full, { flush: { vip: 1 } }, { advance: 10 }], hash: 9 }, want: { found: undefined, available: 0 } },
    { name: 'flushing another AS keeps the entry', in: { ops: [put(1, 'a', 0), { flush: { vip: 1, value: 'b' } }], hash: 1 }, want: { found: 'a', available: 1 } },
    { name: 'flushing another VIP keeps the entry', in: { ops: [put(1, 'a', 0), { flush: { vip: 2 } }], hash: 1 }, want: { found: 'a', available: 1 } },
    { name: 'an entry without a value (no server) reads as a miss', in: { ops: [put(1, undefined, 0)], hash: 1 }, want: { found: undefined, available: 1 } },
  ];
  for (const c of cases) {
    const { table, now } = run(c.in.ops);
    t.same(table.get(c.in.hash, c.in.vip ?? 1, now()), c.want, c.name);
  }
});

t.test('a hit refreshes the timeout, a miss does not', async (t) => {
  const { table } = run([put(1, 'a', 0), put(3, 'b', 1)]);
  t.equal(table.get(1, 1, 108).found, 'a', 'hit at +8 s');
  t.equal(table.get(1, 1, 117).found, 'a', 'still there at +17 s: the hit moved its timeout to +18 s');
  t.equal(table.get(3, 1, 117).found, undefined, 'the other idled out at +10 s');
  t.equal(table.get(1, 1, 127).found, undefined, 'gone 10 s after its last hit');
});

t.test('a no-server entry is refreshed by its hits too', async (t) => {
  const { table } = run([put(1, undefined, 0)]);
  t.equal(table.get(1, 1, 108).available, 1, 'its entry stays taken');
  t.equal(table.get(1, 1, 115).available, 1, 'still taken after the first timeout: the hit refreshed it');
});

t.test('references (as_refcount)', async (t) => {
  const cases: Array<{ name: string; in: Op[]; want: { a: number; b: number } }> = [
    { name: 'one entry', in: [put(1, 'a', 0)], want: { a: 1, b: 0 } },
    { name: 'two entries of one AS', in: [put(1, 'a', 0), put(2, 'a', 0)], want: { a: 2, b: 0 } },
    { name: 'an expired entry still references its AS', in: [put(1, 'a', 0), { advance: 30 }], want: { a: 1, b: 0 } },
    { name: 'an overwrite releases the old AS', in: [put(1, 'a', 0), { advance: 30 }, put(3, 'b', 0)], want: { a: 0, b: 1 } },
    { name: 'a flush releases', in: [put(1, 'a', 0), put(3, 'b', 1), { flush: { vip: 1, value: 'a' } }], want: { a: 0, b: 1 } },
    { name: 'a VIP flush releases every AS of the VIP', in: [put(1, 'a', 0), put(3, 'b', 1, 2), { flush: { vip: 1 } }], want: { a: 0, b: 1 } },
    { name: 'no server references nothing', in: [put(1, undefined, 0)], want: { a: 0, b: 0 } },
  ];
  for (const c of cases) {
    const { table } = run(c.in);
    t.same({ a: table.refs('a'), b: table.refs('b') }, c.want, c.name);
  }
});

t.test('the bucket count must be a power of 2', async (t) => {
  for (const bad of [0, 3, 1.5, -4]) t.throws(() => new FlowTable(bad, 10), /not a power of 2/, String(bad));
  t.equal(new FlowTable(1, 10).buckets, 1);
});
