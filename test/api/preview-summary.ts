import t from 'tap';
import type { ASPreview, VIPPreview } from '../../src/api/maglev-messages.js';
import { movedShareText, previewHeadline, previewLines, previewVipText } from '../../src/api/preview-summary.js';

const as = (address: string, backends: string[], before: number, after: number): ASPreview => ({
  address,
  backends,
  weight_before: before > 0 ? 100 : 0,
  weight_after: after > 0 ? 100 : 0,
  buckets_before: before,
  buckets_after: after,
});
const vip = (over: Partial<VIPPreview>): VIPPreview => ({
  frontend: 'web4',
  prefix: '192.0.2.1/32',
  protocol: 6,
  port: 80,
  change: 'changed',
  flow_table_length: 1024,
  moved_buckets: 0,
  application_servers: [],
  members: [],
  ...over,
});

t.test('one line per VIP', async (t) => {
  const cases: Array<{ name: string; in: VIPPreview; want: string }> = [
    {
      name: 'a drained backend',
      in: vip({ moved_buckets: 240, application_servers: [as('10.0.0.1', ['web-1'], 512, 0), as('10.0.0.2', ['web-2'], 512, 1024)] }),
      want: "moves 23.4 % of web4's new flows: web-1 512→0, web-2 512→1024",
    },
    { name: 'nothing moves', in: vip({ change: 'unchanged', application_servers: [as('10.0.0.1', ['web-1'], 1024, 1024)] }), want: "moves 0.0 % of web4's new flows" },
    { name: 'an address without a backend name', in: vip({ moved_buckets: 1024, application_servers: [as('10.0.0.9', [], 0, 1024)] }), want: "moves 100.0 % of web4's new flows: 10.0.0.9 0→1024" },
    { name: 'two backends on one address', in: vip({ moved_buckets: 1, application_servers: [as('10.0.0.1', ['a', 'b'], 1, 0)] }), want: "moves 0.1 % of web4's new flows: a/b 1→0" },
    { name: 'a new VIP', in: vip({ change: 'added', moved_buckets: 1024, application_servers: [as('10.0.0.1', ['a'], 0, 1024)] }), want: "adds web4's VIP 192.0.2.1:80/tcp: a 0→1024" },
    {
      name: 'a removed all-port IPv6 VIP',
      in: vip({ change: 'removed', prefix: '2001:db8::1/128', protocol: 255, port: 0, moved_buckets: 1024, application_servers: [as('2001:db8::10', ['a'], 1024, 0)] }),
      want: "removes web4's VIP [2001:db8::1]:*/any: a 1024→0",
    },
  ];
  for (const c of cases) t.equal(previewHeadline(c.in), c.want, c.name);
  t.equal(previewVipText({ prefix: '198.51.100.1/32', protocol: 17, port: 53 }), '198.51.100.1:53/udp');
  t.equal(previewVipText({ prefix: '198.51.100.1/32', protocol: 47, port: 1 }), '198.51.100.1:1/47');
  t.equal(movedShareText({ moved_buckets: 1, flow_table_length: 0 }), '0.0 %');
});

t.test('lines with assumptions', async (t) => {
  t.same(previewLines({ vips: [], assumptions: [] }), ['no VIP is affected']);
  t.same(previewLines({ vips: [vip({})], assumptions: ['be4 passes its health check (new backend)'] }), [
    "moves 0.0 % of web4's new flows",
    'assuming be4 passes its health check (new backend)',
  ]);
});
