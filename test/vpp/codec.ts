import t from 'tap';
import { decodeMessage, encodeMessage, messageFixedSize } from '../../src/vpp/codec.js';
import { encodeFrame } from '../../src/vpp/frame.js';
import { messageNames, nameCrc, requiredMessages, vppMessages, type FieldDef, type MessageName } from '../../src/vpp/messages.js';
import { isDaemonError } from '../../src/shared/errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');

t.test('worked bytes of a sockclnt_create frame', async (t) => {
  const create = encodeFrame(encodeMessage('sockclnt_create', 15, { context: 0x7b }, { name: 'lbctl' }));
  const want = Buffer.concat([hex('0000000000000000 00000046 00000000 000f 0000007b 6c6263746c'), Buffer.alloc(64 - 5)]);
  t.equal(create.length, 86);
  t.same(create, want, 'sockclnt_create frame');

  const vip = encodeMessage(
    'lb_add_del_vip_v2',
    0x0abc,
    { context: 7, clientIndex: 0x80000001 },
    {
      pfx: '192.0.2.1/32',
      protocol: 6,
      port: 80,
      encap: 0,
      dscp: 0,
      type: 0,
      target_port: 0,
      node_port: 0,
      new_flows_table_length: 1024,
      src_ip_sticky: true,
      is_del: false,
    },
  );
  const vipWant = hex('0abc 80000001 00000007 00 c0000201 000000000000000000000000 20 06 0050 00000000 00 00000000 0000 0000 00000400 01 00');
  t.equal(vip.length, 50);
  t.same(vip, vipWant, 'lb_add_del_vip_v2 body');

  const cli = encodeMessage('cli_inband', 0x0123, { context: 9, clientIndex: 0x80000001 }, { cmd: 'show lb vips verbose' });
  t.same(cli, hex('0123 80000001 00000009 00000014 73686f77206c62207669707320766572626f7365'), 'cli_inband body');
  t.equal(cli.length, 34);
});

t.test('layout sizes of the messages', async (t) => {
  const cases: Array<{ in: MessageName; want: number }> = [
    { in: 'sockclnt_create', want: 70 },
    { in: 'sockclnt_delete', want: 14 },
    { in: 'sockclnt_delete_reply', want: 10 },
    { in: 'control_ping', want: 10 },
    { in: 'control_ping_reply', want: 18 },
    { in: 'lb_conf', want: 38 },
    { in: 'lb_conf_reply', want: 10 },
    { in: 'lb_conf_get', want: 10 },
    { in: 'lb_conf_get_reply', want: 38 },
    { in: 'lb_add_del_vip', want: 49 },
    { in: 'lb_add_del_vip_v2', want: 50 },
    { in: 'lb_add_del_as', want: 50 },
    { in: 'lb_add_del_as_v2', want: 51 },
    { in: 'lb_as_set_weight', want: 50 },
    { in: 'lb_flush_vip', want: 31 },
    { in: 'lb_as_dump', want: 31 },
    { in: 'lb_as_v2_dump', want: 31 },
    { in: 'lb_vip_dump', want: 33 },
    { in: 'lb_vip_details', want: 40 },
    { in: 'lb_as_details', want: 49 },
    { in: 'lb_as_v2_details', want: 54 },
    { in: 'show_version', want: 10 },
    { in: 'show_version_reply', want: 362 },
    { in: 'ip_route_lookup', want: 33 },
    { in: 'get_first_msg_id', want: 74 },
    { in: 'get_first_msg_id_reply', want: 12 },
  ];
  for (const c of cases) t.equal(messageFixedSize(c.in), c.want, c.in);
  t.equal(messageFixedSize('cli_inband'), undefined, 'variable: cli_inband');
  t.equal(messageFixedSize('sockclnt_create_reply'), undefined, 'variable: sockclnt_create_reply');
  // sockclnt_create_reply is 20 + 66·count bytes.
  const table = [
    { id: 100, name: 'lb_conf_56cd3261' },
    { id: 101, name: 'lb_conf_reply_e8d4e804' },
  ];
  const reply = encodeMessage('sockclnt_create_reply', 16, { context: 1, clientIndex: 0 }, { response: 0, index: 0x80000001, message_table: table });
  t.equal(reply.length, 20 + 66 * 2);
  t.equal(reply.readUInt32BE(14), 0x80000001, 'index at offset 14');
  t.equal(reply.readUInt16BE(18), 2, 'count at offset 18');
  // ip_route_lookup_reply without paths is 37 bytes.
  const rl = encodeMessage('ip_route_lookup_reply', 5, { context: 1 }, { retval: -6, table_id: 0, stats_index: 0, prefix: '0.0.0.0/0', paths: [] });
  t.equal(rl.length, 37);
});

