import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../support/manual-clock.js';
import { ApiConnection } from '../../../src/vpp/api-connection.js';
import { LbClient } from '../../../src/vpp/lb-client.js';
import { connectStatsSegment } from '../../../src/vpp/stats-client.js';
import { main, type VppSimIo } from '../../../src/vpp/sim/vppsim-main.js';
import type { SimStatsPublisher } from '../../../src/vpp/sim/vppsim.js';
import { startTestSim, tempDir } from '../../support/vpp-sim-harness.js';
import { until } from '../../support/wait-for.js';
import { lineClient, startLineBackends } from '../../support/line-peers.js';

const lbNames = ['packet from existing sessions', 'first session packet', 'untracked packet', 'no server configured'];
const web = { prefix: '192.0.2.1/32', protocol: 6, port: 80 };

t.test('the stats segment follows the model', async (t) => {
  const dir = tempDir(t);
  const statsSocket = path.join(dir, 'stats.sock');
  const clock = new ManualClock(1_760_000_000_000);
  const { sim, apiSocket } = await startTestSim(t, { statsSocket, threads: 3, clock, backgroundGc: false });
  const read = async (indices: number[], routes: number[]) => {
    const s = await connectStatsSegment(statsSocket);
    try {
      return await s.read({ simple: lbNames.map((name) => ({ name, indices })), combined: [{ name: '/net/route/to', indices: routes }], scalars: ['/sys/boottime'] });
    } finally {
      s.close();
    }
  };
  const before = await read([1], []);
  t.equal(before.scalars.get('/sys/boottime'), 1_760_000_000n, '/sys/boottime is the simulated boot');
  t.equal(before.simple.size, 0, 'no lb counters before the first VIP');

  const conn = await ApiConnection.connect({ path: apiSocket });
  t.teardown(() => conn.close());
  const lb = new LbClient(conn);
  await lb.addDelVip({ vip: web, encap: 'gre4', srcIpSticky: false, newFlowsTableLength: 1024, isDel: false });
  await lb.addDelAs({ vip: web, address: '10.0.0.2', weight: 100, isDel: false, isFlush: false });
  const stats = (await lb.ipRouteLookup('192.0.2.1/32'))!;
  sim.simulateTraffic({ vip: web, newFlows: 10, packetsPerFlow: 4, bytesPerPacket: 100 });
  const after = await read([1], [stats]);
  t.same(
    lbNames.map((n) => after.simple.get(n)?.get(1)),
    [30n, 10n, 0n, 0n],
    'summed over threads',
  );
  t.same(after.combined.get('/net/route/to')?.get(stats), { packets: 40n, bytes: 4000n });
  const cli = (await lb.vipsVerbose())[0]!;
  t.same(cli.counters, { next: 30, first: 10, untracked: 0, noServer: 0 }, 'the CLI agrees with the segment');

  sim.simulateTraffic({ vip: web, newFlows: 1, packetsPerFlow: 1, bytesPerPacket: 60 });
  t.same((await read([1], [stats])).combined.get('/net/route/to')?.get(stats), { packets: 41n, bytes: 4060n }, 'route counters add up');

  clock.advance(3_600_000);
  await sim.restartEmpty();
  t.equal(sim.pid, 4243);
  const restarted = await read([1], [stats]);
  t.equal(restarted.scalars.get('/sys/boottime'), 1_760_003_600n, 'a new boottime');
  t.equal(restarted.simple.size, 0, 'a new, empty segment');
  t.same(sim.model.allVips(), []);
});

function testIo(): VppSimIo & { out: (s: string) => void; text: () => string; stop: () => void } {
  let text = '';
  let stop = (): void => {};
  const stopped = new Promise<void>((r) => (stop = r));
  return { out: (s) => (text += s), err: (s) => (text += s), stopped: () => stopped, text: () => text, stop: () => stop() };
}

