// End to end: VPP faults (issue 7) against one built maglevd. The simulator refuses an AS add
// once (error retval), restarts empty, drops the connection in the middle of a sync, and stalls
// its replies. maglevd never crashes: it logs, disconnects where the stream can no longer be
// trusted, reconnects after 5 s, and converges with a full sync every time.

import t from 'tap';
import { describeWrite, labConfig, metricSample, spawnLabDaemon, startSimLab, type LabFrontend } from '../support/e2e-lab.js';

const backends = { s1: '10.0.1.1', s2: '10.0.1.2', s3: '10.0.1.3' };
const web = { prefix: '192.0.2.40/32', protocol: 6, port: 80 };
const vip = '192.0.2.40/32 6 80';
const frontend = (pool: Record<string, number>): Record<string, LabFrontend> => ({
  web: { address: '192.0.2.40', protocol: 'tcp', port: 80, pools: [['p', pool]] },
});
const config = (pool: Record<string, number>): string => labConfig({ lb: { 'startup-max-delay': '0s' }, backends, frontends: frontend(pool) });

t.test('maglevd survives VPP faults and converges', async (t) => {
  const lab = await startSimLab(t);
  const m = await spawnLabDaemon(t, lab, config({ s1: 100, s2: 100, s3: 100 }));
  await lab.until(() => lab.weightsAre(web, { '10.0.1.1': 100, '10.0.1.2': 100, '10.0.1.3': 100 }), 'the cold sync');

  await t.test('an AS add refused once: the sync fails, is logged, and the retry 5 s later succeeds', async (t) => {
    // An AS lost behind maglevd's back, then a full sync by RPC (no checker event involved).
    t.equal(lab.sim.model.delAs(web, '10.0.1.3', true), 0);
    lab.sim.injectFault({ msg: 'lb_add_del_as_v2', match: (b) => b.as_address === '10.0.1.3' && b.is_del === false, retval: -6 });
    const mark = lab.requests.length;
    const failed = m.next('vpp-lb-sync-error', { scope: 'all' });
    const rpc = await m.client.syncVppLbState({}).then(
      () => 'ok',
      (e: { code: number; details: string }) => `${e.code} ${e.details}`,
    );
    t.match(rpc, /lb_add_del_as_v2: NO_SUCH_ENTRY \(-6\)/, 'the RPC reports the VPP error');
    t.match((await failed).err, 'lb_add_del_as_v2: NO_SUCH_ENTRY (-6)');
    await lab.until(() => lab.weights(web)?.['10.0.1.3'] === 100, 'the retry to add it back', 9000);
    const adds = lab.requests.slice(mark).filter((r) => r.name === 'lb_add_del_as_v2');
    t.same(
      adds.map((r) => [describeWrite(r), r.fault]),
      [
        [`as+ ${vip} 10.0.1.3 w=100 flush=false`, 'retval'],
        [`as+ ${vip} 10.0.1.3 w=100 flush=false`, undefined],
      ],
    );
    t.ok(adds[1]!.at - adds[0]!.at >= 4500, `retried after the 5 s backoff (${Math.round(adds[1]!.at - adds[0]!.at)} ms)`);
    t.same(m.logs('vpp-disconnect'), [], 'an error retval does not drop the connection');
  });

  await t.test('VPP restarts empty: reconnect after 5 s and a full resync', async (t) => {
    const mark = lab.requests.length;
    const dropped = m.next('vpp-disconnect');
    const reconnected = m.next('vpp-connect');
    await lab.sim.restartEmpty();
    t.equal((await dropped).reason, 'EOF');
    await reconnected;
    await lab.until(() => lab.weightsAre(web, { '10.0.1.1': 100, '10.0.1.2': 100, '10.0.1.3': 100 }), 'the resync');
    t.same(lab.writes(mark).map(describeWrite), [
      'conf 192.0.2.254',
      `vip+ ${vip} gre4 sticky=false`,
      `as+ ${vip} 10.0.1.1 w=100 flush=false`,
      `as+ ${vip} 10.0.1.2 w=100 flush=false`,
      `as+ ${vip} 10.0.1.3 w=100 flush=false`,
    ]);
    t.equal((await m.client.getVppInfo()).pid, lab.sim.pid, 'the new VPP pid');
  });

  await t.test('the connection drops in the middle of a sync: the rest lands after the reconnect', async (t) => {
    // The second weight change of the reload's sync never gets an answer.
    lab.sim.injectFault({ msg: 'lb_as_set_weight', skip: 1, drop: true });
    const dropped = m.next('vpp-disconnect');
    const reconnected = m.next('vpp-connect');
    const failed = m.next('vpp-lb-sync-error', { scope: 'all' });
    m.reload(config({ s1: 50, s2: 50, s3: 50 }));
    t.equal((await dropped).reason, 'EOF');
    t.same(lab.weights(web), { '10.0.1.1': 50, '10.0.1.2': 100, '10.0.1.3': 100 }, 'half done when the connection dropped');
    t.match((await failed).err, /lb_as_set_weight: connection closed/, 'the interrupted run fails and is logged');
    await reconnected;
    await lab.until(() => lab.weightsAre(web, { '10.0.1.1': 50, '10.0.1.2': 50, '10.0.1.3': 50 }), 'the rest of the sync');
    t.equal(lab.sim.model.liveVips().length, 1);
  });

  await t.test('stalled replies: the request times out, the link drops, and reconnects once VPP answers again', async (t) => {
    lab.sim.stallReplies();
    const dropped = m.next('vpp-disconnect', {}, 9000);
    await m.client.setFrontendPoolBackendWeight({ frontend: 'web', pool: 'p', backend: 's1', weight: 20, flush: false });
    t.match((await dropped).reason, /reply timeout/);
    t.equal(lab.weights(web)?.['10.0.1.1'], 50, 'nothing changed while stalled');
    t.equal(metricSample(await m.metrics(), 'maglev_vpp_connected'), 0);
    const reconnected = m.next('vpp-connect');
    lab.sim.resumeReplies();
    await reconnected;
    await lab.until(() => lab.weights(web)?.['10.0.1.1'] === 20, 'the override applied by the reconnect sync');
    t.equal(metricSample(await m.metrics(), 'maglev_vpp_connected'), 1);
  });

  t.ok(m.alive(), 'maglevd never crashed');
  t.same((await m.client.listFrontends()).frontend_names, ['web'], 'gRPC answers');
  t.equal(lab.sim.model.liveVips().length, 1);
});
