import t from 'tap';
import {
  canonicalPrefix,
  compareVipKeys,
  confEqual,
  desiredConf,
  desiredVip,
  desiredVips,
  inVipOrder,
  vipKeyOf,
  vipKeyString,
  type DesiredAs,
} from '../../src/core/desired-state.js';
import type { BackendState } from '../../src/shared/health.js';
import type { FrontendProtocol } from '../../src/shared/config.js';
import type { LbConf, VipKey } from '../../src/shared/lb-vip.js';
import { defaultLb, makeConfig, makeInputs } from '../support/lb-test-config.js';

void t.test('VIP key of a frontend', (t) => {
  const cases: Array<{ name: string; in: { address: string; protocol: FrontendProtocol; port: number }; want: string }> = [
    { name: 'v4 tcp', in: { address: '192.0.2.1', protocol: 'tcp', port: 80 }, want: '192.0.2.1/32 tcp 80' },
    { name: 'v4 udp', in: { address: '192.0.2.1', protocol: 'udp', port: 53 }, want: '192.0.2.1/32 udp 53' },
    { name: 'all-port', in: { address: '192.0.2.1', protocol: 'any', port: 0 }, want: '192.0.2.1/32 any 0' },
    { name: 'v6 canonical', in: { address: '2001:DB8:0:0::1', protocol: 'tcp', port: 443 }, want: '2001:db8::1/128 tcp 443' },
  ];
  for (const c of cases) {
    const cfg = makeConfig({ backends: { b: '10.0.0.1' }, frontends: { f: { ...c.in, pools: [{ b: 100 }] } } });
    const key = vipKeyOf(cfg.frontends.get('f')!);
    t.equal(vipKeyString(key), c.want, c.name);
  }
  t.same(vipKeyOf(makeConfig({ backends: { b: '10.0.0.1' }, frontends: { f: { address: '192.0.2.1', protocol: 'any', pools: [{ b: 1 }] } } }).frontends.get('f')!), {
    prefix: '192.0.2.1/32',
    protocol: 255,
    port: 0,
  });
  t.end();
});

void t.test('numeric VIP order', (t) => {
  const k = (prefix: string, protocol = 6, port = 80): VipKey => ({ prefix, protocol, port });
  const cases: Array<{ name: string; a: VipKey; b: VipKey; want: -1 | 1 }> = [
    { name: '10.0.0.2 before 10.0.0.10', a: k('10.0.0.2/32'), b: k('10.0.0.10/32'), want: -1 },
    { name: 'v4 before v6', a: k('192.0.2.200/32'), b: k('::1/128'), want: -1 },
    { name: 'v6 numeric', a: k('2001:db8::10/128'), b: k('2001:db8::9/128'), want: 1 },
    { name: 'protocol then', a: k('192.0.2.1/32', 17, 53), b: k('192.0.2.1/32', 6, 80), want: 1 },
    { name: 'port then', a: k('192.0.2.1/32', 6, 443), b: k('192.0.2.1/32', 6, 80), want: 1 },
    { name: 'all-port after tcp', a: k('192.0.2.1/32', 255, 0), b: k('192.0.2.1/32', 6, 80), want: 1 },
  ];
  for (const c of cases) {
    t.equal(Math.sign(compareVipKeys(c.a, c.b)), c.want, c.name);
    t.equal(Math.sign(compareVipKeys(c.b, c.a)), -c.want, `${c.name} (reversed)`);
  }
  t.equal(compareVipKeys(k('10.0.0.1/32'), k('10.0.0.1/32')), 0);
  t.equal(Math.sign(compareVipKeys(k('10.0.0.1'), k('10.0.0.1/32'))), -1, 'a bare address (no length) sorts before any prefix of it');
  t.end();
});

