import net from 'node:net';
import t from 'tap';
import { decodeMessage, encodeMessage, readMsgId } from '../../../src/vpp/codec.js';
import { encodeFrame, FrameDecoder } from '../../../src/vpp/frame.js';
import type { MessageBody, MessageName } from '../../../src/vpp/messages.js';
import { assignMessageIds } from '../../../src/vpp/sim/api-server.js';
import { startTestSim } from '../../support/vpp-sim-harness.js';
import { until } from '../../support/wait-for.js';

/** A bare api.sock client: raw frames in, raw messages out, no retries or matching. */
async function rawClient(path: string) {
  const socket = net.createConnection({ path });
  await new Promise((r) => socket.once('connect', r));
  const decoder = new FrameDecoder();
  const inbox: Buffer[] = [];
  let ended = false;
  socket.on('data', (c: Buffer) => inbox.push(...decoder.push(c)));
  socket.on('close', () => (ended = true));
  return {
    inbox,
    ended: () => ended,
    send: (msg: Buffer) => socket.write(encodeFrame(msg)),
    close: () => socket.destroy(),
  };
}

t.test('registration, ids, and silent drops', async (t) => {
  const { sim, apiSocket } = await startTestSim(t, { msgIdBase: 500, fillerMessages: 3000 });
  const ids = sim.api.messageIds;
  const id = (n: MessageName): number => ids.get(n)!;
  const c = await rawClient(apiSocket);
  t.teardown(c.close);

  c.send(encodeMessage('sockclnt_create', 15, { context: 0xabc }, { name: 'raw' }));
  await until(() => c.inbox.length === 1, 'sockclnt_create_reply');
  const reply = decodeMessage('sockclnt_create_reply', c.inbox.shift()!);
  t.equal(reply.id, 16);
  t.equal(reply.clientIndex, 0, 'client_index in the reply is 0');
  t.equal(reply.context, 0xabc, 'context echoed');
  t.equal(reply.body.response, 0);
  t.equal(reply.body.index, 0x80000001);
  t.ok(reply.body.message_table.length > 3000, 'a realistically large table');
  const table = new Map(reply.body.message_table.map((e) => [e.name, e.id]));
  t.equal(table.get('lb_conf_56cd3261'), id('lb_conf'));
  t.equal(table.get('control_ping_51077d14'), 23);
  t.equal(id('lb_conf'), 500 + 6, 'vpe (4) and ip (2) messages come first, then lb in lb.api order');

  const index = reply.body.index;
  const ping = (context: number, clientIndex = index) => encodeMessage('control_ping', 23, { context, clientIndex }, {});
  c.send(ping(1, 0x80000099)); // wrong client_index: no reply
  c.send(Buffer.from([0x7f, 0xff, 0, 0, 0, 0])); // unknown id
  c.send(ping(2).subarray(0, 8)); // too short
  c.send(encodeMessage('control_ping_reply', 24, { context: 3 }, { retval: 0, client_index: 0, vpe_pid: 0 })); // a reply, not a request
  c.send(ping(4));
  await until(() => c.inbox.length >= 1, 'the valid ping reply');
  await new Promise((r) => setTimeout(r, 20));
  t.equal(c.inbox.length, 1, 'only the valid request was answered');
  const pong = decodeMessage('control_ping_reply', c.inbox.shift()!);
  t.same([pong.id, pong.context, pong.body.vpe_pid, pong.body.client_index], [24, 4, 4242, index]);

  c.send(encodeMessage('get_first_msg_id', 10, { context: 5, clientIndex: index }, { name: 'lb_ac602d7b' }));
  c.send(encodeMessage('get_first_msg_id', 10, { context: 6, clientIndex: index }, { name: 'nope_12345678' }));
  await until(() => c.inbox.length === 2);
  t.same(decodeMessage('get_first_msg_id_reply', c.inbox.shift()!).body, { retval: 0, first_msg_id: id('lb_conf') });
  t.equal(decodeMessage('get_first_msg_id_reply', c.inbox.shift()!).body.retval, -7);

  c.send(encodeMessage('sockclnt_delete', 17, { context: 7, clientIndex: index }, { index }));
  await until(() => c.ended(), 'VPP to close after sockclnt_delete');
  t.same(decodeMessage('sockclnt_delete_reply', c.inbox.shift()!).body, { response: 1 });
});

