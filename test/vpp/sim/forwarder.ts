import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../support/manual-clock.js';
import { clientsOn, lineClient, servedBy, startLineBackends } from '../../support/line-peers.js';
import { startTestSim, tempDir, type Teardown } from '../../support/vpp-sim-harness.js';
import { until } from '../../support/wait-for.js';
import type { VipKey } from '../../../src/shared/lb-vip.js';
import { connectStatsSegment } from '../../../src/vpp/stats-client.js';
import { Forwarder, type ForwardOptions } from '../../../src/vpp/sim/forwarder.js';
import { LbModel } from '../../../src/vpp/sim/lb-model.js';

const a = '127.79.1.1';
const b = '127.79.1.2';
const vipAddress = '127.79.9.1';

function lab(t: Teardown, opts: ForwardOptions = {}) {
  const model = new LbModel({ clock: new ManualClock(0), backgroundGc: false });
  const log: string[] = [];
  const fwd = new Forwarder({ ...opts, log: (l) => log.push(l) });
  fwd.attach(model);
  t.teardown(() => fwd.close());
  const addVip = async (key: VipKey, ases: readonly string[], sticky = false): Promise<void> => {
    model.addVip({ ...key, encap: 'gre4', newFlowsTableLength: 64, srcIpSticky: sticky });
    for (const as of ases) model.addAs(key, as, 100, false);
    await fwd.settled();
  };
  return { model, fwd, log, addVip };
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

t.test('listeners follow the live TCP VIPs', async (t) => {
  const backends = await startLineBackends(t, [a]);
  const l = lab(t, { allPortPorts: [backends.port] });
  const web = { prefix: `${vipAddress}/32`, protocol: 6, port: backends.port };
  t.ok(await refused(vipAddress, backends.port), 'nothing listens before the VIP exists');
  await l.addVip(web, [a]);
  t.same(l.fwd.listeners(), [{ address: vipAddress, port: backends.port, status: 'listening' }]);
  const c = await lineClient(t, vipAddress, backends.port);
  t.equal(await c.ask('hi'), `${a} hi`, 'relayed to the AS on the same port');
  t.equal(l.model.delVip(web), 0);
  await l.fwd.settled();
  t.same(l.fwd.listeners(), []);
  t.ok(await refused(vipAddress, backends.port), 'the listener is gone with the VIP');
  await t.rejects(c.ask('again'), /ECONNRESET/, 'an established connection is reset on its next packet: no VIP takes it');

  const all = { prefix: `${vipAddress}/32`, protocol: 255, port: 0 };
  await l.addVip(all, [a]);
  t.same(l.fwd.listeners(), [{ address: vipAddress, port: backends.port, status: 'listening' }], 'an all-port VIP on the configured ports');
  t.equal(await (await lineClient(t, vipAddress, backends.port)).ask('x'), `${a} x`);
  t.same(l.log, [
    `forwarding ${vipAddress}:${backends.port}`,
    `stopped forwarding ${vipAddress}:${backends.port}`,
    `forwarding ${vipAddress}:${backends.port}`,
  ]);
});

t.test('VIPs that are not forwarded, and listeners that fail, are reported once', async (t) => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, vipAddress, resolve));
  t.teardown(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  const port = (busy.address() as net.AddressInfo).port;
  const l = lab(t);
  await l.addVip({ prefix: '192.0.2.1/32', protocol: 6, port: 80 }, []);
  await l.addVip({ prefix: '127.79.9.0/24', protocol: 6, port: 80 }, []);
  await l.addVip({ prefix: `${vipAddress}/32`, protocol: 17, port: 53 }, []);
  await l.addVip({ prefix: `${vipAddress}/32`, protocol: 6, port }, []);
  await l.addVip({ prefix: '127.79.9.2/32', protocol: 255, port: 0 }, []);
  t.same(l.fwd.listeners(), [{ address: vipAddress, port, status: 'failed', error: 'EADDRINUSE' }]);
  t.same(l.log, [
    'not forwarding VIP 192.0.2.1/32 6/80: not a loopback address',
    'not forwarding VIP 127.79.9.0/24 6/80: not a host prefix',
    `not forwarding VIP ${vipAddress}/32 17/53: only TCP is forwarded`,
    `cannot forward ${vipAddress}:${port}: listen EADDRINUSE`,
  ], 'each once, though every VIP add reconciles');
});

t.test('the lb counts the relayed packets', async (t) => {
  const backends = await startLineBackends(t, [a]);
  const l = lab(t);
  const web = { prefix: `${vipAddress}/32`, protocol: 6, port: backends.port };
  await l.addVip(web, [a]);
  const c = await lineClient(t, vipAddress, backends.port);
  await c.ask('x'.repeat(9));
  await c.ask('y'.repeat(2 * 1460 - 1));
  c.socket.end();
  t.equal(await c.ended, 'closed', 'a clean close');
  await until(() => l.fwd.stats().ends.closed === 1, 'the relay to finish');
  const index = l.model.findVip(web)!.index;
  // The SYN, a 10-byte segment, 2920 bytes in two 1460-byte segments, the FIN.
  t.same(l.model.stats.totals(index), { next: 4, first: 1, untracked: 0, noServer: 0 });
  const route = l.model.stats.routeCounters().get(l.model.routeLookup(0, web.prefix).statsIndex);
  t.same(route, { packets: [5], bytes: [5 * 40 + 10 + 2920] }, 'IPv4+TCP headers plus the payload');
  t.same(l.fwd.stats(), { open: 0, ends: { closed: 1, moved: 0, dropped: 0, 'as-failed': 0, 'client-reset': 0, stopped: 0 } });
});

