import t from 'tap';
import { bucketOwners, bucketsOf, movedBuckets, vipTable } from '../../src/core/vip-table.js';
import { ipToIp46 } from '../../src/shared/ip-address.js';
import { maglevTable, noMember } from '../../src/shared/maglev.js';

const ases = (pairs: Array<[string, number]>) => pairs.map(([address, weight]) => ({ address, weight }));

/** The oracle: owners straight from maglevTable over the given members, in the given order. */
function owners(pairs: Array<[string, number]>, size: number): string[] {
  const members = pairs.map(([a, w]) => ({ ip46: ipToIp46(a), weight: w }));
  return Array.from(maglevTable(members, size), (i) => (i === noMember ? '' : pairs[i]![0]));
}

t.test('bucket counts: VPP test vectors (M = 1024), in VPP order', async (t) => {
  const cases: Array<{ name: string; in: Array<[string, number]>; want: Array<[string, number]> }> = [
    { name: 'four equal', in: [['10.0.0.4', 100], ['10.0.0.2', 100], ['10.0.0.1', 100], ['10.0.0.3', 100]], want: [['10.0.0.1', 256], ['10.0.0.2', 256], ['10.0.0.3', 256], ['10.0.0.4', 256]] },
    { name: 'one at half weight', in: [['10.0.0.1', 50], ['10.0.0.2', 100], ['10.0.0.3', 100], ['10.0.0.4', 100]], want: [['10.0.0.1', 150], ['10.0.0.2', 292], ['10.0.0.3', 291], ['10.0.0.4', 291]] },
    { name: 'weight 0 leaves the table', in: [['10.0.0.1', 50], ['10.0.0.2', 0], ['10.0.0.3', 100], ['10.0.0.4', 100]], want: [['10.0.0.1', 208], ['10.0.0.3', 408], ['10.0.0.4', 408]] },
    { name: 'IPv6 pair', in: [['2001:db8::3', 100], ['2001:db8::2', 100]], want: [['2001:db8::2', 512], ['2001:db8::3', 512]] },
    { name: 'no AS', in: [], want: [] },
  ];
  for (const c of cases) {
    const tb = vipTable(1024, ases(c.in));
    t.same(tb.ases.map((a, i) => [a.address, tb.buckets[i]]), c.want, c.name);
    t.same(bucketOwners(tb), owners(c.in, 1024), `${c.name}: owners as maglevTable gives them`);
  }
});

t.test('bucketsOf', async (t) => {
  const tb = vipTable(1024, ases([['10.0.0.2', 100], ['10.0.0.3', 50]]));
  const cases = [
    { in: '10.0.0.2', want: 674 },
    { in: '10.0.0.3', want: 350 },
    { in: '10.0.0.9', want: 0 },
  ];
  for (const c of cases) t.equal(bucketsOf(tb, c.in), c.want, c.in);
  t.ok(bucketOwners(vipTable(8, [])).every((o) => o === ''), 'no AS: every bucket has no owner');
});

t.test('moved buckets against the oracle', async (t) => {
  const four: Array<[string, number]> = [['10.0.0.1', 100], ['10.0.0.2', 100], ['10.0.0.3', 100], ['10.0.0.4', 100]];
  const cases: Array<{ name: string; before: Array<[string, number]>; after: Array<[string, number]> }> = [
    { name: 'nothing changes', before: four, after: four },
    { name: 'one to half weight', before: four, after: [['10.0.0.1', 50], ...four.slice(1)] },
    { name: 'one drained', before: four, after: [['10.0.0.1', 100], ['10.0.0.2', 0], ['10.0.0.3', 100], ['10.0.0.4', 100]] },
    { name: 'one added', before: four.slice(0, 3), after: four },
    { name: 'all gone', before: four, after: [] },
    { name: 'from nothing', before: [], after: four },
  ];
  for (const c of cases) {
    const a = owners(c.before, 1024);
    const b = owners(c.after, 1024);
    const want = a.filter((o, i) => o !== b[i]).length;
    t.equal(movedBuckets(vipTable(1024, ases(c.before)), vipTable(1024, ases(c.after))), want, c.name);
  }
  // Draining one of four equal ASes moves at least its own quarter, and far from everything.
  const drained = movedBuckets(vipTable(1024, ases(four)), vipTable(1024, ases([['10.0.0.1', 100], ['10.0.0.3', 100], ['10.0.0.4', 100]])));
  t.ok(drained >= 256 && drained < 512, `draining one of four moves ${drained} buckets`);
  t.equal(movedBuckets(vipTable(1024, ases(four)), vipTable(2048, ases(four))), 2048, 'a new size moves every bucket');
});