t.test('field offsets the spec pins', async (t) => {
  const ctx = { context: 0x01020304, clientIndex: 0x80000001 };
  const as = encodeMessage('lb_add_del_as_v2', 1, ctx, {
    pfx: '2001:db8::1/128',
    protocol: 17,
    port: 53,
    as_address: '10.0.0.2',
    weight: 77,
    is_del: true,
    is_flush: true,
  });
  t.equal(as[10], 1, 'pfx af (IPv6) at 10');
  t.equal(as[27], 128, 'pfx len at 27');
  t.equal(as[28], 17, 'protocol at 28');
  t.equal(as.readUInt16BE(29), 53, 'port at 29');
  t.equal(as[31], 0, 'as_address af at 31');
  t.same([...as.subarray(32, 36)], [10, 0, 0, 2], 'IPv4 in un[0..3]');
  t.ok(as.subarray(36, 48).every((b) => b === 0), 'un[4..15] zero');
  t.same([as[48], as[49], as[50]], [77, 1, 1], 'weight, is_del, is_flush');
  t.equal(as.readUInt32BE(6), 0x01020304, 'context at 6, big-endian');

  const conf = encodeMessage('lb_conf', 1, ctx, { ip4_src_address: '10.1.2.3', ip6_src_address: '2001:db8::9', sticky_buckets_per_core: 0xffffffff, flow_timeout: 40 });
  t.same([...conf.subarray(10, 14)], [10, 1, 2, 3]);
  t.equal(conf.readUInt32BE(30), 0xffffffff);
  t.equal(conf.readUInt32BE(34), 40);

  const ping = encodeMessage('control_ping_reply', 24, { context: 5 }, { retval: 0, client_index: 0x80000001, vpe_pid: 4242 });
  t.equal(ping.readUInt32BE(14), 4242, 'vpe_pid at 14');
});

function sample(f: FieldDef, v6: boolean): unknown {
  switch (f.type) {
    case 'u8':
      return 0xab;
    case 'u16':
      return 0xbeef;
    case 'u32':
      return 0xdeadbeef;
    case 'i32':
      return -81;
    case 'u64':
      return 0x0123456789abcdefn;
    case 'bool':
      return true;
    case 'enum32':
      return 3;
    case 'ip4':
      return '192.0.2.1';
    case 'ip6':
      return '2001:db8::1';
    case 'address':
      return v6 ? '2001:db8::2' : '10.0.0.2';
    case 'prefix':
      return v6 ? '2001:db8::/64' : '192.0.2.0/24';
    case 'string':
      return 'abc';
    case 'vstring':
      return 'hello world\nline two';
    case 'bytes':
      return new Uint8Array(f.size).fill(7);
    case 'array':
      return [0, 1].map(() => sampleBody(f.of, v6));
  }
}

function sampleBody(fields: readonly FieldDef[], v6: boolean): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, sample(f, v6)]));
}

