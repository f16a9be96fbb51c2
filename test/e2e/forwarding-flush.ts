// End to end with traffic, what a flush does: VPP's lb_flush_vip_as evicts the sticky entries
// pointing at the AS, so an established connection's next packet is a new flow, hashed onto
// the current Maglev table, i.e. onto another AS, which answers it with a RST. Without a flush
// the entries keep the connections on their AS. maglevd drains a paused backend without a
// flush, a disabled one with a flush, and a failed one with a flush (flush-on-down).

import t, { type Test } from 'tap';
import { describeWrite, type SimLab } from '../support/e2e-lab.js';
import { lineClient, servedBy, startTrafficLab, type LineBackends, type LineClient } from '../support/line-peers.js';
import type { Teardown } from '../support/vpp-sim-harness.js';

const a = '127.79.5.1';
const b = '127.79.5.2';
const vipAddress = '127.79.8.5';

/** 16 connections through the VIP (more until both backends have some), by the backend that serves them. */
async function connections(t: Teardown, port: number): Promise<{ onA: LineClient[]; onB: LineClient[] }> {
  const onA: LineClient[] = [];
  const onB: LineClient[] = [];
  for (let i = 0; i < 16 || onA.length === 0 || onB.length === 0; i++) {
    if (i === 64) throw new Error(`64 connections and still not on both: ${onA.length} on a, ${onB.length} on b`);
    const c = await lineClient(t, vipAddress, port);
    (servedBy(await c.ask(`hello ${i}`)) === a ? onA : onB).push(c);
  }
  return { onA, onB };
}

async function allServedBy(t: Test, cs: readonly LineClient[], want: string, what: string): Promise<void> {
  for (const c of cs) t.equal(servedBy(await c.ask(what)), want, `${what}: port ${c.socket.localPort} on ${want}`);
}

function flowsOf(lab: SimLab, web: { prefix: string; protocol: number; port: number }, address: string): number {
  const as = lab.sim.model.findVip(web)?.ases.find((x) => x.address === address);
  return as === undefined ? -1 : lab.sim.model.flows(as);
}

t.test('pause drains without a flush, disable with one', async (t) => {
  const { lab, port, web, m } = await startTrafficLab(t, a, b, vipAddress);
  const { onA, onB } = await connections(t, port);
  t.equal(flowsOf(lab, web, a), onA.length, "a's flows: one sticky entry per connection");

  await t.test('paused: established connections stay on a, new ones go to b', async (st) => {
    const mark = lab.requests.length;
    await m.client.pauseBackend({ name: 'a' });
    await lab.until(() => lab.weights(web)?.[a] === 0, 'a at weight 0');
    st.same(lab.writes(mark).map(describeWrite), [`weight ${web.prefix} 6 ${port} ${a} w=0 flush=false`]);
    await allServedBy(st, onA, a, 'after the pause');
    st.equal(servedBy(await (await lineClient(st, vipAddress, port)).ask('new')), b, 'a new connection goes to b');
    st.equal(flowsOf(lab, web, a), onA.length, "a's sticky entries are kept");
  });

  await t.test('resumed and disabled: the flush cuts the connections to a, those to b go on', async (st) => {
    await m.client.resumeBackend({ name: 'a' });
    await lab.until(() => lab.weights(web)?.[a] === 100, 'a back at 100');
    await allServedBy(st, onA, a, 'after the resume');
    const mark = lab.requests.length;
    await m.client.disableBackend({ name: 'a' });
    await lab.until(() => lab.weights(web)?.[a] === 0, 'a at weight 0');
    st.same(lab.writes(mark).map(describeWrite), [`weight ${web.prefix} 6 ${port} ${a} w=0 flush=true`]);
    st.equal(flowsOf(lab, web, a), 0, "a's sticky entries are gone");
    for (const c of onA) await st.rejects(c.ask('after the flush'), /ECONNRESET/, `port ${c.socket.localPort}: its next packet lands on b, which resets it`);
    await allServedBy(st, onB, b, 'after the flush');
    st.equal(lab.sim.forwarder?.stats().ends.moved, onA.length, 'each counted as moved');
  });
});

t.test('a failed backend is flushed (flush-on-down): its live connections are cut', async (t) => {
  const { lab, backends, port, web } = await startTrafficLab(t, a, b, vipAddress);
  const { onA, onB } = await connections(t, port);
  const mark = lab.requests.length;
  await failWithoutDroppingConnections(backends);
  await lab.until(() => lab.weights(web)?.[a] === 0, 'a drained');
  t.same(lab.writes(mark).map(describeWrite), [`weight ${web.prefix} 6 ${port} ${a} w=0 flush=true`]);
  t.ok(backends.open(a) > 0, 'a itself still holds its connections');
  for (const c of onA) await t.rejects(c.ask('after the flush'), /ECONNRESET/, `port ${c.socket.localPort}: cut`);
  await allServedBy(t, onB, b, 'after the flush');
});

/** a stops accepting (its health check fails) but keeps the connections it has. */
function failWithoutDroppingConnections(backends: LineBackends): Promise<void> {
  return backends.stop(a, false);
}