t.test('lb handlers over the wire', async (t) => {
  const { sim, apiSocket } = await startTestSim(t, { msgIdBase: 100 });
  const ids = sim.api.messageIds;
  const c = await rawClient(apiSocket);
  t.teardown(c.close);
  c.send(encodeMessage('sockclnt_create', 15, { context: 1 }, { name: 'raw' }));
  await until(() => c.inbox.length === 1);
  const index = decodeMessage('sockclnt_create_reply', c.inbox.shift()!).body.index;
  let ctx = 10;
  const send = <N extends MessageName>(name: N, body: MessageBody<N>): number => {
    const context = ctx++;
    c.send(encodeMessage(name, ids.get(name)!, { context, clientIndex: index }, body));
    return context;
  };
  const vipBody = (port: number) => ({
    pfx: '192.0.2.1/32',
    protocol: 6,
    port,
    encap: 0,
    dscp: 0,
    type: 0,
    target_port: 0,
    node_port: 0,
    new_flows_table_length: 1024,
    is_del: false,
  });
  send('lb_add_del_vip', vipBody(80));
  send('lb_add_del_vip_v2', { ...vipBody(443), src_ip_sticky: true });
  send('lb_add_del_as', { pfx: '192.0.2.1/32', protocol: 6, port: 80, as_address: '10.0.0.2', is_del: false, is_flush: false });
  send('lb_add_del_as_v2', { pfx: '192.0.2.1/32', protocol: 6, port: 443, as_address: '10.0.0.3', weight: 7, is_del: false, is_flush: false });
  send('lb_flush_vip', { pfx: '203.0.113.1/32', protocol: 6, port: 80 });
  send('lb_add_del_intf_nat4', { is_add: true, sw_if_index: 1 });
  const dumpCtx = send('lb_vip_dump', { pfx: '203.0.113.9/32', pfx_matcher_le: 32, pfx_matcher_ge: 32, protocol: 17, port: 9 });
  const asCtx = send('lb_as_dump', { pfx: '0.0.0.0/0', protocol: 0, port: 0 });
  const v4FilterCtx = send('lb_as_v2_dump', { pfx: '192.0.2.1/32', protocol: 6, port: 80 });
  const pingCtx = send('control_ping', {});
  await until(() => c.inbox.length === 6 + 2 + 2 + 1, 'all replies');
  const names = new Map([...ids].map(([n, i]) => [i, n]));
  const got = c.inbox.map((m) => names.get(readMsgId(m)));
  t.same(got, [
    'lb_add_del_vip_reply',
    'lb_add_del_vip_v2_reply',
    'lb_add_del_as_reply',
    'lb_add_del_as_v2_reply',
    'lb_flush_vip_reply',
    'lb_add_del_intf_nat4_reply',
    'lb_vip_details',
    'lb_vip_details',
    'lb_as_details',
    'lb_as_details',
    'control_ping_reply',
  ], 'in order; the IPv4 lb_as_v2_dump filter yields nothing');
  t.ok(
    c.inbox.slice(0, 6).every((m) => m.readInt32BE(6) === 0),
    'all retvals 0',
  );
  const vd = c.inbox.slice(6, 8).map((m) => decodeMessage('lb_vip_details', m));
  t.same(
    vd.map((d) => [d.context, d.body.pfx, d.body.port, d.body.flow_table_length]),
    [
      [dumpCtx, '192.0.2.1/32', 80, 1024],
      [dumpCtx, '192.0.2.1/32', 443, 1024],
    ],
  );
  const ad = c.inbox.slice(8, 10).map((m) => decodeMessage('lb_as_details', m));
  t.same(
    ad.map((d) => [d.context, d.body.app_srv, d.body.flags]),
    [
      [asCtx, '10.0.0.2', 1],
      [asCtx, '10.0.0.3', 1],
    ],
  );
  t.equal(decodeMessage('control_ping_reply', c.inbox[10]!).context, pingCtx);
  t.not(v4FilterCtx, pingCtx);
  t.equal(sim.model.findVip({ prefix: '192.0.2.1/32', protocol: 6, port: 80 })?.srcIpSticky, false, 'v1 has no sticky flag');
  t.equal(sim.model.findVip({ prefix: '192.0.2.1/32', protocol: 6, port: 80 })?.ases[0]?.weight, 100, 'v1 AS add uses weight 100');
});

t.test('id assignment', async (t) => {
  t.throws(() => assignMessageIds(20), RangeError);
  const ids = assignMessageIds(2000);
  t.equal(ids.get('sockclnt_create'), 15);
  t.equal(new Set(ids.values()).size, ids.size, 'unique');
});