t.test('established connections keep their AS; a flush moves them, which resets them', async (t) => {
  const backends = await startLineBackends(t, [a, b]);
  const l = lab(t);
  const web = { prefix: `${vipAddress}/32`, protocol: 6, port: backends.port };
  await l.addVip(web, [a, b]);
  const on = await clientsOn(t, vipAddress, backends.port, [a, b]);
  t.equal(l.model.setWeight(web, a, 0, false), 0, 'a drained without a flush');
  t.equal(servedBy(await on.get(a)!.ask('still')), a, 'the connection to a stays on a');
  for (let i = 0; i < 8; i++) t.equal(servedBy(await (await lineClient(t, vipAddress, backends.port)).ask('new')), b, `new connection ${i} goes to b`);
  t.equal(l.model.setWeight(web, a, 0, true), 0, 'a flushed');
  await t.rejects(on.get(a)!.ask('cut?'), /ECONNRESET/, "the flushed connection's next packet goes to b, which resets it");
  t.equal(servedBy(await on.get(b)!.ask('fine')), b, 'the connection to b is untouched');
  await until(() => l.fwd.stats().ends.moved === 1, 'the relay to count the move');
  await until(() => backends.open(a) === 0, "a's side of the moved connection to close");
});

t.test('no server, a refusing AS and the simulator stopping reset the client', async (t) => {
  const backends = await startLineBackends(t, [a]);
  const l = lab(t);
  const web = { prefix: `${vipAddress}/32`, protocol: 6, port: backends.port };
  await l.addVip(web, []);
  const none = await lineClient(t, vipAddress, backends.port);
  t.equal(await none.ended, 'ECONNRESET', 'no server: reset');
  t.equal(l.model.stats.totals(l.model.findVip(web)!.index).noServer, 1);
  l.model.addAs(web, a, 100, false);
  await backends.stop(a);
  const refusedAs = await lineClient(t, vipAddress, backends.port);
  t.equal(await refusedAs.ended, 'ECONNRESET', 'the AS refuses: reset');
  await backends.start(a);
  const live = await lineClient(t, vipAddress, backends.port);
  await live.ask('hi');
  await l.fwd.close();
  t.equal(await live.ended, 'ECONNRESET', 'closing the forwarder resets what it relays');
  t.same(l.fwd.stats().ends, { closed: 0, moved: 0, dropped: 1, 'as-failed': 1, 'client-reset': 0, stopped: 1 });
  t.ok(await refused(vipAddress, backends.port), 'and stops listening');
});

t.test('AS ports can differ from the VIP port; half-closes pass through', async (t) => {
  const backends = await startLineBackends(t, [a]);
  const vipPort = backends.port === 65535 ? 65534 : backends.port + 1;
  const l = lab(t, { asPorts: new Map([[vipPort, backends.port]]) });
  await l.addVip({ prefix: `${vipAddress}/32`, protocol: 6, port: vipPort }, [a]);
  t.same(l.log, [`forwarding ${vipAddress}:${vipPort} to AS port ${backends.port}`]);
  const c = await lineClient(t, vipAddress, vipPort);
  // Half-close right after the line: the backend still answers, then closes its side.
  const answer = new Promise<string>((resolve) => c.socket.once('data', (d) => resolve(String(d))));
  c.socket.end('late\n');
  t.equal(await answer, `${a} late\n`);
  t.equal(await c.ended, 'closed');
});

t.test('in the simulator: counters reach the stats segment; a restart takes the VIPs away', async (t) => {
  const backends = await startLineBackends(t, [a]);
  const statsSocket = path.join(tempDir(t), 'stats.sock');
  const { sim } = await startTestSim(t, { statsSocket, forward: {} });
  const web = { prefix: `${vipAddress}/32`, protocol: 6, port: backends.port };
  sim.model.addVip({ ...web, encap: 'gre4', newFlowsTableLength: 64, srcIpSticky: false });
  sim.model.addAs(web, a, 100, false);
  await sim.forwarder!.settled();
  const c = await lineClient(t, vipAddress, backends.port);
  await c.ask('one');
  await c.ask('two');
  const index = sim.model.findVip(web)!.index;
  const read = async () => {
    const s = await connectStatsSegment(statsSocket);
    try {
      const r = await s.read({ simple: [{ name: 'first session packet', indices: [index] }, { name: 'packet from existing sessions', indices: [index] }] });
      return [r.simple.get('first session packet')?.get(index), r.simple.get('packet from existing sessions')?.get(index)];
    } finally {
      s.close();
    }
  };
  await until(async () => (await read()).join(' ') === '1 2', 'first 1, next 2 in the segment');
  t.pass('published');
  const asA = sim.model.findVip(web)!.ases[0]!;
  t.equal(sim.model.flows(asA), 1, 'the flow shows in flows:');
  await sim.restartEmpty();
  await sim.forwarder!.settled();
  t.same(sim.forwarder!.listeners(), [], 'a restarted VPP has no VIPs to forward');
  await t.rejects(c.ask('three'), /ECONNRESET/, 'the established connection finds no VIP');
});
