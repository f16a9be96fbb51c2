import t from 'tap';
import { vipKeyString } from '../../src/core/desired-state.js';
import type { VipKey } from '../../src/shared/lb-vip.js';
import type { LbOp } from '../../src/sync/lb-plan.js';
import type { CurrentVip } from '../../src/sync/lb-state.js';
import { driftBetween, ProgrammedState } from '../../src/sync/programmed-state.js';

const web: VipKey = { prefix: '192.0.2.1/32', protocol: 6, port: 80 };
const dns: VipKey = { prefix: '192.0.2.2/32', protocol: 17, port: 53 };
const webId = vipKeyString(web);
const dnsId = vipKeyString(dns);

/** A VIP as read: address → weight (in use), or [weight, flags]. */
function vip(key: VipKey, ases: Record<string, number | [number, number]>, o: Partial<Pick<CurrentVip, 'encap' | 'srcIpSticky' | 'flowTableLength'>> = {}): CurrentVip {
  const m = new Map(Object.entries(ases).map(([a, w]) => [a, typeof w === 'number' ? { weight: w, flags: 1, numBuckets: 7 } : { weight: w[0], flags: w[1], numBuckets: 0 }]));
  return { key, id: vipKeyString(key), encap: o.encap ?? 'gre4', srcIpSticky: 'srcIpSticky' in o ? o.srcIpSticky : false, flowTableLength: o.flowTableLength ?? 1024, index: 3, ases: m };
}

const byId = (...vs: CurrentVip[]): Map<string, CurrentVip> => new Map(vs.map((v) => [v.id, v]));

void t.test('driftBetween: only what a sync acts on counts', (t) => {
  const base = vip(web, { '10.0.0.1': 100, '10.0.0.2': 0 });
  const cases: Array<{ name: string; in: { believed: CurrentVip[]; read: CurrentVip[]; skip?: string[] }; want: string[] }> = [
    { name: 'equal', in: { believed: [base], read: [base] }, want: [] },
    { name: 'bucket counts and pool indexes do not count', in: { believed: [base], read: [{ ...vip(web, { '10.0.0.1': 100, '10.0.0.2': 0 }), index: 9 }] }, want: [] },
    { name: 'a weight changed behind our back', in: { believed: [base], read: [vip(web, { '10.0.0.1': 100, '10.0.0.2': 50 })] }, want: [`${webId} 10.0.0.2: weight 50, believed 0`] },
    { name: 'an AS missing and one unexpected', in: { believed: [base], read: [vip(web, { '10.0.0.1': 100, '10.0.0.3': 1 })] }, want: [`${webId} 10.0.0.2: AS missing`, `${webId} 10.0.0.3: unexpected AS`] },
    { name: 'a VIP missing and one unexpected', in: { believed: [base], read: [vip(dns, {})] }, want: [`${webId}: VIP missing`, `${dnsId}: unexpected VIP`] },
    { name: 'encap and table length', in: { believed: [base], read: [vip(web, { '10.0.0.1': 100, '10.0.0.2': 0 }, { encap: 'gre6', flowTableLength: 512 })] }, want: [`${webId}: encap gre6, believed gre4`, `${webId}: flow-table-length 512, believed 1024`] },
    { name: 'src-ip-sticky when both sides know it', in: { believed: [base], read: [vip(web, { '10.0.0.1': 100, '10.0.0.2': 0 }, { srcIpSticky: true })] }, want: [`${webId}: src-ip-sticky true, believed false`] },
    { name: 'src-ip-sticky unknown on one side', in: { believed: [base], read: [vip(web, { '10.0.0.1': 100, '10.0.0.2': 0 }, { srcIpSticky: undefined })] }, want: [] },
    { name: 'skipped VIPs are not compared', in: { believed: [base], read: [vip(dns, {})], skip: [webId, dnsId] }, want: [] },
  ];
  for (const c of cases) t.same(driftBetween(byId(...c.in.believed), byId(...c.in.read), new Set(c.in.skip)), c.want, c.name);
  t.end();
});