t.test('every message round-trips', async (t) => {
  for (const name of messageNames) {
    for (const v6 of [false, true]) {
      const def = vppMessages[name];
      const body = sampleBody(def.fields, v6);
      const header = { context: 0xfffffffe, clientIndex: 0x80000007 };
      const buf = encodeMessage(name, 4321, header, body as never);
      const fixed = messageFixedSize(name);
      if (fixed !== undefined) t.equal(buf.length, fixed, `${name} size`);
      const d = decodeMessage(name, buf);
      t.equal(d.id, 4321);
      t.equal(d.context, 0xfffffffe);
      t.equal(d.clientIndex, def.header === 'client' ? 0x80000007 : undefined, `${name} client_index`);
      t.same(d.body, body, `${name} ${v6 ? 'v6' : 'v4'} body`);
    }
  }
});

t.test('address decoding rules', async (t) => {
  const detailsWith = (patch: (b: Buffer) => void): Buffer => {
    const b = encodeMessage('lb_as_v2_details', 1, { context: 1 }, {
      pfx: '192.0.2.1/32',
      protocol: 6,
      port: 80,
      app_srv: '10.0.0.2',
      flags: 1,
      in_use_since: 0,
      weight: 100,
      num_buckets: 1024,
    });
    patch(b);
    return b;
  };
  const cases: Array<{ name: string; patch: (b: Buffer) => void; want: { pfx: string; app_srv: string }; wire?: { pfx: string; app_srv: string } }> = [
    { name: 'plain IPv4', patch: () => {}, want: { pfx: '192.0.2.1/32', app_srv: '10.0.0.2' } },
    {
      name: 'IPv4 with garbage after un[3] reads un[0..3] only',
      patch: (b) => {
        b.fill(0xee, 11, 23);
        b.fill(0xee, 32, 44);
      },
      want: { pfx: '192.0.2.1/32', app_srv: '10.0.0.2' },
    },
    {
      name: 'IPv4-in-IPv6 is IPv4; prefix length 128 becomes 32',
      patch: (b) => {
        b[6] = 1;
        b.fill(0, 7, 23);
        b.set([192, 0, 2, 1], 19);
        b[23] = 128;
        b[27] = 1;
        b.fill(0, 28, 44);
        b.set([10, 0, 0, 2], 40);
      },
      want: { pfx: '192.0.2.1/32', app_srv: '10.0.0.2' },
      wire: { pfx: '::c000:201/128', app_srv: '::a00:2' },
    },
    {
      name: 'the all-zero IPv6 address stays IPv6',
      patch: (b) => {
        b[6] = 1;
        b.fill(0, 7, 23);
        b[23] = 0;
      },
      want: { pfx: '::/0', app_srv: '10.0.0.2' },
    },
  ];
  for (const c of cases) {
    const buf = detailsWith(c.patch);
    const d = decodeMessage('lb_as_v2_details', buf).body;
    t.same({ pfx: d.pfx, app_srv: d.app_srv }, c.want, c.name);
    if (c.wire !== undefined) {
      const w = decodeMessage('lb_as_v2_details', buf, { ipv4InIpv6: 'wire' }).body;
      t.same({ pfx: w.pfx, app_srv: w.app_srv }, c.wire, `${c.name} (wire form)`);
    }
  }
  const bad = detailsWith((b) => (b[6] = 7));
  t.throws(() => decodeMessage('lb_as_v2_details', bad), { code: 'VPP_PROTOCOL' }, 'unknown af');
});