void t.test('VIP key text and canonical prefixes', (t) => {
  const keys: Array<{ name: string; in: VipKey; want: string }> = [
    { name: 'tcp', in: { prefix: '192.0.2.1/32', protocol: 6, port: 80 }, want: '192.0.2.1/32 tcp 80' },
    { name: 'udp', in: { prefix: '2001:db8::1/128', protocol: 17, port: 53 }, want: '2001:db8::1/128 udp 53' },
    { name: 'any', in: { prefix: '192.0.2.1/32', protocol: 255, port: 0 }, want: '192.0.2.1/32 any 0' },
    { name: 'a protocol without a name stays a number', in: { prefix: '192.0.2.1/32', protocol: 47, port: 0 }, want: '192.0.2.1/32 47 0' },
  ];
  for (const c of keys) t.equal(vipKeyString(c.in), c.want, c.name);
  const prefixes: Array<{ name: string; in: string; want: string }> = [
    { name: 'v4 as is', in: '192.0.2.1/32', want: '192.0.2.1/32' },
    { name: 'v6 compressed and lower-cased', in: '2001:DB8:0:0::1/128', want: '2001:db8::1/128' },
    { name: 'the length is kept as given', in: '2001:db8::1/64', want: '2001:db8::1/64' },
    { name: 'a bare address', in: '2001:0db8::0001', want: '2001:db8::1' },
  ];
  for (const c of prefixes) t.equal(canonicalPrefix(c.in), c.want, c.name);
  t.end();
});

void t.test('inVipOrder lists a keyed map in numeric VIP order', (t) => {
  const entry = (prefix: string, port: number) => ({ key: { prefix, protocol: 6, port }, label: `${prefix} ${port}` });
  const m = new Map([entry('10.0.0.10/32', 80), entry('2001:db8::1/128', 80), entry('10.0.0.2/32', 443), entry('10.0.0.2/32', 80)].map((e) => [e.label, e]));
  t.same(
    inVipOrder(m).map((e) => e.label),
    ['10.0.0.2/32 80', '10.0.0.2/32 443', '10.0.0.10/32 80', '2001:db8::1/128 80'],
  );
  t.same(inVipOrder(new Map()), []);
  t.end();
});

void t.test('desired ASes follow the effective-weight truth table', (t) => {
  const cases: Array<{ name: string; state: BackendState | undefined; flushOnDown: boolean; pool: 0 | 1; want: DesiredAs | undefined }> = [
    { name: 'up, active pool', state: 'up', flushOnDown: true, pool: 0, want: { weight: 70, flush: false } },
    { name: 'up, standby pool', state: 'up', flushOnDown: true, pool: 1, want: { weight: 0, flush: false } },
    { name: 'down, flush-on-down', state: 'down', flushOnDown: true, pool: 0, want: { weight: 0, flush: true } },
    { name: 'down, no flush-on-down', state: 'down', flushOnDown: false, pool: 0, want: { weight: 0, flush: false } },
    { name: 'disabled always flushes', state: 'disabled', flushOnDown: false, pool: 0, want: { weight: 0, flush: true } },
    { name: 'unknown', state: 'unknown', flushOnDown: true, pool: 0, want: { weight: 0, flush: false } },
    { name: 'not known to the checker', state: undefined, flushOnDown: true, pool: 0, want: { weight: 0, flush: false } },
    { name: 'paused', state: 'paused', flushOnDown: true, pool: 0, want: { weight: 0, flush: false } },
    { name: 'removed leaves the set', state: 'removed', flushOnDown: true, pool: 0, want: undefined },
  ];
  for (const c of cases) {
    // 'anchor' keeps pool 0 active when the tested backend sits in pool 1.
    const pools: Array<Record<string, number>> = c.pool === 0 ? [{ x: 70 }, { spare: 100 }] : [{ anchor: 100 }, { x: 70 }];
    const cfg = makeConfig({
      backends: { x: '10.0.0.7', anchor: '10.0.0.1', spare: '10.0.0.9' },
      frontends: { f: { address: '192.0.2.1', flushOnDown: c.flushOnDown, pools } },
    });
    const states: Record<string, BackendState> = { anchor: 'up', spare: 'up' };
    if (c.state !== undefined) states.x = c.state;
    const d = desiredVip(cfg, cfg.frontends.get('f')!, makeInputs(() => cfg, states));
    t.same(d.ases.get('10.0.0.7'), c.want, c.name);
  }
  t.end();
});