t.test('maglev-vppsim main', async (t) => {
  const dir = tempDir(t);
  const apiSocket = path.join(dir, 'api.sock');
  const io = testIo();
  const running = main(['--api-socket', apiSocket, '--msg-id-base', '777', '--pid', '99', '--crc', 'lb_conf=00000000', '--filler-messages', '0'], io);
  await until(() => io.text().includes('listening'), 'the listening line');
  t.match(io.text(), `maglev-vppsim: api listening on ${apiSocket} (pid 99)`);
  const err = await ApiConnection.connect({ path: apiSocket }).then(
    () => undefined,
    (e: Error) => e,
  );
  t.match(err?.message, /lb_conf_56cd3261 \(VPP has lb_conf_00000000\)/, '--crc changes the table');
  io.stop();
  t.equal(await running, 0);
  t.notOk(fs.existsSync(apiSocket), 'the socket is removed on close');

  const cases: Array<{ args: string[]; want: number; text: RegExp }> = [
    { args: [], want: 2, text: /--api-socket is required/ },
    { args: ['--api-socket', apiSocket, '--msg-id-base', '3'], want: 2, text: /--msg-id-base/ },
    { args: ['--api-socket', apiSocket, '--omit', 'nope'], want: 2, text: /unknown message nope/ },
    { args: ['--api-socket', apiSocket, '--crc', 'lb_conf=xyz'], want: 2, text: /--crc/ },
    { args: ['--bogus'], want: 2, text: /usage/ },
    { args: ['--help'], want: 0, text: /--forward-as-ports +the port an AS serves a VIP port on/ },
    { args: ['-h'], want: 0, text: /^usage: maglev-vppsim/ },
    { args: ['--api-socket', apiSocket, '--forward-ports', '80'], want: 2, text: /--forward-ports needs --forward/ },
    { args: ['--api-socket', apiSocket, '--forward-as-ports', '80=8080'], want: 2, text: /--forward-as-ports needs --forward/ },
    { args: ['--api-socket', apiSocket, '--forward', '--forward-ports', '80,http'], want: 2, text: /--forward-ports: "http" is not a port/ },
    { args: ['--api-socket', apiSocket, '--forward', '--forward-ports', '0'], want: 2, text: /--forward-ports: "0" is not a port/ },
    { args: ['--api-socket', apiSocket, '--forward', '--forward-as-ports', '80'], want: 2, text: /--forward-as-ports: want VIPPORT=ASPORT, got "80"/ },
    { args: ['--api-socket', apiSocket, '--forward', '--forward-as-ports', '80=8080=1'], want: 2, text: /want VIPPORT=ASPORT/ },
    { args: ['--api-socket', apiSocket, '--forward', '--forward-as-ports', '80=70000'], want: 2, text: /--forward-as-ports: "70000" is not a port/ },
    { args: ['--api-socket', path.join(dir, 'no', 'such', 'dir', 'api.sock')], want: 1, text: /maglev-vppsim: / },
  ];
  for (const c of cases) {
    const io2 = testIo();
    io2.stop();
    t.equal(await main(c.args, io2), c.want, c.args.join(' '));
    t.match(io2.text(), c.text);
  }
});

t.test('maglev-vppsim --as-write-log: one line per AS write as it arrives', async (t) => {
  const dir = tempDir(t);
  const apiSocket = path.join(dir, 'api.sock');
  const log = path.join(dir, 'writes.log');
  const io = testIo();
  const running = main(['--api-socket', apiSocket, '--filler-messages', '0', '--as-write-log', log], io);
  await until(() => io.text().includes('listening'), 'the listening line');
  const conn = await ApiConnection.connect({ path: apiSocket });
  const lb = new LbClient(conn);
  const before = performance.timeOrigin + performance.now();
  await lb.addDelVip({ vip: web, encap: 'gre4', srcIpSticky: false, newFlowsTableLength: 1024, isDel: false });
  await lb.addDelAs({ vip: web, address: '10.0.0.2', weight: 100, isDel: false, isFlush: false });
  await lb.asSetWeight({ vip: web, address: '10.0.0.2', weight: 0, isFlush: true });
  await lb.vipDump();
  const after = performance.timeOrigin + performance.now();
  await conn.close();
  io.stop();
  t.equal(await running, 0);
  const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
  t.same(
    lines.map((l) => l.split(' ').slice(1)),
    [
      ['lb_add_del_as_v2', '192.0.2.1/32', '6', '80', '10.0.0.2', '100'],
      ['lb_as_set_weight', '192.0.2.1/32', '6', '80', '10.0.0.2', '0'],
    ],
    'AS writes only',
  );
  for (const l of lines) {
    const at = Number(l.split(' ')[0]);
    t.ok(at >= before && at <= after, 'a wall clock in unix ms, comparable with this process');
  }
});

