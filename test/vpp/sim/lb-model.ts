import t from 'tap';
import { ManualClock } from '../../support/manual-clock.js';
import { parseVipsVerbose } from '../../../src/vpp/cli-vips-parser.js';
import type { VipKey } from '../../../src/shared/lb-vip.js';
import { renderLbMain, renderVips, renderVipsVerbose } from '../../../src/vpp/sim/lb-cli-render.js';
import { LbModel, vipPrefix, type VipAddArgs } from '../../../src/vpp/sim/lb-model.js';

const web: VipKey = { prefix: '192.0.2.1/32', protocol: 6, port: 80 };
const dns: VipKey = { prefix: '192.0.2.1/32', protocol: 17, port: 53 };
const allPort: VipKey = { prefix: '192.0.2.1/32', protocol: 255, port: 0 };
const v6: VipKey = { prefix: '2001:db8::1/128', protocol: 6, port: 443 };

function vip(key: VipKey, more: Partial<VipAddArgs> = {}): VipAddArgs {
  return { ...key, encap: 'gre4', newFlowsTableLength: 1024, srcIpSticky: false, ...more };
}

function model(clock = new ManualClock(0), threads = 1): LbModel {
  return new LbModel({ clock, threads });
}

type Step = (m: LbModel) => number;

t.test('retvals of the lb plugin calls', async (t) => {
  const cases: Array<{ name: string; setup?: Step[]; do: Step; want: number }> = [
    // lb_add_del_vip_v2 add
    { name: 'VIP add', do: (m) => m.addVip(vip(web)), want: 0 },
    { name: 'identical live VIP → -81', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addVip(vip(web, { srcIpSticky: true })), want: -81 },
    { name: 'identical key with another encap → -81', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addVip(vip(web, { encap: 'gre6' })), want: -81 },
    { name: 'per-port while all-port exists → -81', setup: [(m) => m.addVip(vip(allPort))], do: (m) => m.addVip(vip(web)), want: -81 },
    { name: 'all-port while per-port exists → -81', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addVip(vip(allPort)), want: -81 },
    { name: 'per-port sibling with another encap → -73', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addVip(vip(dns, { encap: 'gre6' })), want: -73 },
    { name: 'per-port sibling with the same encap', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addVip(vip(dns)), want: 0 },
    { name: 'another prefix with another encap', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addVip(vip({ ...dns, prefix: '192.0.2.2/32' }, { encap: 'gre6' })), want: 0 },
    { name: 'table length not a power of 2 → -70', do: (m) => m.addVip(vip(web, { newFlowsTableLength: 1000 })), want: -70 },
    { name: 'table length 0 passes is_pow2', do: (m) => m.addVip(vip(web, { newFlowsTableLength: 0 })), want: 0 },
    { name: 'IPv6 VIP with nat4 → -97', do: (m) => m.addVip(vip(v6, { encap: 'nat4' })), want: -97 },
    { name: 'IPv4 VIP with nat6 → -97', do: (m) => m.addVip(vip(web, { encap: 'nat6' })), want: -97 },
    { name: 'IPv6 VIP with l3dsr → -97', do: (m) => m.addVip(vip(v6, { encap: 'l3dsr' })), want: -97 },
    { name: 'IPv4 VIP with gre6 encap', do: (m) => m.addVip(vip(web, { encap: 'gre6' })), want: 0 },
    { name: 'IPv6 VIP with gre4 encap', do: (m) => m.addVip(vip(v6, { encap: 'gre4' })), want: 0 },
    { name: 'l3dsr with dscp ≥ 64 → -81', do: (m) => m.addVip(vip(web, { encap: 'l3dsr', dscp: 64 })), want: -81 },
    { name: 'order: -81 before -70', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addVip(vip(web, { newFlowsTableLength: 3 })), want: -81 },
    { name: 'order: -73 before -70', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addVip(vip(dns, { encap: 'gre6', newFlowsTableLength: 3 })), want: -73 },
    { name: 'order: -70 before -97', do: (m) => m.addVip(vip(v6, { encap: 'nat4', newFlowsTableLength: 3 })), want: -70 },
    { name: 'port 0 forces protocol 255: same key as all-port', setup: [(m) => m.addVip(vip(allPort))], do: (m) => m.addVip(vip({ ...allPort, protocol: 6 })), want: -81 },
    { name: 'host bits are masked', setup: [(m) => m.addVip(vip({ ...web, prefix: '198.51.100.5/24' }))], do: (m) => m.addVip(vip({ ...web, prefix: '198.51.100.77/24' })), want: -81 },
    { name: 'a removed VIP does not block a re-add', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false), (m) => m.delVip(web)], do: (m) => m.addVip(vip(web)), want: 0 },
    // lb_add_del_vip_v2 delete
    { name: 'VIP delete of a missing VIP → -6', do: (m) => m.delVip(web), want: -6 },
    { name: 'VIP delete with ASes → 0', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false)], do: (m) => m.delVip(web), want: 0 },
    { name: 'VIP delete twice → -6', setup: [(m) => m.addVip(vip(web)), (m) => m.delVip(web)], do: (m) => m.delVip(web), want: -6 },
    // lb_add_del_as_v2 add
    { name: 'AS add without VIP → -6', do: (m) => m.addAs(web, '10.0.0.2', 100, false), want: -6 },
    { name: 'AS add', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addAs(web, '10.0.0.2', 100, false), want: 0 },
    { name: 'AS add in use → -81', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false)], do: (m) => m.addAs(web, '10.0.0.2', 100, false), want: -81 },
    { name: 'AS add in use with another weight → -81', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false)], do: (m) => m.addAs(web, '10.0.0.2', 50, false), want: -81 },
    { name: 'AS add of a removed AS revives it', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false), (m) => m.delAs(web, '10.0.0.2', false)], do: (m) => m.addAs(web, '10.0.0.2', 30, true), want: 0 },
    { name: 'IPv6 AS on a gre4 VIP → -97', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addAs(web, '2001:db8::2', 100, false), want: -97 },
    { name: 'IPv4 AS on a gre6 VIP → -97', setup: [(m) => m.addVip(vip(v6, { encap: 'gre6' }))], do: (m) => m.addAs(v6, '10.0.0.2', 100, false), want: -97 },
    { name: 'IPv6 AS on an IPv4 gre6 VIP', setup: [(m) => m.addVip(vip(web, { encap: 'gre6' }))], do: (m) => m.addAs(web, '2001:db8::2', 100, false), want: 0 },
    { name: 'weight 255 is accepted', setup: [(m) => m.addVip(vip(web))], do: (m) => m.addAs(web, '10.0.0.2', 255, false), want: 0 },
    { name: 'AS add on a removed VIP → -6', setup: [(m) => m.addVip(vip(web)), (m) => m.delVip(web)], do: (m) => m.addAs(web, '10.0.0.2', 100, false), want: -6 },
    // lb_add_del_as_v2 delete
    { name: 'AS delete without VIP → -6', do: (m) => m.delAs(web, '10.0.0.2', true), want: -6 },
    { name: 'AS delete of a missing AS → -6', setup: [(m) => m.addVip(vip(web))], do: (m) => m.delAs(web, '10.0.0.2', true), want: -6 },
    { name: 'AS delete', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false)], do: (m) => m.delAs(web, '10.0.0.2', true), want: 0 },
    { name: 'AS delete of a removed AS → 0', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false), (m) => m.delAs(web, '10.0.0.2', false)], do: (m) => m.delAs(web, '10.0.0.2', false), want: 0 },
    // lb_as_set_weight
    { name: 'set weight without VIP → -6', do: (m) => m.setWeight(web, '10.0.0.2', 1, false), want: -6 },
    { name: 'set weight of a missing AS → -6', setup: [(m) => m.addVip(vip(web))], do: (m) => m.setWeight(web, '10.0.0.2', 1, false), want: -6 },
    { name: 'set weight of a removed AS → -6', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false), (m) => m.delAs(web, '10.0.0.2', false)], do: (m) => m.setWeight(web, '10.0.0.2', 1, false), want: -6 },
    { name: 'set weight above 100', setup: [(m) => m.addVip(vip(web)), (m) => m.addAs(web, '10.0.0.2', 100, false)], do: (m) => m.setWeight(web, '10.0.0.2', 200, true), want: 0 },
    // lb_flush_vip, lb_conf
    { name: 'flush of a missing VIP → 0', do: (m) => m.flushVip(web), want: 0 },
    { name: 'lb_conf non-pow2 buckets → -70', do: (m) => m.setConf({ ip4SrcAddress: '10.0.0.1', ip6SrcAddress: '::1', stickyBucketsPerCore: 1000, flowTimeoutS: 40 }), want: -70 },
    { name: 'lb_conf', do: (m) => m.setConf({ ip4SrcAddress: '10.0.0.1', ip6SrcAddress: '::1', stickyBucketsPerCore: 2048, flowTimeoutS: 30 }), want: 0 },
  ];
  for (const c of cases) {
    const m = model();
    for (const [i, s] of (c.setup ?? []).entries()) t.equal(s(m), 0, `${c.name}: setup ${i}`);
    t.equal(c.do(m), c.want, c.name);
    m.dispose();
  }
});

