import t from 'tap';
import { ManualClock } from '../../support/manual-clock.js';
import type { VipKey } from '../../../src/shared/lb-vip.js';
import { lbFlowHash, type FlowTuple } from '../../../src/vpp/sim/flow-hash.js';
import { LbDataplane } from '../../../src/vpp/sim/lb-dataplane.js';
import { LbModel, type VipAddArgs } from '../../../src/vpp/sim/lb-model.js';

const web: VipKey = { prefix: '127.0.9.1/32', protocol: 6, port: 80 };
const a = '127.0.1.1';
const b = '127.0.1.2';

function lab(opts: { threads?: number; sticky?: boolean; vip?: Partial<VipAddArgs> } = {}) {
  const clock = new ManualClock(0);
  const model = new LbModel({ clock, threads: opts.threads ?? 1, backgroundGc: false });
  let counted = 0;
  let changed = 0;
  const dp = new LbDataplane(model, { onCounted: () => counted++, onVipsChanged: () => changed++ });
  model.addVip({ ...web, encap: 'gre4', newFlowsTableLength: 64, srcIpSticky: opts.sticky ?? false, ...opts.vip });
  model.addAs(web, a, 100, false);
  model.addAs(web, b, 100, false);
  const vip = () => model.findVip(web)!;
  /** Sends one packet of the flow from 127.0.0.1:srcPort; returns the AS address and counter. */
  const send = (srcPort: number, bytes = 100, src = '127.0.0.1') => {
    const v = dp.packet({ src, srcPort, dst: '127.0.9.1', dstPort: 80, bytes });
    return v === undefined ? undefined : { as: v.as?.address, counter: v.counter };
  };
  /** The AS the Maglev table gives the flow now (what a new flow would get). */
  const tableAs = (srcPort: number, src = '127.0.0.1') => {
    const slots = vip().table;
    const f: FlowTuple = { src, srcPort, dst: '127.0.9.1', dstPort: 80 };
    return slots[lbFlowHash(f, vip().srcIpSticky) & (slots.length - 1)]?.address;
  };
  /** A source port whose new flow goes to `as`. */
  const portTo = (as: string, from = 40000) => {
    for (let p = from; p < 65536; p++) if (tableAs(p) === as) return p;
    throw new Error(`no port maps to ${as}`);
  };
  const totals = () => model.stats.totals(vip().index);
  return { clock, model, dp, vip, send, tableAs, portTo, totals, counted: () => counted, changed: () => changed };
}

t.test('a new flow takes the Maglev bucket of its hash; its next packets follow the sticky entry', async (t) => {
  const l = lab();
  const p = l.portTo(b);
  t.same(l.send(p), { as: b, counter: 'first' });
  t.same(l.send(p), { as: b, counter: 'next' });
  t.same(l.send(p), { as: b, counter: 'next' });
  t.same(l.totals(), { next: 2, first: 1, untracked: 0, noServer: 0 });
  t.equal(l.counted(), 3, 'every packet reported');
  const stats = l.model.routeLookup(0, '127.0.9.1/32').statsIndex;
  t.same(l.model.stats.routeCounters().get(stats), { packets: [3], bytes: [300] }, 'the VIP route counts packets and bytes');
  const asB = l.vip().ases.find((x) => x.address === b)!;
  t.equal(l.model.flows(asB), 1, 'the sticky entry shows as a flow of the AS');
});

t.test('flows spread over the ASes by their hash', async (t) => {
  const l = lab();
  const seen = new Set<string | undefined>();
  for (let p = 40000; p < 40064; p++) seen.add(l.send(p)?.as);
  t.same([...seen].sort(), [a, b]);
  t.equal(l.totals().first, 64);
});

