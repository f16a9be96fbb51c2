// The cross-host comparison on real digests (the daemon's vipDigests over lb states that differ
// the way hosts do: a backend down on one, another weight, a missing VIP), checked against the
// bucket tables themselves.

import t from 'tap';
import type { VIPDigest } from '../../src/api/maglev-messages.js';
import type { VppLbStateView, VppLbVipView } from '../../src/control/control-plane.js';
import { vppLbDigestMsg } from '../../src/control/grpc-convert.js';
import { vipDigests } from '../../src/control/vip-digests.js';
import { compareHosts, type HostTables } from '../../src/web/vip-agreement.js';
import { FakeControlPlane, web4Vip as vip } from '../support/fake-control-plane.js';

const fake = new FakeControlPlane();
const names: Record<string, string> = { '192.0.2.10': 'web-1', '192.0.2.11': 'web-2', '192.0.2.12': 'web-3' };

function host(name: string, vips: VppLbVipView[], states: Record<string, string> = {}): HostTables {
  const state: VppLbStateView = { conf: fake.lbState.conf, vips };
  const digests: VIPDigest[] = vppLbDigestMsg(vipDigests(state, fake.frontends.values(), undefined, true)).vips;
  return { host: name, vips: digests, backends: new Map(Object.entries(names).map(([a, n]) => [a, { name: n, state: states[n] ?? 'up' }])) };
}

const three = { '192.0.2.10': 100, '192.0.2.11': 100, '192.0.2.12': 100 };
const noWeb2 = { '192.0.2.10': 100, '192.0.2.11': 0, '192.0.2.12': 100 };

/** The share of buckets with another AS, straight from two digests' tables. */
function share(a: VIPDigest, b: VIPDigest): number {
  const o = (v: VIPDigest) => v.table.map((i) => v.application_servers[i]?.address);
  const oa = o(a);
  const ob = o(b);
  return oa.filter((x, i) => x !== ob[i]).length / oa.length;
}

t.test('agreement, and who differs from whom and why', async (t) => {
  const A = host('A', [vip(three)]);
  const B = host('B', [vip(noWeb2)], { 'web-2': 'down' });
  const C = host('C', [vip(three)]);
  const cases: Array<{ name: string; in: HostTables[]; want: { agreeing: string[]; text: string | RegExp } }> = [
    { name: 'three agree', in: [A, C, host('D', [vip(three)])], want: { agreeing: ['A', 'C', 'D'], text: '3/3 hosts agree' } },
    { name: 'one host', in: [A], want: { agreeing: ['A'], text: 'only A holds it' } },
    { name: 'B has web-2 down', in: [A, B, C], want: { agreeing: ['A', 'C'], text: /^host B differs from A on \d+\.\d % of buckets \(web-2 down on B only\)$/ } },
    { name: 'the majority is the reference, even when listed later', in: [B, A, C], want: { agreeing: ['A', 'C'], text: /^host B differs from A on / } },
    { name: 'a tie: the earliest host is the reference', in: [B, A], want: { agreeing: ['B'], text: /^host A differs from B on \d+\.\d % of buckets \(web-2 in the table on A only\)$/ } },
    {
      name: 'an AS out of the table while the backend is up (pool failover, weight 0)',
      in: [A, host('E', [vip(noWeb2)])],
      want: { agreeing: ['A'], text: /\(web-2 out of the table on E only\)$/ },
    },
    { name: 'another weight', in: [A, host('F', [vip({ ...three, '192.0.2.12': 50 })])], want: { agreeing: ['A'], text: /\(web-3 weight 50 on F, 100 on A\)$/ } },
    { name: 'an AS only the other host has', in: [host('G', [vip(noWeb2)]), host('H', [vip(three)], { 'web-2': 'up' }), host('I', [vip(noWeb2)])], want: { agreeing: ['G', 'I'], text: /^host H differs from G on \d+\.\d % of buckets \(web-2 in the table on H only\)$/ } },
    { name: 'another table length', in: [A, host('J', [vip(three, { flowTableLength: 2048 })])], want: { agreeing: ['A'], text: 'host J differs from A on 100.0 % of buckets (table length 2048 on J, 1024 on A)' } },
  ];
  for (const c of cases) {
    const [r] = compareHosts(c.in);
    t.same(r?.agreeing, c.want.agreeing, `${c.name}: agreeing`);
    t.match(r?.text, c.want.text, `${c.name}: text`);
    t.same(r?.hosts, c.in.map((h) => h.host), `${c.name}: hosts`);
  }
  const [r] = compareHosts([A, B, C]);
  t.equal(r!.vip, '198.51.100.1:80/tcp');
  t.same(r!.frontends, ['web4']);
  t.same(r!.differences.map((d) => d.host), ['B']);
  t.equal(r!.differences[0]!.share, share(A.vips[0]!, B.vips[0]!), 'the share is counted bucket by bucket');
  t.ok(r!.differences[0]!.share > 0.3 && r!.differences[0]!.share < 0.5, `about a third moves (${r!.differences[0]!.share})`);
});

t.test('VIPs are compared among the hosts that hold them', async (t) => {
  const other = vip({ '192.0.2.10': 100 }, { prefix: '203.0.113.5/32', protocol: 17, port: 53 });
  const r = compareHosts([host('A', [vip(three), other]), host('B', [vip(three)]), host('C', [])]);
  t.same(r.map((x) => [x.vip, x.hosts, x.text, x.frontends]), [
    ['198.51.100.1:80/tcp', ['A', 'B'], '2/2 hosts agree', ['web4']],
    ['203.0.113.5:53/udp', ['A'], 'only A holds it', []],
  ]);
  t.same(compareHosts([]), []);
});

t.test('edge cases of the comparison', async (t) => {
  const A = host('A', [vip(three)]);
  // Digests without tables (a caller that did not ask): the share cannot be counted, so all of it.
  const bare = (h: HostTables): HostTables => ({ ...h, vips: h.vips.map((v) => ({ ...v, table: [] })) });
  const [r] = compareHosts([bare(A), bare(host('B', [vip(noWeb2)]))]);
  t.equal(r!.differences[0]!.share, 1);
  // The same ASes and weights with other tables: something else differs (another VPP, a bug).
  const odd: HostTables = { ...A, host: 'X', vips: A.vips.map((v) => ({ ...v, digest: 'f'.repeat(64), table: [...v.table].reverse() })) };
  const [s] = compareHosts([A, odd]);
  t.match(s!.text, /^host X differs from A on \d+\.\d % of buckets \(same ASes and weights, different tables\)$/);
  // A backend no host knows by name is shown by its address; an IPv6 all-port VIP in brackets.
  const v6 = vip({ '2001:db8::99': 100 }, { prefix: '2001:db8::1/128', protocol: 255, port: 0 });
  const [u] = compareHosts([host('P', [v6]), host('Q', [vip({}, { prefix: '2001:db8::1/128', protocol: 255, port: 0 })])]);
  t.equal(u!.vip, '[2001:db8::1]:*/any');
  t.match(u!.text, /\(2001:db8::99 out of the table on Q only\)$/);
  const [x] = compareHosts([host('Q', [vip({}, { prefix: '2001:db8::1/128', protocol: 255, port: 0 })]), host('P', [v6])]);
  t.match(x!.text, /\(2001:db8::99 in the table on P only\)$/);
  const [w] = compareHosts([host('P', [vip({}, { protocol: 47 })])]);
  t.equal(w!.vip, '198.51.100.1:80/47');
});
