import { createHash } from 'node:crypto';
import t from 'tap';
import { digestVersion, programmedDigest, tableDigest, type ProgrammedAs } from '../../src/core/table-digest.js';
import { vipTable } from '../../src/core/vip-table.js';
import { ipToIp46 } from '../../src/shared/ip-address.js';
import { maglevTable, noMember } from '../../src/shared/maglev.js';

const as = (address: string, weight: number, numBuckets = 0, flags = 1): ProgrammedAs => ({ address, weight, flags, numBuckets });

/** The oracle: docs/table-digest.md's byte layout, written out independently. */
function documentedDigest(size: number, pairs: Array<[string, number]>): string {
  const sorted = pairs.filter(([, w]) => w > 0).sort(([a], [b]) => Buffer.compare(ipToIp46(a), ipToIp46(b)));
  const table = maglevTable(sorted.map(([a, w]) => ({ ip46: ipToIp46(a), weight: w })), size);
  const parts: Buffer[] = [Buffer.from('maglev-table-digest/1', 'ascii')];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(size), u32(sorted.length));
  for (const [a, w] of sorted) parts.push(Buffer.from(ipToIp46(a)), u32(w));
  for (const s of table) parts.push(u32(s === noMember ? 0xffffffff : s));
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

t.test('the digest follows the documented layout', async (t) => {
  t.equal(digestVersion, 'maglev-table-digest/1');
  const cases: Array<{ name: string; size: number; in: Array<[string, number]> }> = [
    { name: 'four equal', size: 1024, in: [['10.0.0.1', 100], ['10.0.0.2', 100], ['10.0.0.3', 100], ['10.0.0.4', 100]] },
    { name: 'uneven', size: 1024, in: [['10.0.0.2', 100], ['10.0.0.3', 50]] },
    { name: 'IPv6', size: 1024, in: [['2001:db8::3', 100], ['2001:db8::2', 100]] },
    { name: 'empty', size: 1024, in: [] },
    { name: 'small table', size: 8, in: [['10.0.0.1', 1]] },
  ];
  for (const c of cases) {
    const d = tableDigest(vipTable(c.size, c.in.map(([address, weight]) => ({ address, weight }))));
    t.match(d, /^[0-9a-f]{64}$/, `${c.name}: hex SHA-256`);
    t.equal(d, documentedDigest(c.size, c.in), c.name);
  }
});

t.test('what the digest depends on', async (t) => {
  const base = [as('10.0.0.1', 100, 256), as('10.0.0.2', 100, 256), as('10.0.0.3', 100, 256), as('10.0.0.4', 100, 256)];
  const d0 = programmedDigest(1024, base).digest;
  const cases: Array<{ name: string; size?: number; in: ProgrammedAs[]; same: boolean }> = [
    { name: 'AS order', in: [base[3]!, base[1]!, base[0]!, base[2]!], same: true },
    { name: 'a drained AS (weight 0)', in: [...base, as('10.0.0.5', 0)], same: true },
    { name: 'a removed AS not yet collected', in: [...base, as('10.0.0.6', 100, 0, 0)], same: true },
    { name: 'VPP bucket counts', in: base.map((a) => ({ ...a, numBuckets: 1 })), same: true },
    { name: 'one weight', in: [as('10.0.0.1', 50), ...base.slice(1)], same: false },
    { name: 'one AS fewer', in: base.slice(1), same: false },
    { name: 'one AS more', in: [...base, as('10.0.0.5', 100)], same: false },
    { name: 'the table size', size: 2048, in: base, same: false },
  ];
  for (const c of cases) t.equal(programmedDigest(c.size ?? 1024, c.in).digest === d0, c.same, c.name);
});

t.test("VPP's bucket counts are checked against the computed table", async (t) => {
  const cases: Array<{ name: string; in: ProgrammedAs[]; want: boolean }> = [
    { name: 'matching', in: [as('10.0.0.2', 100, 674), as('10.0.0.3', 50, 350)], want: true },
    { name: 'a drained AS with no buckets', in: [as('10.0.0.2', 100, 1024), as('10.0.0.3', 0, 0)], want: true },
    { name: 'removed ASes are not checked', in: [as('10.0.0.2', 100, 1024), as('10.0.0.3', 100, 7, 0)], want: true },
    { name: 'a count VPP disagrees on', in: [as('10.0.0.2', 100, 675), as('10.0.0.3', 50, 349)], want: false },
    { name: 'a drained AS VPP gives buckets', in: [as('10.0.0.2', 100, 1000), as('10.0.0.3', 0, 24)], want: false },
  ];
  for (const c of cases) t.equal(programmedDigest(1024, c.in).bucketsMatch, c.want, c.name);
  const p = programmedDigest(1024, [as('10.0.0.3', 50, 350), as('10.0.0.2', 100, 674)]);
  t.same(p.table.ases, [{ address: '10.0.0.2', weight: 100 }, { address: '10.0.0.3', weight: 50 }], 'the table lists in-table ASes in ip46 order');
});
