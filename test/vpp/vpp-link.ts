import path from 'node:path';
import t from 'tap';
import { ManualClock } from '../support/manual-clock.js';
import { VppLink, type VppLinkSession } from '../../src/vpp/vpp-link.js';
import { startVppSim } from '../../src/vpp/sim/vppsim.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { startTestSim, tempDir } from '../support/vpp-sim-harness.js';
import { until } from '../support/wait-for.js';

interface FakeStats {
  closed: boolean;
  close(): void;
}

function setup(apiAddr: string, opts: { stats?: boolean } = {}) {
  const clock = new ManualClock(1_750_000_000_000);
  const log = new RecordingLogger();
  const stats: FakeStats[] = [];
  const pings: string[] = [];
  const link = new VppLink<FakeStats>({
    apiAddr,
    logger: log,
    clock,
    metrics: (msg, dir, result) => {
      if (msg === 'control_ping' && dir === 'recv') pings.push(result);
    },
    connectStats:
      opts.stats === false
        ? undefined
        : () => {
            const s: FakeStats = { closed: false, close: () => (s.closed = true) };
            stats.push(s);
            return Promise.resolve({ session: s, bootTimeS: 1_749_999_000 });
          },
  });
  const ups: Array<VppLinkSession<FakeStats>> = [];
  const downs: string[] = [];
  link.onConnected((s) => ups.push(s));
  link.onDisconnected((r) => downs.push(r));
  return { clock, log, stats, pings, link, ups, downs };
}

t.test('connect, keepalive, disconnect on a failed ping, reconnect', async (t) => {
  const { sim, apiSocket } = await startTestSim(t, { pid: 1001 });
  const { clock, log, stats, pings, link, ups, downs } = setup(apiSocket);
  t.teardown(() => link.stop());
  link.start();
  await until(() => link.connected, 'connect');
  t.equal(ups.length, 1);
  t.same(ups[0]?.info, {
    version: '26.10-rc0~42-g1a2b3c4d5',
    buildDate: '2026-05-01T10:00:00',
    buildDirectory: '/home/vpp/build-root',
    pid: 1001,
    bootTimeS: 1_749_999_000,
    connectTimeMs: 1_750_000_000_000,
  });
  t.same(log.named('vpp-connect').map((e) => e.attrs), [{ version: '26.10-rc0~42-g1a2b3c4d5', pid: 1001, boottime: '2025-06-15T14:50:00.000Z' }]);
  t.equal(log.named('vpp-connect')[0]?.level, 'info');
  t.equal(stats.length, 1);
  t.equal(pings.length, 1, 'one ping at connect (for the pid)');

  clock.advance(9_999);
  await new Promise((r) => setTimeout(r, 20));
  t.equal(pings.length, 1, 'no keepalive before 10 s');
  clock.advance(1);
  await until(() => pings.length === 2, 'keepalive ping');
  clock.advance(10_000);
  await until(() => pings.length === 3, 'second keepalive ping');
  t.same(pings, ['success', 'success', 'success']);

  sim.stallReplies();
  clock.advance(10_000);
  await until(() => sim.api.connections === 1 && pings.length === 3);
  await new Promise((r) => setTimeout(r, 20)); // let the ping reach the stalled simulator
  clock.advance(5_000);
  await until(() => !link.connected, 'disconnect on ping timeout');
  t.same(downs, ['control_ping reply timeout']);
  t.same(log.named('vpp-disconnect').map((e) => [e.level, e.attrs.reason]), [['info', 'control_ping reply timeout']]);
  t.ok(stats[0]?.closed, 'the stats half is dropped with the API half');

  sim.resumeReplies();
  clock.advance(4_999);
  await new Promise((r) => setTimeout(r, 20));
  t.notOk(link.connected, 'no reconnect before 5 s');
  clock.advance(1);
  await until(() => link.connected, 'reconnect');
  t.equal(ups.length, 2);
  t.equal(stats.length, 2, 'a fresh stats segment on every reconnect');
  t.notOk(stats[1]?.closed);
});

