import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ManualClock } from '../support/manual-clock.js';
import { isDaemonError } from '../../src/shared/errors.js';
import { ApiConnection, VppIncompatibleError, type ApiMetricsHook } from '../../src/vpp/api-connection.js';
import { VppApiError } from '../../src/vpp/vpp-api-error.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { startTestSim, tempDir } from '../support/vpp-sim-harness.js';
import { until } from '../support/wait-for.js';

function metricsRecorder(): { hook: ApiMetricsHook; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return { counts, hook: (msg, dir, result) => counts.set(`${msg} ${dir} ${result}`, (counts.get(`${msg} ${dir} ${result}`) ?? 0) + 1) };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

t.test('handshake against a non-default id base and a large message table', async (t) => {
  const { sim, apiSocket } = await startTestSim(t, { msgIdBase: 3000, fillerMessages: 6000 });
  const log = new RecordingLogger();
  const conn = await ApiConnection.connect({ path: apiSocket, logger: log });
  t.teardown(() => conn.close());
  t.equal(conn.clientIndex, 0x80000001, 'first registration');
  t.equal(conn.messageId('control_ping'), 23, 'memclnt ids are fixed');
  t.equal(conn.messageId('lb_conf'), sim.api.messageIds.get('lb_conf'), 'lb ids from the table');
  t.ok(conn.messageId('lb_conf')! >= 3000, 'dynamic ids above the base');
  t.equal(conn.messageId('lb_as_v2_details')! - conn.messageId('lb_conf')!, 21, 'the simulator keeps lb.api ordinals');
  t.ok(conn.has('ip_route_lookup'), 'optional message present');
  t.match(log.named('vpp-api-send')[0]?.attrs, { vpp_msg: 'sockclnt_create', context: 1 });
  t.match(log.named('vpp-api-recv')[0]?.attrs, { vpp_msg: 'sockclnt_create', context: 1, retval: 0 });

  const second = await ApiConnection.connect({ path: apiSocket });
  t.teardown(() => second.close());
  t.equal(second.clientIndex, 0x80000002, 'second registration');
  t.equal(sim.api.connections, 2);
});

t.test('incompatible VPP is refused with every missing or mismatched name_crc', async (t) => {
  const { sim, apiSocket } = await startTestSim(t, {
    omitMessages: ['lb_as_set_weight', 'lb_as_set_weight_reply', 'lb_as_v2_dump'],
    crcOverrides: { lb_conf_get: 'deadbeef' },
  });
  const err = await rejection(ApiConnection.connect({ path: apiSocket }));
  t.ok(err instanceof VppIncompatibleError);
  t.ok(isDaemonError(err, 'VPP_INCOMPATIBLE'));
  const e = err as VppIncompatibleError;
  t.same(e.missing, ['lb_conf_get_51077d14 (VPP has lb_conf_get_deadbeef)', 'lb_as_set_weight_2d89bdbd', 'lb_as_set_weight_reply_e8d4e804', 'lb_as_v2_dump_1063f819']);
  t.match(e.message, /lb_as_set_weight_2d89bdbd/);
  await until(() => sim.api.connections === 0, 'the refused connection to close');
});

t.test('a VPP without the lb 1.2.0 messages (≤ v26.06) is refused', async (t) => {
  const old = ['lb_conf_get', 'lb_conf_get_reply', 'lb_add_del_as_v2', 'lb_add_del_as_v2_reply', 'lb_as_set_weight', 'lb_as_set_weight_reply', 'lb_as_v2_dump', 'lb_as_v2_details'] as const;
  const { apiSocket } = await startTestSim(t, { omitMessages: [...old] });
  const err = (await rejection(ApiConnection.connect({ path: apiSocket }))) as VppIncompatibleError;
  t.equal(err.missing.length, 8);
});

t.test('ip_route_lookup is optional', async (t) => {
  const { apiSocket } = await startTestSim(t, { omitMessages: ['ip_route_lookup', 'ip_route_lookup_reply'] });
  const conn = await ApiConnection.connect({ path: apiSocket });
  t.teardown(() => conn.close());
  t.notOk(conn.has('ip_route_lookup'));
  const err = await rejection(conn.request('ip_route_lookup', { table_id: 0, exact: 1, prefix: '192.0.2.1/32' }));
  t.ok(isDaemonError(err, 'VPP_INCOMPATIBLE'), 'an absent message cannot be sent');
});

t.test('connect errors', async (t) => {
  const dir = tempDir(t);
  const err = await rejection(ApiConnection.connect({ path: path.join(dir, 'nope.sock') }));
  t.ok(isDaemonError(err, 'VPP_NOT_CONNECTED'));
  t.match((err as Error).message, /ENOENT/);
});

t.test('pipelined requests, dumps and retvals', async (t) => {
  const { sim, apiSocket } = await startTestSim(t, { pid: 777 });
  const log = new RecordingLogger();
  const m = metricsRecorder();
  const conn = await ApiConnection.connect({ path: apiSocket, logger: log, metrics: m.hook });
  t.teardown(() => conn.close());

  const calls = Array.from({ length: 60 }, (_, i) =>
    i % 3 === 0
      ? conn.request('control_ping', {}).then((r) => r.vpe_pid)
      : i % 3 === 1
        ? conn.request('lb_conf_get', {}).then((r) => r.sticky_buckets_per_core)
        : conn.request('show_version', {}).then((r) => r.program),
  );
  const got = await Promise.all(calls);
  t.same(
    got,
    got.map((_, i) => (i % 3 === 0 ? 777 : i % 3 === 1 ? 1024 : 'vpe')),
    'every reply matched to its request',
  );
  const contexts = log.named('vpp-api-send').map((e) => e.attrs.context);
  t.equal(new Set(contexts).size, contexts.length, 'fresh contexts');
  t.notOk(contexts.includes(0), 'never 0');

  t.same(await conn.dump('lb_vip_dump', { pfx: '0.0.0.0/0', pfx_matcher_le: 0, pfx_matcher_ge: 0, protocol: 255, port: 0 }), [], 'an empty dump ends with the ping');
  for (const port of [80, 443, 8080]) {
    await conn.request('lb_add_del_vip_v2', {
      pfx: '192.0.2.1/32',
      protocol: 6,
      port,
      encap: 0,
      dscp: 0,
      type: 0,
      target_port: 0,
      node_port: 0,
      new_flows_table_length: 1024,
      src_ip_sticky: false,
      is_del: false,
    });
  }
  const [vips, pong] = await Promise.all([
    conn.dump('lb_vip_dump', { pfx: '10.9.9.9/32', pfx_matcher_le: 0, pfx_matcher_ge: 0, protocol: 17, port: 1 }),
    conn.request('control_ping', {}),
  ]);
  t.same(
    vips.map((v) => v.port),
    [80, 443, 8080],
    'filters ignored; dump and a concurrent ping do not mix',
  );
  t.equal(pong.vpe_pid, 777);
  t.match(log.named('vpp-api-send-multi').at(-1)?.attrs, { vpp_msg: 'lb_vip_dump' });
  t.match(log.named('vpp-api-recv-multi').at(-1)?.attrs, { vpp_msg: 'lb_vip_dump', count: 3, retval: 0 });

  const err = await rejection(
    conn.request('lb_add_del_vip_v2', {
      pfx: '192.0.2.1/32',
      protocol: 6,
      port: 80,
      encap: 0,
      dscp: 0,
      type: 0,
      target_port: 0,
      node_port: 0,
      new_flows_table_length: 1024,
      src_ip_sticky: false,
      is_del: false,
    }),
  );
  t.ok(err instanceof VppApiError);
  t.equal((err as VppApiError).message, 'lb_add_del_vip_v2: VALUE_EXIST (-81)');
  t.equal((err as VppApiError).retval, -81);
  t.match(log.named('vpp-api-recv').at(-1)?.attrs, { vpp_msg: 'lb_add_del_vip_v2', retval: -81 });
  t.equal(m.counts.get('lb_add_del_vip_v2 recv failure'), 1);
  t.equal(m.counts.get('lb_add_del_vip_v2 recv success'), 3);
  t.equal(m.counts.get('lb_add_del_vip_v2 send success'), 4);
  t.equal(m.counts.get('control_ping recv success'), 21);
  t.equal(m.counts.get('lb_vip_dump recv success'), 2);
  t.equal(sim.model.liveVips().length, 3);

  const raw = await conn.request('cli_inband', { cmd: 'bogus' }, { rawStatus: true });
  t.same(raw, { retval: -1, reply: "unknown input `bogus'" }, 'rawStatus resolves with the failing reply');
  t.equal(m.counts.get('cli_inband recv failure'), 1, 'still counted as a failure');
});

t.test('timeouts with a stalled VPP', async (t) => {
  const { sim, apiSocket } = await startTestSim(t);
  const clock = new ManualClock();
  const log = new RecordingLogger();
  const m = metricsRecorder();
  const conn = await ApiConnection.connect({ path: apiSocket, clock, logger: log, metrics: m.hook });
  const reasons: string[] = [];
  conn.onClose((r) => reasons.push(r));
  sim.stallReplies();
  const first = conn.request('lb_conf_get', {});
  const second = conn.request('control_ping', {});
  const firstErr = rejection(first);
  const secondErr = rejection(second);
  clock.advance(4999);
  t.notOk(conn.closed, 'nothing before the timeout');
  clock.advance(1);
  const e1 = await firstErr;
  t.ok(isDaemonError(e1, 'VPP_TIMEOUT'));
  t.equal((e1 as Error).message, 'lb_conf_get: no reply within 5s');
  t.ok(isDaemonError(await secondErr, 'VPP_DISCONNECTED'), 'the rest fail: the stream is not trusted any more');
  t.ok(conn.closed);
  t.same(reasons, ['lb_conf_get reply timeout']);
  t.match(log.named('vpp-api-recv').at(-2)?.attrs, { vpp_msg: 'lb_conf_get', err: 'lb_conf_get: no reply within 5s' });
  t.equal(m.counts.get('lb_conf_get recv failure'), 1);
  t.ok(isDaemonError(await rejection(conn.request('control_ping', {})), 'VPP_DISCONNECTED'), 'no calls after close');
  sim.resumeReplies();

  // A per-call timeout and a delayed (but answered) VPP.
  const c2 = await ApiConnection.connect({ path: apiSocket });
  t.teardown(() => c2.close());
  sim.stallReplies(30);
  t.equal((await c2.request('control_ping', {}, { timeoutMs: 2000 })).retval, 0, 'a slow reply within the timeout');
  sim.resumeReplies();
});

t.test('a reply that arrived during an event-loop stall longer than the timeout is not a timeout', async (t) => {
  // The simulator runs in another process (the built bin), so it answers while we are stalled.
  const apiSocket = path.join(tempDir(t), 'api.sock');
  const bin = fileURLToPath(new URL('../../bin/maglev-vppsim.js', import.meta.url));
  const child = spawn(process.execPath, [bin, '--api-socket', apiSocket], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.teardown(async () => {
    child.kill();
    await exited;
  });
  // Ready means a connection succeeds, not that the socket file exists.
  let connected: ApiConnection | undefined;
  const attempt = async (): Promise<boolean> => {
    connected = await ApiConnection.connect({ path: apiSocket, timeoutMs: 100 }).catch(() => undefined);
    return connected !== undefined;
  };
  await until(attempt, 'the simulator to accept a connection', 15_000, 20);
  const conn = connected!;
  t.teardown(() => conn.close());
  for (let round = 0; round < 3; round++) {
    const reply = conn.request('show_version', {});
    const end = Date.now() + 400;
    while (Date.now() < end) {
      // a busy main thread: GC pause, a huge config parse, a slow /metrics render
    }
    t.equal((await reply).retval, 0, `round ${round}: the reply that was waiting in the socket wins`);
    t.notOk(conn.closed, `round ${round}: the connection stays up`);
  }
});

t.test('EOF fails every pending call', async (t) => {
  const { sim, apiSocket } = await startTestSim(t);
  const conn = await ApiConnection.connect({ path: apiSocket });
  const closed = new Promise<string>((resolve) => conn.onClose(resolve));
  sim.stallReplies();
  const pending = [conn.request('lb_conf_get', {}), conn.dump('lb_as_v2_dump', { pfx: '0.0.0.0/0', protocol: 0, port: 0 }), conn.request('show_version', {})].map(rejection);
  await until(() => sim.api.connections === 1);
  sim.dropConnections();
  for (const e of await Promise.all(pending)) t.ok(isDaemonError(e, 'VPP_DISCONNECTED'), (e as Error).message);
  const reason = await closed;
  t.match(reason, /^(EOF|read ECONNRESET)$/, 'closed by the peer');
  let late = '';
  conn.onClose((r) => (late = r));
  await Promise.resolve();
  t.equal(late, reason, 'late subscribers hear the reason too');
  sim.resumeReplies();
});

t.test('close sends sockclnt_delete (response +1 is success)', async (t) => {
  const { sim, apiSocket } = await startTestSim(t);
  const log = new RecordingLogger();
  const m = metricsRecorder();
  const conn = await ApiConnection.connect({ path: apiSocket, logger: log, metrics: m.hook });
  await conn.close();
  t.ok(conn.closed);
  t.match(log.named('vpp-api-recv').at(-1)?.attrs, { vpp_msg: 'sockclnt_delete', retval: 1 });
  t.equal(m.counts.get('sockclnt_delete recv success'), 1);
  await until(() => sim.api.connections === 0, 'the server side to close');
  await conn.close();
  t.pass('closing twice is harmless');
});