t.test('the stats segment is refreshed only when a counter moved', async (t) => {
  let pushes = 0;
  const statsPublisher = (): Promise<SimStatsPublisher> =>
    Promise.resolve({ setSimple: () => void pushes++, addCombined: () => void pushes++, setScalar: () => undefined, close: () => Promise.resolve() });
  const dir = tempDir(t);
  const { sim, apiSocket } = await startTestSim(t, { statsSocket: path.join(dir, 'stats.sock'), statsPublisher, backgroundGc: false });
  const conn = await ApiConnection.connect({ path: apiSocket });
  t.teardown(() => conn.close());
  const lb = new LbClient(conn);
  await lb.addDelVip({ vip: web, encap: 'gre4', srcIpSticky: false, newFlowsTableLength: 1024, isDel: false });
  await lb.addDelAs({ vip: web, address: '10.0.0.2', weight: 100, isDel: false, isFlush: false });
  const afterSetup = pushes;
  t.ok(afterSetup > 0, 'a new VIP brings its counters and route');
  for (let i = 0; i < 5; i++) await lb.asSetWeight({ vip: web, address: '10.0.0.2', weight: i, isFlush: false });
  t.equal(pushes, afterSetup, 'weight changes move no counter: nothing pushed');
  sim.simulateTraffic({ vip: web, newFlows: 3 });
  t.ok(pushes > afterSetup, 'traffic does');
});

t.test('maglev-vppsim main --forward: relays to the AS port and says what it listens on', async (t) => {
  const backends = await startLineBackends(t, ['127.79.3.1']);
  const vipPort = backends.port === 65535 ? 65534 : backends.port + 1;
  const apiSocket = path.join(tempDir(t), 'api.sock');
  const io = testIo();
  const args = ['--api-socket', apiSocket, '--forward', '--forward-ports', `${backends.port}`, '--forward-as-ports', `${vipPort}=${backends.port}`];
  const running = main(args, io);
  t.teardown(async () => {
    io.stop();
    await running;
  });
  await until(() => io.text().includes('api listening'), 'the listening line');
  const conn = await ApiConnection.connect({ path: apiSocket });
  t.teardown(() => conn.close());
  const lb = new LbClient(conn);
  const vip = { prefix: '127.79.9.3/32', protocol: 6, port: vipPort };
  const all = { prefix: '127.79.9.4/32', protocol: 255, port: 0 };
  for (const v of [vip, all]) {
    await lb.addDelVip({ vip: v, encap: 'gre4', srcIpSticky: false, newFlowsTableLength: 64, isDel: false });
    await lb.addDelAs({ vip: v, address: '127.79.3.1', weight: 100, isDel: false, isFlush: false });
  }
  await until(() => io.text().includes('127.79.9.4'), 'the all-port listener');
  t.match(io.text(), `maglev-vppsim: forwarding 127.79.9.3:${vipPort} to AS port ${backends.port}\n`);
  t.match(io.text(), `maglev-vppsim: forwarding 127.79.9.4:${backends.port}\n`);
  t.equal(await (await lineClient(t, '127.79.9.3', vipPort)).ask('via the VIP'), '127.79.3.1 via the VIP');
  t.equal(await (await lineClient(t, '127.79.9.4', backends.port)).ask('via all ports'), '127.79.3.1 via all ports');
  const counters = await lb.vipsVerbose();
  t.same(
    counters.map((c) => c.counters.first),
    [1, 1],
    'one new flow counted on each VIP',
  );
});
