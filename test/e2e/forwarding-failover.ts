// End to end with traffic: the built maglevd health-checks line backends on loopback and
// programs the simulator, whose forwarding mode carries TCP connections to the loopback VIP
// through its Maglev table and sticky flow table. When a backend fails, new connections move
// off it once maglevd drains it, while established connections to the healthy backend keep
// their AS (and their socket), also when the failed backend comes back and the table changes
// again. maglevd's counter scrape sees the traffic.

import t from 'tap';
import { clientsOn, lineClient, servedBy, startTrafficLab, type LineClient } from '../support/line-peers.js';
import { until } from '../support/wait-for.js';
import { lbFlowHash } from '../../src/vpp/sim/flow-hash.js';

const a = '127.79.2.1';
const b = '127.79.2.2';
const vipAddress = '127.79.8.1';

t.test('traffic moves off a failed backend; established connections to the healthy one survive', async (t) => {
  const { lab, backends, m, port, web } = await startTrafficLab(t, a, b, vipAddress);

  const on = await clientsOn(t, vipAddress, port, [a, b]);
  t.pass('connections through the VIP reach both backends');
  /** Connections made while only b was in (open until the end of the whole test). */
  const onB: LineClient[] = [];
  const whole = t;
  /** The AS the Maglev table now gives a connection's flow (where it would go without its sticky entry). */
  const tableAs = (c: LineClient): string | undefined => {
    const vip = lab.sim.model.findVip(web)!;
    const hash = lbFlowHash({ src: c.socket.localAddress!, srcPort: c.socket.localPort!, dst: vipAddress, dstPort: port }, false);
    return vip.table[hash & (vip.table.length - 1)]?.address;
  };

  await t.test('a fails: its connection dies, new connections go to b, b keeps its connection', async (t) => {
    await backends.stop(a, true);
    t.match(await on.get(a)!.ended, /^(closed|ECONNRESET)$/, "a's connection is gone with a");
    await lab.until(() => lab.weights(web)?.[a] === 0, 'maglevd to drain a');
    for (let i = 0; i < 16; i++) {
      const c = await lineClient(whole, vipAddress, port);
      t.equal(servedBy(await c.ask(`new ${i}`)), b, `new connection ${i} on b`);
      onB.push(c);
    }
    t.equal(await on.get(b)!.ask('still here'), `${b} still here`, "b's established connection survives the failover");
  });

  await t.test('a recovers: new connections spread again, b keeps its connection', async (t) => {
    await backends.start(a);
    await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 100 }), 'a back in');
    const again = await clientsOn(t, vipAddress, port, [a]);
    t.equal(servedBy(await again.get(a)!.ask('back')), a, 'a takes new connections');
    t.equal(await on.get(b)!.ask('still'), `${b} still`, "b's connection survives the table change");
    const moved = onB.filter((c) => tableAs(c) === a);
    t.ok(moved.length > 0, `the table now sends some of b's flows to a (${moved.length} of ${onB.length})`);
    for (const c of onB) t.equal(servedBy(await c.ask('sticky')), b, `port ${c.socket.localPort}: still on b (table: ${tableAs(c)})`);
    const asB = lab.sim.model.findVip(web)!.ases.find((x) => x.address === b)!;
    t.ok(lab.sim.model.flows(asB) >= 1, 'the sticky entry shows as a flow of b');
  });

  await t.test("maglevd's counter scrape sees the traffic", async (t) => {
    const index = lab.sim.model.findVip(web)!.index;
    const sim = lab.sim.model.stats.totals(index);
    t.ok(sim.first >= 4 && sim.next >= sim.first, `the simulator counted the connections: ${JSON.stringify(sim)}`);
    const seen = async (): Promise<boolean> => {
      const c = (await m.client.getVppLbCounters()).vips.find((v) => v.prefix === web.prefix);
      return c !== undefined && Number(c.first_packets) >= sim.first && Number(c.fib_packets) > 0;
    };
    // maglevd scrapes every 5 s.
    await until(seen, 'a scrape with the connections', 15_000);
    t.pass('GetVPPLBCounters shows them');
  });

  t.ok(m.alive());
});