t.test('removing an AS or dropping its weight keeps its established flows (no flush)', async (t) => {
  const cases: Array<{ name: string; in: (l: ReturnType<typeof lab>) => number }> = [
    { name: 'weight 0 without flush', in: (l) => l.model.setWeight(web, a, 0, false) },
    { name: 'AS deleted without flush', in: (l) => l.model.delAs(web, a, false) },
  ];
  for (const c of cases) {
    const l = lab();
    const p = l.portTo(a);
    l.send(p);
    t.equal(c.in(l), 0, `${c.name}: accepted`);
    t.same(l.send(p), { as: a, counter: 'next' }, `${c.name}: the established flow stays on a`);
    t.same(l.send(p + 10_000), { as: b, counter: 'first' }, `${c.name}: a new flow goes to b`);
    t.equal(l.tableAs(p), b, `${c.name}: the table moved the flow's bucket to b`);
  }
});

t.test('a flush evicts the sticky entries: the next packet is a new flow on the new table', async (t) => {
  const cases: Array<{ name: string; in: (l: ReturnType<typeof lab>) => number; want: string | undefined }> = [
    { name: 'weight 0 with flush', in: (l) => l.model.setWeight(web, a, 0, true), want: b },
    { name: 'AS deleted with flush', in: (l) => l.model.delAs(web, a, true), want: b },
    { name: 'lb_flush_vip (the table is unchanged)', in: (l) => l.model.flushVip(web), want: a },
    { name: 'flush of the other AS leaves the flow', in: (l) => l.model.setWeight(web, b, 100, true), want: a },
  ];
  for (const c of cases) {
    const l = lab();
    const p = l.portTo(a);
    l.send(p);
    const asA = l.vip().ases.find((x) => x.address === a)!;
    t.equal(c.in(l), 0, `${c.name}: accepted`);
    const after = l.send(p);
    t.equal(after?.as, c.want, `${c.name}: goes to ${c.want}`);
    const evicted = c.name !== 'flush of the other AS leaves the flow';
    t.equal(after?.counter, evicted ? 'first' : 'next', `${c.name}: ${evicted ? 'a new' : 'the same'} flow`);
    t.equal(l.model.flows(asA), c.want === a ? 1 : 0, `${c.name}: flows of a`);
  }
});

t.test('a revived AS added with flush starts without the old entries', async (t) => {
  const l = lab();
  const p = l.portTo(a);
  l.send(p);
  l.model.delAs(web, a, false);
  t.equal(l.model.addAs(web, a, 100, true), 0);
  t.same(l.send(p), { as: a, counter: 'first' }, 'a new flow, back on a');
});

t.test('an idle flow times out and is looked up afresh', async (t) => {
  const l = lab();
  l.model.setConf({ ...l.model.conf, flowTimeoutS: 10 });
  const p = l.portTo(a);
  l.send(p);
  l.clock.advance(9_000);
  t.same(l.send(p), { as: a, counter: 'next' }, 'alive after 9 s');
  l.clock.advance(9_000);
  t.same(l.send(p), { as: a, counter: 'next' }, 'the hit refreshed it');
  l.model.setWeight(web, a, 0, false);
  l.clock.advance(10_000);
  t.same(l.send(p), { as: b, counter: 'first' }, 'after 10 s idle: a new flow, on the new table');
});

t.test('no server: every packet is counted as such and takes an entry, then is untracked', async (t) => {
  const l = lab();
  l.model.setWeight(web, a, 0, true);
  l.model.setWeight(web, b, 0, true);
  const got = [1, 2, 3, 4, 5].map(() => l.send(40000));
  t.same(got.map((g) => g?.counter), ['noServer', 'noServer', 'noServer', 'noServer', 'untracked'], "the bucket's four entries fill up");
  t.ok(got.every((g) => g?.as === undefined), 'no AS');
});