void t.test('a belief starts unknown, comes from a full read, and follows accepted writes', (t) => {
  const s = new ProgrammedState();
  t.notOk(s.knows(webId), 'nothing known before the first read');
  s.record({ kind: 'as-weight', vip: web, address: '10.0.0.1', from: 1, to: 2, flush: false });
  t.same(s.load(byId(vip(web, { '10.0.0.1': 100, '10.0.0.9': [5, 0] }))), [], 'the first read reports no drift: there was no belief');
  t.ok(s.knows(webId));
  t.ok(s.knows(dnsId), 'a VIP absent from a full read is known to be absent');
  t.equal(s.get(dnsId), undefined);
  t.same([...s.get(webId)!.ases.keys()], ['10.0.0.1'], 'removed ASes (flags bit 0 clear) are not believed present');

  const ops: LbOp[] = [
    { kind: 'as-add', vip: web, address: '10.0.0.9', weight: 10, flush: false }, // revives the removed one
    { kind: 'as-weight', vip: web, address: '10.0.0.1', from: 100, to: 0, flush: true },
    { kind: 'as-flush', vip: web, address: '10.0.0.1', weight: 0 },
    { kind: 'vip-recreate', vip: web, frontend: 'web', reason: 'x' },
    { kind: 'conf', from: { ip4SrcAddress: '', ip6SrcAddress: '', stickyBucketsPerCore: 1, flowTimeoutS: 1 }, to: { ip4SrcAddress: '', ip6SrcAddress: '', stickyBucketsPerCore: 2, flowTimeoutS: 1 } },
    { kind: 'vip-add', vip: dns, encap: 'gre4', srcIpSticky: true },
    { kind: 'as-add', vip: dns, address: '10.0.0.5', weight: 100, flush: false },
    { kind: 'as-del', vip: dns, address: '10.0.0.5', weight: 100 },
  ];
  for (const op of ops) s.record(op);
  t.same(Object.fromEntries([...s.get(webId)!.ases].map(([a, x]) => [a, x.weight])), { '10.0.0.1': 0, '10.0.0.9': 10 });
  t.match(s.get(dnsId), { encap: 'gre4', srcIpSticky: true, flowTableLength: 1024, index: undefined });
  t.same([...s.get(dnsId)!.ases.keys()], [], 'added then deleted');

  // The next full read agrees with all of that: no drift.
  const agreed = byId(vip(web, { '10.0.0.1': 0, '10.0.0.9': 10 }), vip(dns, {}, { srcIpSticky: true }));
  t.same(s.load(agreed), []);

  s.record({ kind: 'vip-del', vip: dns, encap: 'gre4', srcIpSticky: true });
  t.equal(s.get(dnsId), undefined, 'a deleted VIP is gone (a re-add starts empty)');
  t.same(s.load(agreed), [`${dnsId}: unexpected VIP`], 'what the read shows that the belief lacks is drift');
  t.end();
});

void t.test('a failed write forgets its VIP; a reset forgets everything', (t) => {
  const s = new ProgrammedState();
  s.forget(web);
  t.notOk(s.knows(webId), 'forgetting before any read changes nothing');
  s.load(byId(vip(web, { '10.0.0.1': 100 })));
  s.forget(web);
  t.notOk(s.knows(webId), 'forgotten: the next sync of it must read');
  t.ok(s.knows(dnsId), 'other VIPs stay known');
  s.record({ kind: 'as-weight', vip: web, address: '10.0.0.1', from: 100, to: 0, flush: false });
  t.same(s.load(byId(vip(web, { '10.0.0.1': 42 }))), [], 'a forgotten VIP is not compared (its state was unknown)');
  t.ok(s.knows(webId), 'and known again after the read');
  s.reset();
  t.notOk(s.knows(webId));
  t.notOk(s.knows(dnsId));
  t.same(s.load(byId(vip(dns, {}))), [], 'after a reset the next read is a first read');
  t.end();
});

void t.test('a read requested before some writes leaves those VIPs as the writes made them', (t) => {
  const s = new ProgrammedState();
  s.load(byId(vip(web, { '10.0.0.1': 100 }), vip(dns, { '10.0.0.5': 100 })));
  const mark = s.mark();
  // Written after the read was requested: the read (answered in order) predates it.
  s.record({ kind: 'as-weight', vip: web, address: '10.0.0.1', from: 100, to: 0, flush: true });
  const read = byId(vip(web, { '10.0.0.1': 100 }), vip(dns, { '10.0.0.5': 7 }));
  t.same(s.load(read, mark), [`${dnsId} 10.0.0.5: weight 7, believed 100`], 'drift only where nothing was written since');
  t.equal(s.get(webId)?.ases.get('10.0.0.1')?.weight, 0, 'web keeps the written weight');
  t.equal(s.get(dnsId)?.ases.get('10.0.0.5')?.weight, 7, 'dns takes the read');
  const mark2 = s.mark();
  s.forget(dns);
  s.load(byId(vip(web, { '10.0.0.1': 0 }), vip(dns, { '10.0.0.5': 7 })), mark2);
  t.notOk(s.knows(dnsId), 'forgotten after the mark: still unknown');
  s.load(byId(vip(web, { '10.0.0.1': 0 }), vip(dns, { '10.0.0.5': 7 })));
  t.ok(s.knows(dnsId), 'a later read settles it');
  t.end();
});