t.test('drop, restart-empty and stop', async (t) => {
  const { sim, apiSocket } = await startTestSim(t, { pid: 50 });
  const { clock, log, stats, link, ups, downs } = setup(apiSocket);
  link.start();
  await until(() => link.connected);
  await ups[0]!.lb.addDelVip({ vip: { prefix: '192.0.2.1/32', protocol: 6, port: 80 }, encap: 'gre4', srcIpSticky: false, newFlowsTableLength: 1024, isDel: false });
  t.equal(sim.model.liveVips().length, 1);

  sim.dropConnections();
  await until(() => !link.connected, 'disconnect on EOF');
  t.match(downs[0], /^(EOF|read ECONNRESET)$/);
  clock.advance(5_000);
  await until(() => link.connected, 'reconnect after a drop');

  await sim.restartEmpty();
  await until(() => !link.connected, 'disconnect on restart');
  clock.advance(5_000);
  await until(() => link.connected, 'reconnect after restart');
  t.equal(link.session?.info.pid, 51, 'a restarted VPP has a new pid');
  t.same(await link.session!.lb.vipDump(), [], 'and no lb state');
  t.same(
    log.named('vpp-connect').map((e) => e.attrs.pid),
    [50, 50, 51],
  );

  link.disconnect('stats segment: bad epoch');
  t.notOk(link.connected, 'disconnect() drops at once');
  t.equal(downs.at(-1), 'stats segment: bad epoch');
  t.ok(stats.at(-1)?.closed);
  clock.advance(5_000);
  await until(() => link.connected, 'reconnect after a stats failure');

  await link.stop();
  t.notOk(link.connected);
  t.equal(downs.at(-1), 'shutdown');
  t.equal(log.named('vpp-disconnect').at(-1)?.attrs.reason, 'shutdown');
  await until(() => sim.api.connections === 0, 'sockclnt_delete closes the socket');
  clock.advance(60_000);
  await new Promise((r) => setTimeout(r, 20));
  t.notOk(link.connected, 'no reconnect after stop');
  t.equal(ups.length, 4);
});

t.test('connect errors: WARN once, then DEBUG, until VPP appears', async (t) => {
  const dir = tempDir(t);
  const apiSocket = path.join(dir, 'api.sock');
  const { clock, log, link } = setup(apiSocket, { stats: false });
  t.teardown(() => link.stop());
  link.start();
  await until(() => log.named('vpp-connect-error').length === 1);
  clock.advance(5_000);
  await until(() => log.named('vpp-connect-error').length === 2);
  clock.advance(5_000);
  await until(() => log.named('vpp-connect-error').length === 3);
  t.same(
    log.named('vpp-connect-error').map((e) => e.level),
    ['warn', 'debug', 'debug'],
  );
  t.match(log.named('vpp-connect-error')[0]?.attrs.err, /ENOENT/);

  const sim = await startVppSim({ apiSocket, fillerMessages: 10 });
  t.teardown(() => sim.close());
  clock.advance(5_000);
  await until(() => link.connected, 'connect once VPP is there');
  t.equal(link.session?.info.bootTimeS, 0, 'no stats segment: boottime 0');
  t.equal(log.named('vpp-connect')[0]?.attrs.boottime, '');

  sim.dropConnections();
  await until(() => !link.connected);
  await sim.close();
  clock.advance(5_000);
  await until(() => log.named('vpp-connect-error').length === 4);
  t.equal(log.named('vpp-connect-error')[3]?.level, 'warn', 'the first failure after a success warns again');
});

t.test('incompatible VPP: ERROR with the missing list, then retries', async (t) => {
  const { sim, apiSocket } = await startTestSim(t, { omitMessages: ['lb_as_set_weight'] });
  const { clock, log, link, stats } = setup(apiSocket);
  t.teardown(() => link.stop());
  link.start();
  await until(() => log.named('vpp-incompatible').length === 1);
  t.same(log.named('vpp-incompatible')[0], { level: 'error', msg: 'vpp-incompatible', attrs: { missing: 'lb_as_set_weight_2d89bdbd' } });
  t.notOk(link.connected);
  t.equal(stats.length, 0, 'stats never opened for an incompatible VPP');
  await until(() => sim.api.connections === 0, 'the refused connection closed');
  clock.advance(5_000);
  await until(() => log.named('vpp-incompatible').length === 2);
  t.equal(log.named('vpp-incompatible')[1]?.level, 'debug', 'the same refusal repeats at DEBUG');
});

t.test('an empty address disables the link', async (t) => {
  const { link, log } = setup('');
  t.notOk(link.enabled);
  link.start();
  await new Promise((r) => setTimeout(r, 10));
  t.notOk(link.connected);
  t.same(log.records, []);
  await link.stop();
});
