import t from 'tap';
import { parseVipsVerbose } from '../../src/vpp/cli-vips-parser.js';

const sample = ` ip4-gre4 [1] 192.0.2.1/32
  new_size:1024
  protocol:6 port:80
  counters:
    packet from existing sessions: 0
    first session packet: 0
    untracked packet: 0
    no server configured: 0
  #as:1
    10.0.0.2 weight:100 buckets:1024 flows:0 dpo:9 used
`;

const many = ` ip4-gre4 [1] 192.0.2.1/32
  new_size:1024
  protocol:6 port:80
  counters:
    packet from existing sessions: 12
    first session packet: 3
    untracked packet: 1
    no server configured: 2
  #as:3
    10.0.0.2 weight:100 buckets:674 flows:2 dpo:9 used
    10.0.0.3 weight:50 buckets:350 flows:0 dpo:10 used
    10.0.0.4 weight:0 buckets:0 flows:1 dpo:11  removed

 ip6-gre6 [2] 2001:DB8:0::1/128
  new_size:1024
  counters:
    packet from existing sessions: 0
    first session packet: 0
    untracked packet: 0
    no server configured: 18446744073
  #as:0

 ip4-gre4 [3] 198.51.100.0/24 src_ip_sticky
  new_size:2048
  protocol:17 port:53
  some future line: whatever
  counters:
    packet from existing sessions: 5
    first session packet: 6
    untracked packet: 7
    no server configured: 8
  #as:1
    10.0.0.9 weight:7 buckets:2048 flows:0 dpo:12 removed

 ip4-gre6 [4] 192.0.2.7/32 src_ip_sticky removed
  new_size:1024
  counters:
    packet from existing sessions: 0
    first session packet: 0
    untracked packet: 0
    no server configured: 0
  #as:1
    2001:db8::5 weight:100 buckets:0 flows:0 dpo:13  removed

 ip4-nat4 [5] 192.0.2.8/32
  new_size:1024
  protocol:6 port:80
  type:clusterip port:80 target_port:8080  counters:
    packet from existing sessions: 1
    first session packet: 1
    untracked packet: 1
    no server configured: 1
  #as:0

 ip4-l3dsr [6] 192.0.2.9/32
  new_size:1024
  dscp:10
  counters:
    packet from existing sessions: 0
    first session packet: 0
    untracked packet: 0
    no server configured: 0
  #as:0

 ip9-foo9 [7] 192.0.2.10/32
  new_size:1024
`;

t.test('the §8 sample', async (t) => {
  t.same(parseVipsVerbose(sample), [
    {
      index: 1,
      prefix: '192.0.2.1/32',
      encap: 'gre4',
      srcIpSticky: false,
      removed: false,
      newSize: 1024,
      protocol: 6,
      port: 80,
      counters: { next: 0, first: 0, untracked: 0, noServer: 0 },
      ases: [{ address: '10.0.0.2', weight: 100, buckets: 1024, flows: 0, removed: false }],
    },
  ]);
});

t.test('line shapes', async (t) => {
  const blocks = parseVipsVerbose(many);
  const cases: Array<{ index: number; want: Record<string, unknown> }> = [
    { index: 1, want: { prefix: '192.0.2.1/32', protocol: 6, port: 80, srcIpSticky: false, removed: false, counters: { next: 12, first: 3, untracked: 1, noServer: 2 } } },
    { index: 2, want: { prefix: '2001:db8::1/128', encap: 'gre6', protocol: 255, port: 0, counters: { next: 0, first: 0, untracked: 0, noServer: 18446744073 } } },
    { index: 3, want: { prefix: '198.51.100.0/24', srcIpSticky: true, removed: false, newSize: 2048, protocol: 17, port: 53, counters: { next: 5, first: 6, untracked: 7, noServer: 8 } } },
    { index: 4, want: { encap: 'gre6', srcIpSticky: true, removed: true, protocol: 255, port: 0 } },
    { index: 5, want: { encap: 'nat4', protocol: 6, port: 80, counters: { next: 1, first: 1, untracked: 1, noServer: 1 } } },
    { index: 6, want: { encap: 'l3dsr', protocol: 255, port: 0 } },
  ];
  t.same(
    blocks.map((b) => b.index),
    [1, 2, 3, 4, 5, 6],
    'the unknown type ip9-foo9 is skipped',
  );
  for (const c of cases) t.match(blocks.find((b) => b.index === c.index), c.want, `block [${c.index}]`);
  t.same(blocks[0]?.ases, [
    { address: '10.0.0.2', weight: 100, buckets: 674, flows: 2, removed: false },
    { address: '10.0.0.3', weight: 50, buckets: 350, flows: 0, removed: false },
    { address: '10.0.0.4', weight: 0, buckets: 0, flows: 1, removed: true },
  ]);
  t.same(blocks[2]?.ases.map((a) => a.removed), [true], 'one-space removed');
  t.same(blocks[3]?.ases.map((a) => a.address), ['2001:db8::5'], 'IPv6 AS line');
});

t.test('defensive parsing', async (t) => {
  const cases: Array<{ name: string; in: string; want: number }> = [
    { name: 'empty', in: '', want: 0 },
    { name: 'garbage', in: 'lb_vip_add error -81\n', want: 0 },
    { name: 'two spaces before the type is not a header', in: '  ip4-gre4 [1] 192.0.2.1/32\n', want: 0 },
    { name: 'no prefix length', in: ' ip4-gre4 [1] 192.0.2.1\n', want: 0 },
    { name: 'not an address', in: ' ip4-gre4 [1] example/32\n', want: 0 },
    { name: 'CRLF line ends', in: sample.replaceAll('\n', '\r\n'), want: 1 },
    { name: 'trailing spaces on the header', in: ' ip4-gre4 [9] 192.0.2.1/32 src_ip_sticky  \n', want: 1 },
  ];
  for (const c of cases) t.equal(parseVipsVerbose(c.in).length, c.want, c.name);
  t.equal(parseVipsVerbose(' ip4-gre4 [9] 192.0.2.1/32 src_ip_sticky  \n')[0]?.srcIpSticky, true);
});

t.test('ases: false skips the AS lines and keeps everything else', async (t) => {
  const text = [
    ' ip4-gre4 [1] 192.0.2.1/32 src_ip_sticky',
    '  new_size:1024',
    '  protocol:6 port:80',
    '  counters:',
    '    packet from existing sessions: 5',
    '    no server configured: 2',
    '  #as:2',
    '    10.0.0.2 weight:100 buckets:1024 flows:0 dpo:3 used',
    '    10.0.0.3 weight:0 buckets:0 flows:0 dpo:4  removed',
    '',
    ' ip6-gre6 [2] 2001:db8::1/128 removed',
    '  new_size:1024',
    '  counters:',
    '  #as:0',
    '',
  ].join('\n');
  const full = parseVipsVerbose(text);
  const lite = parseVipsVerbose(text, { ases: false });
  t.equal(full[0]?.ases.length, 2);
  t.same(
    lite,
    full.map((b) => ({ ...b, ases: [] })),
  );
  t.match(lite[0], { index: 1, prefix: '192.0.2.1/32', protocol: 6, port: 80, srcIpSticky: true, counters: { next: 5, noServer: 2 } });
});
