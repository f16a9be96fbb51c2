import t from 'tap';
import { isDaemonError } from '../../src/shared/errors.js';
import { ApiConnection } from '../../src/vpp/api-connection.js';
import type { VipKey } from '../../src/shared/lb-vip.js';
import { LbClient, VppCliError } from '../../src/vpp/lb-client.js';
import { VppApiError } from '../../src/vpp/vpp-api-error.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { startTestSim, type Teardown } from '../support/vpp-sim-harness.js';

const web: VipKey = { prefix: '192.0.2.1/32', protocol: 6, port: 80 };
const web6: VipKey = { prefix: '2001:db8::1/128', protocol: 6, port: 443 };
const all: VipKey = { prefix: '198.51.100.0/24', protocol: 255, port: 0 };

async function client(t: Teardown, opts: Parameters<typeof startTestSim>[1] = {}) {
  const { sim, apiSocket } = await startTestSim(t, { msgIdBase: 4321, pid: 31337, ...opts });
  const log = new RecordingLogger();
  const conn = await ApiConnection.connect({ path: apiSocket, logger: log });
  t.teardown(() => conn.close());
  return { sim, lb: new LbClient(conn), log };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

const addVip = (lb: LbClient, vip: VipKey, more: { encap?: 'gre4' | 'gre6'; srcIpSticky?: boolean; isDel?: boolean } = {}) =>
  lb.addDelVip({ vip, encap: more.encap ?? 'gre4', srcIpSticky: more.srcIpSticky ?? false, newFlowsTableLength: 1024, isDel: more.isDel ?? false });

t.test('conf', async (t) => {
  const { lb } = await client(t);
  t.same(await lb.confGet(), { ip4SrcAddress: '255.255.255.255', ip6SrcAddress: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', stickyBucketsPerCore: 1024, flowTimeoutS: 40 });
  await lb.conf({ ip4SrcAddress: '10.0.0.1', ip6SrcAddress: '2001:db8::10', stickyBucketsPerCore: 0xffffffff, flowTimeoutS: 30 });
  t.same(await lb.confGet(), { ip4SrcAddress: '10.0.0.1', ip6SrcAddress: '2001:db8::10', stickyBucketsPerCore: 1024, flowTimeoutS: 30 });
  const e = await failure(lb.conf({ ip4SrcAddress: '10.0.0.1', ip6SrcAddress: '::', stickyBucketsPerCore: 1000, flowTimeoutS: 30 }));
  t.equal(e.message, 'lb_conf: INVALID_MEMORY_SIZE (-70)');
});

t.test('VIPs and ASes end to end', async (t) => {
  const { sim, lb } = await client(t);
  await addVip(lb, web);
  await addVip(lb, web6, { encap: 'gre6', srcIpSticky: true });
  await addVip(lb, all, { srcIpSticky: true });
  await lb.addDelAs({ vip: web, address: '10.0.0.2', weight: 100, isDel: false, isFlush: false });
  await lb.addDelAs({ vip: web, address: '10.0.0.3', weight: 50, isDel: false, isFlush: false });
  await lb.addDelAs({ vip: web6, address: '2001:db8::2', weight: 100, isDel: false, isFlush: false });
  await lb.addDelAs({ vip: all, address: '10.0.0.9', weight: 255, isDel: false, isFlush: false });

  t.same(await lb.vipDump(), [
    { prefix: '192.0.2.1/32', protocol: 6, port: 80, encap: 'gre4', flowTableLength: 1024 },
    { prefix: '2001:db8::1/128', protocol: 6, port: 443, encap: 'gre6', flowTableLength: 1024 },
    { prefix: '198.51.100.0/24', protocol: 255, port: 0, encap: 'gre4', flowTableLength: 1024 },
  ]);
  t.same(
    (await lb.asDump()).map((a) => [a.vip.prefix, a.vip.port, a.address, a.weight, a.flags, a.numBuckets]),
    [
      ['192.0.2.1/32', 80, '10.0.0.2', 100, 1, 674],
      ['192.0.2.1/32', 80, '10.0.0.3', 50, 1, 350],
      ['2001:db8::1/128', 443, '2001:db8::2', 100, 1, 1024],
      ['198.51.100.0/24', 0, '10.0.0.9', 255, 1, 1024],
    ],
  );
  const cli = await lb.vipsVerbose();
  t.same(
    cli.map((b) => [b.index, b.prefix, b.protocol, b.port, b.encap, b.srcIpSticky, b.removed]),
    [
      [1, '192.0.2.1/32', 6, 80, 'gre4', false, false],
      [2, '2001:db8::1/128', 6, 443, 'gre6', true, false],
      [3, '198.51.100.0/24', 255, 0, 'gre4', true, false],
    ],
  );

  await lb.asSetWeight({ vip: web, address: '10.0.0.3', weight: 0, isFlush: true });
  t.same(
    (await lb.asDump()).filter((a) => a.vip.port === 80).map((a) => [a.address, a.weight, a.numBuckets]),
    [
      ['10.0.0.2', 100, 1024],
      ['10.0.0.3', 0, 0],
    ],
    'weight 0 drains the AS out of the table',
  );

  await lb.addDelAs({ vip: web, address: '10.0.0.3', weight: 0, isDel: true, isFlush: true });
  await addVip(lb, web6, { encap: 'gre6', isDel: true });
  const ases = await lb.asDump();
  t.same(
    ases.filter((a) => (a.flags & 1) === 0).map((a) => a.address),
    ['10.0.0.3', '2001:db8::2'],
    'removed ASes (and those of the deleted VIP) stay listed with flags 0',
  );
  t.ok(
    ases.filter((a) => (a.flags & 1) === 0).every((a) => a.inUseSince === sim.model.uptimeS()),
    'in_use_since carries the removal time',
  );
  t.same(
    (await lb.vipDump()).map((v) => v.prefix),
    ['192.0.2.1/32', '198.51.100.0/24'],
    'the deleted VIP is not dumped',
  );
  t.same(
    (await lb.vipsVerbose()).filter((b) => b.removed).map((b) => b.index),
    [2],
    'but shows as removed in the CLI',
  );
});

t.test('retval errors carry the VPP name and number', async (t) => {
  const { lb, sim } = await client(t);
  await addVip(lb, web);
  const cases: Array<{ name: string; do: () => Promise<unknown>; want: string; retval: number }> = [
    { name: 'VIP exists', do: () => addVip(lb, web), want: 'lb_add_del_vip_v2: VALUE_EXIST (-81)', retval: -81 },
    { name: 'encap clash', do: () => addVip(lb, { ...web, port: 443 }, { encap: 'gre6' }), want: 'lb_add_del_vip_v2: INVALID_ARGUMENT (-73)', retval: -73 },
    { name: 'VIP missing', do: () => addVip(lb, web6, { isDel: true }), want: 'lb_add_del_vip_v2: NO_SUCH_ENTRY (-6)', retval: -6 },
    { name: 'AS family', do: () => lb.addDelAs({ vip: web, address: '2001:db8::2', weight: 1, isDel: false, isFlush: false }), want: 'lb_add_del_as_v2: INVALID_ADDRESS_FAMILY (-97)', retval: -97 },
    { name: 'AS of a missing VIP', do: () => lb.addDelAs({ vip: web6, address: '2001:db8::2', weight: 1, isDel: false, isFlush: false }), want: 'lb_add_del_as_v2: NO_SUCH_ENTRY (-6)', retval: -6 },
    { name: 'weight of a missing AS', do: () => lb.asSetWeight({ vip: web, address: '10.0.0.7', weight: 1, isFlush: false }), want: 'lb_as_set_weight: NO_SUCH_ENTRY (-6)', retval: -6 },
  ];
  for (const c of cases) {
    const e = await failure(c.do());
    t.ok(e instanceof VppApiError, `${c.name}: VppApiError`);
    t.equal(e.message, c.want, c.name);
    t.equal((e as VppApiError).retval, c.retval);
    t.ok(isDaemonError(e, 'VPP_RETVAL'));
  }
  await lb.addDelAs({ vip: web, address: '10.0.0.2', weight: 100, isDel: false, isFlush: false });
  t.equal((await failure(lb.addDelAs({ vip: web, address: '10.0.0.2', weight: 50, isDel: false, isFlush: false }))).message, 'lb_add_del_as_v2: VALUE_EXIST (-81)', 'AS in use');

  const zero = await failure(lb.addDelVip({ vip: web6, encap: 'gre6', srcIpSticky: false, newFlowsTableLength: 0, isDel: false }));
  t.ok(isDaemonError(zero, 'INVALID_ARGUMENT'), 'a table length of 0 is never sent');
  t.equal(sim.model.findVip(web6), undefined);
  t.same(sim.model.warnings, []);
});

t.test('vpe and ip calls', async (t) => {
  const { lb, sim } = await client(t);
  t.same(await lb.showVersion(), { program: 'vpe', version: '26.10-rc0~42-g1a2b3c4d5', buildDate: '2026-05-01T10:00:00', buildDirectory: '/home/vpp/build-root' });
  t.equal(await lb.controlPing(), 31337);
  t.match(await lb.cliInband('show version'), /^vpp v26\.10-rc0/);
  t.match(await lb.cliInband('show lb'), /#vips: 1/);
  const e = await failure(lb.cliInband('show frobnicator'));
  t.ok(e instanceof VppCliError);
  t.equal((e as VppCliError).retval, -1);
  t.equal((e as VppCliError).output, "unknown input `show frobnicator'");
  t.match(e.message, /^cli_inband: UNSPECIFIED \(-1\): "show frobnicator": unknown input/);

  await addVip(lb, web);
  await addVip(lb, { ...web, port: 443 });
  t.ok(lb.hasRouteLookup);
  const idx = await lb.ipRouteLookup('192.0.2.1/32');
  t.equal(idx, sim.model.routeLookup(0, '192.0.2.1/32').statsIndex, 'per-port VIPs on one address share the route');
  t.type(idx, 'number');
  t.equal(await lb.ipRouteLookup('192.0.2.99/32'), undefined, 'no route');
});

t.test('without ip_route_lookup', async (t) => {
  const { lb } = await client(t, { omitMessages: ['ip_route_lookup', 'ip_route_lookup_reply'] });
  t.notOk(lb.hasRouteLookup);
  t.equal(await lb.ipRouteLookup('192.0.2.1/32'), undefined);
});

t.test('every lb call is logged by the wrapper', async (t) => {
  const { lb, log } = await client(t);
  await lb.confGet();
  await lb.vipDump();
  await lb.asDump();
  await lb.vipsVerbose();
  t.same(
    log.records.filter((e) => e.msg.startsWith('vpp-api-send')).map((e) => [e.msg, e.attrs.vpp_msg]),
    [
      ['vpp-api-send', 'sockclnt_create'],
      ['vpp-api-send', 'lb_conf_get'],
      ['vpp-api-send-multi', 'lb_vip_dump'],
      ['vpp-api-send-multi', 'lb_as_v2_dump'],
      ['vpp-api-send', 'cli_inband'],
    ],
  );
  t.ok(log.records.every((e) => e.level === 'debug'));
});