t.test('a full bucket: untracked packets still go to the Maglev bucket', async (t) => {
  const l = lab();
  l.model.setConf({ ...l.model.conf, stickyBucketsPerCore: 1 });
  for (let p = 40000; p < 40004; p++) t.equal(l.send(p)?.counter, 'first');
  const p = l.portTo(b, 40004);
  t.same(l.send(p), { as: b, counter: 'untracked' });
  t.same(l.send(p), { as: b, counter: 'untracked' }, 'and stay untracked');
  t.same(l.totals(), { next: 0, first: 4, untracked: 2, noServer: 0 });
});

t.test('a new sticky table size starts the tables afresh', async (t) => {
  const l = lab();
  const p = l.portTo(a);
  l.send(p);
  const asA = l.vip().ases.find((x) => x.address === a)!;
  l.model.setConf({ ...l.model.conf, stickyBucketsPerCore: 2048 });
  t.same(l.send(p), { as: a, counter: 'first' });
  t.equal(l.model.flows(asA), 1, 'the old entries are gone with their references');
});

t.test('src-ip-sticky: every port of a client goes to one AS', async (t) => {
  const l = lab({ sticky: true });
  const ases = new Set<string | undefined>();
  for (let p = 40000; p < 40032; p++) ases.add(l.send(p)?.as);
  t.equal(ases.size, 1, 'one AS for one client');
  const counters = l.totals();
  t.same(counters, { next: 31, first: 1, untracked: 0, noServer: 0 }, 'one sticky entry for all the ports');
  const clients = new Set<string | undefined>();
  for (let i = 1; i < 33; i++) clients.add(l.send(40000, 100, `127.0.0.${i}`)?.as);
  t.equal(clients.size, 2, 'clients spread over both ASes');
});

t.test('threads: flows spread over the workers, each with its own table', async (t) => {
  const l = lab({ threads: 3 });
  for (let p = 40000; p < 40064; p++) {
    l.send(p);
    l.send(p);
  }
  const per = l.model.stats.vip(l.vip().index);
  t.equal(per[0]!.first + per[0]!.next, 0, 'the main thread forwards nothing when there are workers');
  t.ok(per[1]!.first > 0 && per[2]!.first > 0, 'both workers take flows');
  t.equal(per[1]!.first, per[1]!.next, 'a flow stays on its worker');
  t.equal(l.vip().ases.reduce((n, as) => n + l.model.flows(as), 0), 64, 'one sticky entry per flow, over both tables');
});

t.test('packets to no live VIP are not counted; all-port VIPs take every port', async (t) => {
  const l = lab();
  t.equal(l.dp.packet({ src: '127.0.0.1', srcPort: 1, dst: '127.0.9.1', dstPort: 81, bytes: 40 }), undefined, 'another port');
  t.equal(l.dp.packet({ src: '127.0.0.1', srcPort: 1, dst: '127.0.9.2', dstPort: 80, bytes: 40 }), undefined, 'another address');
  t.equal(l.counted(), 0);
  l.model.addVip({ prefix: '127.0.9.4/32', protocol: 255, port: 0, encap: 'gre4', newFlowsTableLength: 64, srcIpSticky: false });
  l.model.addAs({ prefix: '127.0.9.4/32', protocol: 255, port: 0 }, a, 100, false);
  t.equal(l.dp.packet({ src: '127.0.0.1', srcPort: 1, dst: '127.0.9.4', dstPort: 8443, bytes: 40 })?.as?.address, a);
  t.equal(l.changed(), 2, 'VIP adds reported (web, then the all-port VIP)');
  l.model.delVip(web);
  t.equal(l.changed(), 3, 'a VIP delete too');
  t.equal(l.send(40000), undefined, 'the deleted VIP takes nothing');
});

t.test('detached, the model forgets the dataplane', async (t) => {
  const l = lab();
  const p = l.portTo(a);
  l.send(p);
  const asA = l.vip().ases.find((x) => x.address === a)!;
  l.dp.detach();
  t.equal(l.model.flows(asA), 0);
  l.model.delVip(web);
  t.equal(l.changed(), 1, 'no VIP change reported after detach (only the first add)');
});