t.test('strings, bools, short and long messages', async (t) => {
  const v = encodeMessage('show_version_reply', 3, { context: 2 }, { retval: 0, program: 'vpe', version: '26.10-rc0', build_date: 'd', build_directory: '/b' });
  v.fill(0x41, 42 + 10, 42 + 32); // garbage after the NUL of `version`
  t.equal(decodeMessage('show_version_reply', v).body.version, '26.10-rc0', 'fixed string reads to the first NUL');

  const long = encodeMessage('show_version_reply', 3, { context: 2 }, { retval: 0, program: 'x'.repeat(40), version: '', build_date: '', build_directory: '' });
  t.equal(decodeMessage('show_version_reply', long).body.program, 'x'.repeat(31), 'truncated, NUL kept');

  const b = encodeMessage('lb_as_set_weight', 1, { context: 1, clientIndex: 1 }, { pfx: '10.0.0.1/32', protocol: 6, port: 1, as_address: '10.0.0.2', weight: 1, is_flush: false });
  b[49] = 0x5a;
  t.equal(decodeMessage('lb_as_set_weight', b).body.is_flush, true, 'any non-zero bool is true');

  const trailing = Buffer.concat([b, Buffer.from([1, 2, 3])]);
  t.equal(decodeMessage('lb_as_set_weight', trailing).body.weight, 1, 'trailing bytes ignored');

  for (const cut of [0, 5, 9, 30, 49]) {
    let err: unknown;
    try {
      decodeMessage('lb_as_set_weight', b.subarray(0, cut));
    } catch (e) {
      err = e;
    }
    t.ok(isDaemonError(err, 'VPP_PROTOCOL'), `cut at ${cut} → VPP_PROTOCOL`);
  }
  const cli = encodeMessage('cli_inband_reply', 1, { context: 1 }, { retval: 0, reply: 'abcdef' });
  t.throws(() => decodeMessage('cli_inband_reply', cli.subarray(0, cli.length - 1)), { code: 'VPP_PROTOCOL' }, 'vstring longer than the message');

  const big = 'x'.repeat(300_000);
  t.equal(decodeMessage('cli_inband_reply', encodeMessage('cli_inband_reply', 1, { context: 1 }, { retval: 0, reply: big })).body.reply.length, 300_000);
});

t.test('the table matches the lb plugin messages and their CRCs', async (t) => {
  const lbOrder = messageNames.filter((n) => n.startsWith('lb_'));
  t.same(lbOrder.slice(0, 22), [
    'lb_conf',
    'lb_conf_reply',
    'lb_conf_get',
    'lb_conf_get_reply',
    'lb_add_del_vip',
    'lb_add_del_vip_reply',
    'lb_add_del_vip_v2',
    'lb_add_del_vip_v2_reply',
    'lb_add_del_as',
    'lb_add_del_as_reply',
    'lb_add_del_as_v2',
    'lb_add_del_as_v2_reply',
    'lb_as_set_weight',
    'lb_as_set_weight_reply',
    'lb_flush_vip',
    'lb_flush_vip_reply',
    'lb_vip_dump',
    'lb_vip_details',
    'lb_as_dump',
    'lb_as_details',
    'lb_as_v2_dump',
    'lb_as_v2_details',
  ]);
  t.equal(lbOrder.length, 26, '22–25 are the NAT interface messages');
  const crcs: Array<{ in: MessageName; want: string }> = [
    { in: 'sockclnt_create', want: 'sockclnt_create_455fb9c4' },
    { in: 'lb_add_del_vip_v2', want: 'lb_add_del_vip_v2_7c520e0f' },
    { in: 'lb_as_set_weight', want: 'lb_as_set_weight_2d89bdbd' },
    { in: 'lb_conf_get', want: 'lb_conf_get_51077d14' },
    { in: 'lb_as_v2_dump', want: 'lb_as_v2_dump_1063f819' },
    { in: 'lb_as_v2_details', want: 'lb_as_v2_details_90064aae' },
    { in: 'ip_route_lookup_reply', want: 'ip_route_lookup_reply_5d8febcb' },
    { in: 'lb_conf_reply', want: 'lb_conf_reply_e8d4e804' },
  ];
  for (const c of crcs) t.equal(nameCrc(c.in), c.want);
  t.equal(requiredMessages.length, 20);
  for (const n of requiredMessages) t.ok(vppMessages[n], n);
  for (const [n, id] of [
    ['sockclnt_create', 15],
    ['sockclnt_create_reply', 16],
    ['sockclnt_delete', 17],
    ['sockclnt_delete_reply', 18],
    ['control_ping', 23],
    ['control_ping_reply', 24],
  ] as const) {
    t.equal(vppMessages[n].fixedId, id, `${n} fixed id`);
  }
});
