import t from 'tap';
import { ipToIp46 } from '../../src/shared/ip-address.js';
import { isPowerOfTwo, maglevBuckets, maglevTable, noMember, xxhash64, xxhash64Pair } from '../../src/shared/maglev.js';

const m = (address: string, weight: number) => ({ ip46: ipToIp46(address), weight });

t.test('bucket counts: every test vector of vpp-wire.md §9 (M = 1024)', async (t) => {
  const cases: Array<{ name: string; in: Array<[string, number]>; want: number[] }> = [
    { name: 'four equal', in: [['10.0.0.1', 100], ['10.0.0.2', 100], ['10.0.0.3', 100], ['10.0.0.4', 100]], want: [256, 256, 256, 256] },
    { name: 'one at half weight', in: [['10.0.0.1', 50], ['10.0.0.2', 100], ['10.0.0.3', 100], ['10.0.0.4', 100]], want: [150, 292, 291, 291] },
    { name: 'one drained to 0', in: [['10.0.0.1', 50], ['10.0.0.2', 0], ['10.0.0.3', 100], ['10.0.0.4', 100]], want: [208, 0, 408, 408] },
    { name: '100 and 50 (the §8 sample)', in: [['10.0.0.2', 100], ['10.0.0.3', 50]], want: [674, 350] },
    { name: 'one AS alone', in: [['10.0.0.2', 100]], want: [1024] },
    { name: 'IPv6 pair', in: [['2001:db8::2', 100], ['2001:db8::3', 100]], want: [512, 512] },
  ];
  for (const c of cases) t.same(maglevBuckets(c.in.map(([a, w]) => m(a, w)), 1024), c.want, c.name);
});

t.test('the table does not depend on insertion order', async (t) => {
  const a = [m('10.0.0.1', 50), m('10.0.0.2', 100), m('10.0.0.3', 100), m('10.0.0.4', 100)];
  const b = [a[3]!, a[1]!, a[0]!, a[2]!];
  const ta = Array.from(maglevTable(a, 1024), (i) => (i === noMember ? '' : a[i]!.ip46.join('.')));
  const tb = Array.from(maglevTable(b, 1024), (i) => (i === noMember ? '' : b[i]!.ip46.join('.')));
  t.same(ta, tb);
});

t.test('edge cases', async (t) => {
  t.ok(Array.from(maglevTable([m('10.0.0.1', 0)], 8)).every((x) => x === noMember), 'no weight → no server');
  t.ok(Array.from(maglevTable([], 8)).every((x) => x === noMember), 'no AS → no server');
  t.same(maglevBuckets([m('10.0.0.1', 3), m('10.0.0.2', 1)], 1), [1, 0], 'M = 1 fills one slot');
  t.same(maglevBuckets([m('10.0.0.1', 255), m('10.0.0.2', 255)], 1024).reduce((x, y) => x + y), 1024, 'weight 255 fills exactly M');
  t.throws(() => maglevTable([m('10.0.0.1', 1)], 1000), RangeError);
  t.throws(() => maglevTable([m('10.0.0.1', 1)], 0), RangeError);
  const cases: Array<{ in: number; want: boolean }> = [
    { in: 0, want: false },
    { in: 1, want: true },
    { in: 2, want: true },
    { in: 3, want: false },
    { in: 1024, want: true },
    { in: 65536, want: true },
    { in: 1023, want: false },
    { in: -4, want: false },
  ];
  for (const c of cases) t.equal(isPowerOfTwo(c.in), c.want, String(c.in));
});

t.test('xxhash64 stays within 64 bits and spreads keys', async (t) => {
  const hashes = Array.from({ length: 1000 }, (_, i) => xxhash64(BigInt(i)));
  t.ok(
    hashes.every((h) => h >= 0n && h < 1n << 64n),
    'all within u64',
  );
  t.equal(new Set(hashes).size, 1000, 'no collisions among 1000 keys');
  t.equal(xxhash64((1n << 64n) - 1n), xxhash64((1n << 64n) - 1n), 'deterministic at the top of the range');
});

t.test('the u32-word hash equals the BigInt reference', async (t) => {
  const keys: Array<[number, number]> = [
    [0, 0],
    [0, 1],
    [1, 0],
    [0xffffffff, 0xffffffff],
    [0x80000000, 0x7fffffff],
    [0x0a000002, 0x0000007f],
  ];
  let x = 0x9e3779b9;
  for (let i = 0; i < 2000; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    keys.push([x, Math.imul(x, 0x297a2d39) >>> 0]);
  }
  const bad = keys.filter(([hi, lo]) => {
    const [h, l] = xxhash64Pair(hi, lo);
    return ((BigInt(h) << 32n) | BigInt(l)) !== xxhash64((BigInt(hi) << 32n) | BigInt(lo));
  });
  t.same(bad, [], `${keys.length} keys`);
});

t.test('cached seeds: rebuilding with other weights gives the vectors of a fresh build', async (t) => {
  // The same address arrays throughout, as the simulator keeps them per AS.
  const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((a) => ipToIp46(a));
  const build = (w: number[]): number[] => maglevBuckets(ips.map((ip46, i) => ({ ip46, weight: w[i]! })), 1024);
  t.same(build([10, 10, 10, 10]), [256, 256, 256, 256], 'a low weight first caches few seeds');
  t.same(build([50, 100, 100, 100]), [150, 292, 291, 291], 'raising the weights extends them');
  t.same(build([50, 0, 100, 100]), [208, 0, 408, 408]);
  t.same(build([100, 100, 100, 100]), [256, 256, 256, 256]);
});
