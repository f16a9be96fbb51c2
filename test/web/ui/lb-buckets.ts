import t from 'tap';
import type { VppLbState, VppLbVip } from '../../../src/web/ui/api-types.js';
import { bucketsOf, normaliseIp, vipOf } from '../../../src/web/ui/lb-buckets.js';

const vip = (prefix: string, protocol: number, port: number, ases: Array<[string, number]>): VppLbVip => ({
  prefix,
  protocol,
  port,
  encap: 'gre4',
  flowTableLength: 1024,
  srcIpSticky: false,
  index: 0,
  applicationServers: ases.map(([address, numBuckets]) => ({ address, weight: 100, flags: 1, numBuckets, inUseSinceNs: '0' })),
});
const lb: VppLbState = {
  conf: null,
  vips: [vip('198.51.100.1/32', 6, 80, [['192.0.2.10', 700], ['192.0.2.11', 324]]), vip('198.51.100.1/32', 6, 443, [['192.0.2.10', 1024]]), vip('2001:db8::1/128', 255, 0, [['2001:db8::a', 1024]])],
};

t.test('the frontend VIP is found by address, protocol and port', async (t) => {
  const cases = [
    { fe: { address: '198.51.100.1', protocol: 'tcp', port: 80 }, want: 80 },
    { fe: { address: '198.51.100.1', protocol: 'tcp', port: 443 }, want: 443 },
    { fe: { address: '198.51.100.1', protocol: 'udp', port: 80 }, want: undefined },
    { fe: { address: '2001:DB8:0:0::1', protocol: 'any', port: 0 }, want: 0 },
    { fe: { address: '203.0.113.9', protocol: 'tcp', port: 80 }, want: undefined },
  ];
  for (const c of cases) t.equal(vipOf(c.fe, lb)?.port, c.want, JSON.stringify(c.fe));
  t.equal(vipOf(cases[0]!.fe, null), undefined, 'no lb state');
});

t.test('buckets per backend address', async (t) => {
  const v = vipOf({ address: '198.51.100.1', protocol: 'tcp', port: 80 }, lb);
  t.equal(bucketsOf(v, '192.0.2.11'), 324);
  t.equal(bucketsOf(v, '192.0.2.99'), undefined);
  t.equal(bucketsOf(undefined, '192.0.2.11'), undefined);
  t.equal(bucketsOf(vipOf({ address: '2001:db8::1', protocol: 'any', port: 0 }, lb), '2001:db8:0::a'), 1024);
  t.equal(normaliseIp('2001:DB8:0:0:0:0:0:A'), '2001:db8::a');
  t.equal(normaliseIp('10.0.0.1'), '10.0.0.1');
});