t.test('VIP storage quirks', async (t) => {
  const m = model();
  t.equal(m.addVip(vip({ ...allPort, protocol: 6 })), 0);
  t.equal(m.addVip(vip({ ...web, prefix: '198.51.100.77/24' })), 0);
  t.equal(m.addVip(vip(v6, { encap: 'gre6', srcIpSticky: true })), 0);
  const vips = m.liveVips();
  t.same(
    vips.map((v) => [v.index, vipPrefix(v), v.protocol, v.port]),
    [
      [1, '192.0.2.1/32', 255, 0],
      [2, '198.51.100.0/24', 6, 80],
      [3, '2001:db8::1/128', 6, 443],
    ],
    'port 0 → protocol 255; host bits masked; pool indices from 1',
  );
  t.same([...vips[0]!.ip46], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1], 'IPv4 stored as ::a.b.c.d');
  t.equal(vips[0]!.plen, 128, 'with plen 96 + 32');
  t.equal(m.addVip(vip(web, { newFlowsTableLength: 0 })), -81, 'the all-port VIP blocks per-port adds');
  m.dispose();

  const z = model();
  t.equal(z.addVip(vip(web, { newFlowsTableLength: 0 })), 0);
  t.match(z.warnings, [/2\^32/], 'a zero table length is recorded as a warning');
  z.dispose();
});