void t.test('failover and overrides', (t) => {
  const cfg = makeConfig({
    backends: { a: '10.0.0.1', b: '10.0.0.2', c: '10.0.0.3' },
    frontends: { f: { address: '192.0.2.1', pools: [{ a: 100, b: 50 }, { c: 100 }] } },
  });
  const fe = cfg.frontends.get('f')!;
  const weights = (states: Record<string, BackendState>, overrides: Record<string, number> = {}): Record<string, number> =>
    Object.fromEntries([...desiredVip(cfg, fe, makeInputs(() => cfg, states, overrides)).ases].map(([a, x]) => [a, x.weight]));
  t.same(weights({ a: 'up', b: 'up', c: 'up' }), { '10.0.0.1': 100, '10.0.0.2': 50, '10.0.0.3': 0 }, 'primary serves');
  t.same(weights({ a: 'down', b: 'down', c: 'up' }), { '10.0.0.1': 0, '10.0.0.2': 0, '10.0.0.3': 100 }, 'pool 1 takes over');
  t.same(
    weights({ a: 'up', b: 'up', c: 'up' }, { 'f/pool0/a': 0, 'f/pool0/b': 0 }),
    { '10.0.0.1': 0, '10.0.0.2': 0, '10.0.0.3': 100 },
    'primary zeroed by operator fails over',
  );
  t.end();
});

void t.test('VIP attributes', (t) => {
  const cfg = makeConfig({
    backends: { v4: '10.0.0.1', v6: '2001:db8::10' },
    frontends: {
      six4: { address: '2001:db8::1', srcIpSticky: true, pools: [{ v4: 100 }] },
      six6: { address: '2001:db8::2', pools: [{ v6: 100 }] },
      four6: { address: '192.0.2.1', pools: [{ v6: 100 }] },
    },
  });
  const all = desiredVips(cfg, makeInputs(() => cfg, {}));
  const by = (fe: string) => [...all.values()].find((d) => d.frontend === fe)!;
  t.equal(by('six4').encap, 'gre4', 'v6 VIP with v4 backends → gre4');
  t.equal(by('six6').encap, 'gre6');
  t.equal(by('four6').encap, 'gre6', 'v4 VIP with v6 backends → gre6');
  const empty = makeConfig({ backends: {}, frontends: { e4: { address: '192.0.2.9', pools: [] }, e6: { address: '2001:db8::9', pools: [{}, { ghost: 100 }] } } });
  const none = desiredVips(empty, makeInputs(() => empty, {}));
  t.same(
    [...none.values()].map((d) => [d.frontend, d.encap, d.ases.size]),
    [
      ['e4', 'gre4', 0],
      ['e6', 'gre6', 0],
    ],
    'without a known backend the encap follows the VIP family',
  );
  t.equal(by('six4').srcIpSticky, true);
  t.equal(by('six6').srcIpSticky, false);
  for (const d of all.values()) t.equal(d.flowTableLength, 1024, `${d.frontend} flow table length`);
  t.equal(all.size, 3);
  t.ok(all.has('2001:db8::1/128 tcp 80'), 'keyed by vipKeyString');
  t.end();
});

void t.test('desired lb_conf', (t) => {
  const cur: LbConf = { ip4SrcAddress: '198.51.100.1', ip6SrcAddress: '2001:db8::99', stickyBucketsPerCore: 1024, flowTimeoutS: 40 };
  const cases: Array<{ name: string; lb: Partial<typeof defaultLb>; want: LbConf }> = [
    {
      name: 'both set',
      lb: {},
      want: { ip4SrcAddress: '192.0.2.254', ip6SrcAddress: '2001:db8::fe', stickyBucketsPerCore: 65536, flowTimeoutS: 40 },
    },
    {
      name: 'unset v6 keeps VPP value',
      lb: { ipv6SrcAddress: undefined, flowTimeoutS: 60 },
      want: { ip4SrcAddress: '192.0.2.254', ip6SrcAddress: '2001:db8::99', stickyBucketsPerCore: 65536, flowTimeoutS: 60 },
    },
    {
      name: 'unset v4 keeps VPP value',
      lb: { ipv4SrcAddress: undefined },
      want: { ip4SrcAddress: '198.51.100.1', ip6SrcAddress: '2001:db8::fe', stickyBucketsPerCore: 65536, flowTimeoutS: 40 },
    },
  ];
  for (const c of cases) t.same(desiredConf({ ...defaultLb, ...c.lb }, cur), c.want, c.name);
  t.ok(confEqual(cur, { ...cur, ip6SrcAddress: '2001:DB8:0::99' }), 'addresses compared canonically');
  t.notOk(confEqual(cur, { ...cur, flowTimeoutS: 41 }));
  t.notOk(confEqual(cur, { ...cur, stickyBucketsPerCore: 2048 }));
  t.end();
});
