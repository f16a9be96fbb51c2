import t from 'tap';
import type { CliVip, LbApi, LbAs, LbVip } from '../../src/vpp/lb-api.js';
import { readState, readVips, servingAddresses } from '../../src/sync/lb-state.js';
import { ModelLbApi } from '../support/model-lb-api.js';

const counters = { next: 0, first: 0, untracked: 0, noServer: 0 };

/** An LbApi answering fixed dumps, to pin the merge rules independently of the lb model. */
function fixedApi(vips: LbVip[], ases: LbAs[], cli: CliVip[]): LbApi {
  const no = (): Promise<never> => Promise.reject(new Error('not a read'));
  return {
    confGet: () => Promise.resolve({ ip4SrcAddress: '192.0.2.254', ip6SrcAddress: '::1', stickyBucketsPerCore: 1024, flowTimeoutS: 40 }),
    conf: no,
    addDelVip: no,
    addDelAs: no,
    asSetWeight: no,
    vipDump: () => Promise.resolve(vips),
    asDump: () => Promise.resolve(ases),
    vipsVerbose: () => Promise.resolve(cli),
  };
}

void t.test('merge of dump, AS dump and CLI', async (t) => {
  const v4 = { prefix: '192.0.2.1/32', protocol: 6, port: 80 };
  const v6 = { prefix: '2001:DB8::1/128', protocol: 17, port: 53 };
  const all = { prefix: '192.0.2.2/32', protocol: 255, port: 0 };
  const as = (vip: typeof v4, address: string, weight: number, flags: number): LbAs => ({ vip, address, weight, flags, numBuckets: weight * 10, inUseSince: 0 });
  const api = fixedApi(
    [
      { ...v4, encap: 'gre4', flowTableLength: 1024 },
      { ...v6, encap: 'gre6', flowTableLength: 1024 },
      { ...all, encap: 'gre4', flowTableLength: 512 },
    ],
    [
      as(v4, '10.0.0.2', 100, 1),
      as(v4, '10.0.0.3', 50, 0), // removed: not present
      as(v6, '2001:db8::a', 7, 1),
      as({ prefix: '198.51.100.1/32', protocol: 6, port: 80 }, '10.0.0.9', 1, 0), // AS of a deleted VIP
    ],
    [
      { ...v4, index: 4, encap: 'gre4', srcIpSticky: true, removed: false, newSize: 1024, counters },
      { ...v4, index: 1, encap: 'gre4', srcIpSticky: false, removed: true, newSize: 1024, counters }, // the old, removed one
      { prefix: '2001:db8::1/128', protocol: 17, port: 53, index: 2, encap: 'gre6', srcIpSticky: false, removed: false, newSize: 1024, counters },
    ],
  );
  const vips = await readVips(api);
  t.same([...vips.keys()], ['192.0.2.1/32 tcp 80', '2001:db8::1/128 udp 53', '192.0.2.2/32 any 0']);
  const a = vips.get('192.0.2.1/32 tcp 80')!;
  t.equal(a.index, 4, 'index from the live CLI block, removed block skipped');
  t.equal(a.srcIpSticky, true);
  t.same([...a.ases], [['10.0.0.2', { weight: 100, flags: 1, numBuckets: 1000 }]], 'in-use ASes only');
  const b = vips.get('2001:db8::1/128 udp 53')!;
  t.equal(b.key.prefix, '2001:db8::1/128', 'prefix canonical');
  t.equal(b.ases.get('2001:db8::a')?.weight, 7);
  const c = vips.get('192.0.2.2/32 any 0')!;
  t.equal(c.srcIpSticky, undefined, 'no CLI block: sticky unknown');
  t.equal(c.index, undefined);
  t.equal(c.flowTableLength, 512);
  t.equal(c.ases.size, 0);
  t.same([...servingAddresses(vips)], ['10.0.0.2', '2001:db8::a'], 'serving: in-use ASes at a weight above 0');

  const withRemoved = await readVips(api, { includeRemoved: true });
  t.same(withRemoved.get('192.0.2.1/32 tcp 80')!.ases.get('10.0.0.3'), { weight: 50, flags: 0, numBuckets: 500 }, 'removed AS shown on request');
});

void t.test('an in-use AS wins over a removed one with the same address', async (t) => {
  const v = { prefix: '192.0.2.1/32', protocol: 6, port: 80 };
  for (const order of [
    [0, 1],
    [1, 0],
  ]) {
    const ases = order.map((flags) => ({ vip: v, address: '10.0.0.1', weight: flags === 1 ? 100 : 3, flags, numBuckets: 0, inUseSince: 0 }));
    const vips = await readVips(fixedApi([{ ...v, encap: 'gre4', flowTableLength: 1024 }], ases, []), { includeRemoved: true });
    t.equal(vips.get('192.0.2.1/32 tcp 80')!.ases.get('10.0.0.1')?.flags, 1, `order ${order.join(',')}`);
  }
});

void t.test('readState through the lb model: re-added VIP after delete', async (t) => {
  const api = new ModelLbApi();
  api.seed({ prefix: '192.0.2.1/32', protocol: 6, port: 80, srcIpSticky: true, ases: { '10.0.0.1': 100, '10.0.0.2': 100 } });
  await api.addDelVip({ vip: { prefix: '192.0.2.1/32', protocol: 6, port: 80 }, encap: 'gre4', srcIpSticky: true, newFlowsTableLength: 1024, isDel: true });
  await api.addDelVip({ vip: { prefix: '192.0.2.1/32', protocol: 6, port: 80 }, encap: 'gre4', srcIpSticky: false, newFlowsTableLength: 1024, isDel: false });
  const st = await readState(api);
  t.equal(st.conf.flowTimeoutS, 40);
  const v = st.vips.get('192.0.2.1/32 tcp 80')!;
  t.equal(v.srcIpSticky, false, 'the live block, not the removed one');
  t.equal(v.ases.size, 0, 'ASes of the deleted VIP (flags 0) are not present');
  t.same(api.calls.slice(-4), ['conf-get', 'vip-dump', 'as-dump', 'vips-verbose'], 'reads only, in §5.3 order');
});