t.test('conf: defaults, keep values, addresses always overwritten', async (t) => {
  const m = model();
  t.same(m.conf, { ip4SrcAddress: '255.255.255.255', ip6SrcAddress: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', stickyBucketsPerCore: 1024, flowTimeoutS: 40 });
  t.equal(m.setConf({ ip4SrcAddress: '10.0.0.1', ip6SrcAddress: '2001:db8::1', stickyBucketsPerCore: 0xffffffff, flowTimeoutS: 0xffffffff }), 0);
  t.same(m.conf, { ip4SrcAddress: '10.0.0.1', ip6SrcAddress: '2001:db8::1', stickyBucketsPerCore: 1024, flowTimeoutS: 40 });
  t.equal(m.setConf({ ip4SrcAddress: '0.0.0.0', ip6SrcAddress: '::', stickyBucketsPerCore: 4096, flowTimeoutS: 0xffffffff }), 0);
  t.same(m.conf, { ip4SrcAddress: '0.0.0.0', ip6SrcAddress: '::', stickyBucketsPerCore: 4096, flowTimeoutS: 40 });
  t.equal(m.setConf({ ip4SrcAddress: '1.1.1.1', ip6SrcAddress: '::1', stickyBucketsPerCore: 3, flowTimeoutS: 5 }), -70);
  t.equal(m.conf.ip4SrcAddress, '0.0.0.0', 'a refused lb_conf changes nothing');
  m.dispose();
});

t.test('VIP delete with ASes, AS revive, pool index reuse', async (t) => {
  const clock = new ManualClock(0);
  const m = model(clock);
  m.addVip(vip(web));
  m.addAs(web, '10.0.0.2', 100, false);
  m.addAs(web, '10.0.0.3', 50, false);
  t.equal(m.delVip(web), 0);
  t.same(m.liveVips(), [], 'no live VIP');
  const removed = m.allVips();
  t.same(
    removed.map((v) => [v.index, v.used, v.ases.map((a) => a.used)]),
    [[1, false, [false, false]]],
    'VIP and ASes linger, marked removed',
  );
  t.equal(m.addVip(vip(web)), 0, 're-add at once');
  t.equal(m.findVip(web)?.index, 2, 'gets a new index');

  // Revive: weight and in-use restored, flush clears stale sticky entries.
  m.addAs(web, '10.0.0.9', 100, false);
  m.simulateTraffic({ vip: web, newFlows: 10 });
  m.delAs(web, '10.0.0.9', false);
  const as = m.findVip(web)!.ases[0]!;
  t.equal(m.flows(as), 10, 'removed without flush keeps its flows');
  t.equal(m.addAs(web, '10.0.0.9', 20, true), 0);
  t.same([as.used, as.weight, m.flows(as)], [true, 20, 0], 'revived with new weight, flushed');

  clock.advance(130_000);
  t.same(
    m.allVips().map((v) => v.index),
    [2],
    'the removed VIP [1] is collected by the background GC',
  );
  t.equal(m.addVip(vip(dns)), 0);
  t.equal(m.findVip(dns)?.index, 1, 'its index is reused');
  t.same(m.stats.totals(1), { next: 0, first: 0, untracked: 0, noServer: 0 }, 'with zeroed counters');
  m.dispose();
});

t.test('GC timing (60 s runs, 10 s hold, flows keep an AS)', async (t) => {
  const clock = new ManualClock(0);
  const m = model(clock);
  const present = (addr: string): boolean => m.asDump({ prefix: '0.0.0.0/0', protocol: 0, port: 0 }).some((r) => r.as.address === addr);
  m.addVip(vip(web));
  m.addAs(web, '10.0.0.2', 100, false);
  m.addAs(web, '10.0.0.3', 100, false);
  clock.advance(5_000);
  m.delAs(web, '10.0.0.2', false);
  clock.advance(55_000); // t = 60: the background run is throttled (60 is not > 0 + 60)
  t.ok(present('10.0.0.2'), 'still listed at 60 s');
  clock.advance(59_000); // t = 119
  t.ok(present('10.0.0.2'), 'still listed at 119 s');
  clock.advance(1_000); // t = 120: run, 120 > 60 and 120 > 5 + 10
  t.notOk(present('10.0.0.2'), 'collected at 120 s');
  t.ok(present('10.0.0.3'), 'the live AS stays');

  // A removed AS with live sticky flows outlives the hold until the flows idle out (40 s).
  m.simulateTraffic({ vip: web, newFlows: 50 });
  m.delAs(web, '10.0.0.3', false); // t = 120; per-VIP GC ran at 120 already, so none here
  clock.advance(60_000); // t = 180: throttled (180 is not > 120 + 60)
  t.ok(present('10.0.0.3'), 'listed at 180 s');
  clock.advance(60_000); // t = 240: flows idle since 120 (> 40 s) → collected
  t.notOk(present('10.0.0.3'), 'collected at 240 s');
  m.dispose();

  // Flows keep it alive past a GC run.
  const c2 = new ManualClock(0);
  const m2 = model(c2);
  m2.addVip(vip(web));
  m2.addAs(web, '10.0.0.2', 100, false);
  c2.advance(100_000);
  m2.simulateTraffic({ vip: web, newFlows: 5 });
  m2.delAs(web, '10.0.0.2', false); // per-VIP GC runs here (100 > 60): nothing to free yet
  c2.advance(20_000); // t = 120: run throttled (120 is not > 100 + 60)
  c2.advance(60_000); // t = 180: run; removed at 100, flows idle since 100 → 80 s > 40 s
  t.equal(m2.allVips()[0]?.ases.length, 0, 'collected once the flows idled out');
  m2.dispose();

  // An AS add runs the per-VIP GC: a hold-expired removed AS goes at once.
  const c3 = new ManualClock(0);
  const m3 = new LbModel({ clock: c3, backgroundGc: false });
  m3.addVip(vip(web));
  m3.addAs(web, '10.0.0.2', 100, false);
  c3.advance(5_000);
  m3.delAs(web, '10.0.0.2', false);
  c3.advance(56_000); // t = 61
  t.equal(m3.findVip(web)?.ases.length, 1, 'no background GC: still there');
  m3.addAs(web, '10.0.0.3', 100, false);
  t.same(
    m3.findVip(web)?.ases.map((a) => a.address),
    ['10.0.0.3'],
    'collected by the GC of the AS add',
  );
  m3.dispose();
});

t.test('lb_as_v2_dump filters', async (t) => {
  const m = model();
  m.addVip(vip(web));
  m.addAs(web, '10.0.0.2', 100, false);
  m.addVip(vip(v6, { encap: 'gre6' }));
  m.addAs(v6, '2001:db8::2', 100, false);
  m.addVip(vip(dns));
  m.addAs(dns, '10.0.0.5', 100, false);
  m.delVip(dns);
  const cases: Array<{ name: string; in: VipKey; want: Array<[string, number]> }> = [
    { name: 'all-zero IPv4 dumps all, removed included', in: { prefix: '0.0.0.0/0', protocol: 0, port: 0 }, want: [['10.0.0.2', 1], ['2001:db8::2', 1], ['10.0.0.5', 0]] },
    { name: 'all-zero IPv6 dumps all too', in: { prefix: '::/0', protocol: 6, port: 1 }, want: [['10.0.0.2', 1], ['2001:db8::2', 1], ['10.0.0.5', 0]] },
    { name: 'an IPv4 VIP filter returns nothing', in: web, want: [] },
    { name: 'an IPv6 VIP filter works', in: v6, want: [['2001:db8::2', 1]] },
    { name: 'an IPv6 filter with another port returns nothing', in: { ...v6, port: 80 }, want: [] },
  ];
  for (const c of cases) {
    t.same(
      m.asDump(c.in).map((r) => [r.as.address, r.as.used ? 1 : 0]),
      c.want,
      c.name,
    );
  }
  m.dispose();
});

t.test('Maglev buckets and traffic counters', async (t) => {
  const m = model(new ManualClock(0), 3);
  m.addVip(vip(web));
  const v = m.findVip(web)!;
  t.same(m.simulateTraffic({ vip: web, newFlows: 10, packetsPerFlow: 3 }), { next: 0, first: 0, untracked: 0, noServer: 30 }, 'no AS: no server');
  m.addAs(web, '10.0.0.2', 100, false);
  m.addAs(web, '10.0.0.3', 50, false);
  t.same(
    v.ases.map((a) => m.buckets(v, a)),
    [674, 350],
    'buckets as VPP computes them',
  );
  t.same(m.simulateTraffic({ vip: web, newFlows: 100, packetsPerFlow: 5, bytesPerPacket: 100 }), { next: 400, first: 100, untracked: 0, noServer: 0 });
  t.equal(
    v.ases.reduce((n, a) => n + m.flows(a), 0),
    100,
    'each new flow holds a sticky entry',
  );
  t.ok(m.flows(v.ases[0]!) > m.flows(v.ases[1]!), 'the heavier AS takes more flows');
  t.same(m.stats.totals(v.index), { next: 400, first: 100, untracked: 0, noServer: 30 });
  t.equal(m.stats.vip(v.index)[0]?.first, 0, 'the main thread forwards nothing with workers');
  t.equal(m.stats.vip(v.index).length, 3);

  m.setWeight(web, '10.0.0.2', 0, false);
  m.setWeight(web, '10.0.0.3', 0, false);
  t.same(m.simulateTraffic({ vip: web, newFlows: 4 }).noServer, 4, 'weight 0 everywhere: no server');

  const route = m.routeLookup(0, '192.0.2.1/32');
  t.equal(route.retval, 0);
  const rc = m.stats.routeCounters().get(route.statsIndex)!;
  t.equal(rc.packets.reduce((a, b) => a + b), 30 + 500 + 4, 'route packets');
  t.equal(rc.bytes.reduce((a, b) => a + b), 30 * 64 + 500 * 100 + 4 * 64, 'route bytes');
  t.same(m.routeLookup(0, '192.0.2.2/32').retval, -6, 'unknown route');
  t.same(m.routeLookup(5, '192.0.2.1/32').retval, -3, 'unknown table');
  t.throws(() => m.simulateTraffic({ vip: dns, newFlows: 1 }), /no live VIP/);
  m.dispose();

  const small = model();
  small.setConf({ ...small.conf, stickyBucketsPerCore: 4 });
  small.addVip(vip(web));
  small.addAs(web, '10.0.0.2', 100, false);
  t.same(small.simulateTraffic({ vip: web, newFlows: 10, packetsPerFlow: 2 }), { next: 4, first: 4, untracked: 12, noServer: 0 }, 'sticky table full → untracked');
  small.flushVip(web);
  t.equal(small.simulateTraffic({ vip: web, newFlows: 1 }).first, 1, 'flush frees sticky entries');
  small.dispose();
});

t.test('CLI rendering round-trips through the parser', async (t) => {
  const m = model();
  m.addVip(vip(web));
  m.addAs(web, '10.0.0.2', 100, false);
  m.addAs(web, '10.0.0.3', 50, false);
  m.addAs(web, '10.0.0.4', 10, false);
  m.delAs(web, '10.0.0.4', true);
  m.addVip(vip(v6, { encap: 'gre6', srcIpSticky: true }));
  m.addVip(vip({ ...allPort, prefix: '198.51.100.0/24' }, { srcIpSticky: true }));
  m.addVip(vip({ ...dns, prefix: '192.0.2.50/32' }, { encap: 'nat4', targetPort: 5353 }));
  m.addVip(vip({ ...dns, prefix: '192.0.2.99/32' }));
  m.delVip({ ...dns, prefix: '192.0.2.99/32' });
  m.simulateTraffic({ vip: web, newFlows: 7, packetsPerFlow: 2 });
  const text = renderVipsVerbose(m);
  t.match(text, /^ ip4-gre4 \[1\] 192\.0\.2\.1\/32\n {2}new_size:1024\n {2}protocol:6 port:80\n {2}counters:\n/, 'header layout');
  t.match(text, / ip4-nat4 \[4\] 192\.0\.2\.50\/32\n {2}new_size:1024\n {2}protocol:17 port:53\n {2}type:clusterip port:53 target_port:5353 {2}counters:/, 'NAT type line glued onto counters:');
  t.match(text, /10\.0\.0\.4 weight:10 buckets:0 flows:0 dpo:\d+ {2}removed/, 'two spaces before removed');
  t.match(text, /\n\n ip6-gre6 \[2\]/, 'blocks separated by an empty line');
  const blocks = parseVipsVerbose(text);
  t.same(
    blocks.map((b) => [b.index, b.prefix, b.protocol, b.port, b.encap, b.srcIpSticky, b.removed]),
    [
      [1, '192.0.2.1/32', 6, 80, 'gre4', false, false],
      [2, '2001:db8::1/128', 6, 443, 'gre6', true, false],
      [3, '198.51.100.0/24', 255, 0, 'gre4', true, false],
      [4, '192.0.2.50/32', 17, 53, 'nat4', false, false],
      [5, '192.0.2.99/32', 17, 53, 'gre4', false, true],
    ],
  );
  t.same(blocks[0]?.counters, { next: 7, first: 7, untracked: 0, noServer: 0 });
  t.same(
    blocks[0]?.ases.map((a) => [a.address, a.weight, a.buckets, a.removed]),
    m.findVip(web)!.ases.map((a) => [a.address, a.weight, m.buckets(m.findVip(web)!, a), !a.used]),
  );
  t.equal(blocks[0]?.ases.reduce((n, a) => n + a.buckets, 0), 1024, 'buckets add up');
  t.match(renderVips(m), / ip4-gre4 192\.0\.2\.1\/32 new_size:1024 #as:3 {2}protocol:6 port:80/);
  t.match(renderLbMain(m), /ip4-src-address: 255\.255\.255\.255/);
  m.dispose();
});
