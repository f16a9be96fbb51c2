// End to end: the built maglevd against an empty VPP simulator, with static backends (up at
// once) and the warmup skipped, so the first connect runs one full cold sync. Then, on the same
// daemon: the periodic full sync removes a hand-made VIP, a src-ip-sticky flip (config edit +
// SIGHUP) recreates its VIP, and counters come from the simulated stats segment.

import t from 'tap';
import { describeWrite, labConfig, metricSample, spawnLabDaemon, startSimLab, type LabFrontend } from '../support/e2e-lab.js';
import { waitFor } from '../support/wait-for.js';

const backends = { s2: '10.0.0.2', s3: '10.0.0.3', s9: '10.0.0.9', s10: '10.0.0.10' };
const frontends: Record<string, LabFrontend> = {
  // Named so that name order, text order and numeric order of VIPs all differ.
  web4: { address: '192.0.2.10', protocol: 'tcp', port: 80, pools: [['primary', { s10: 100, s2: 50, s9: 100 }], ['standby', { s3: 100 }]] },
  dns: { address: '192.0.2.9', protocol: 'udp', port: 53, pools: [['only', { s10: 30, s2: 100 }]] },
  anyport: { address: '192.0.2.100', pools: [['only', { s9: 100 }]] },
  web6: { address: '2001:db8::1', protocol: 'tcp', port: 443, pools: [['only', { s10: 100 }]] },
};
const lb = { 'sync-interval': '1s', 'startup-max-delay': '0s' };
const web4 = { prefix: '192.0.2.10/32', protocol: 6, port: 80 };
const dns = { prefix: '192.0.2.9/32', protocol: 17, port: 53 };

t.test('cold sync, stale VIP removal, sticky flip and counters', async (t) => {
  const lab = await startSimLab(t);
  const m = await spawnLabDaemon(t, lab, labConfig({ lb, backends, frontends }));

  await t.test('the first connect programs every VIP and AS in numeric order with the right weights', async (t) => {
    await m.log('vpp-lb-warmup-skipped');
    await m.log('vpp-lb-sync-done', { scope: 'all' });
    t.same(lab.writes().map(describeWrite), [
      'conf 192.0.2.254',
      'vip+ 192.0.2.9/32 17 53 gre4 sticky=false',
      'as+ 192.0.2.9/32 17 53 10.0.0.2 w=100 flush=false',
      'as+ 192.0.2.9/32 17 53 10.0.0.10 w=30 flush=false',
      'vip+ 192.0.2.10/32 6 80 gre4 sticky=false',
      'as+ 192.0.2.10/32 6 80 10.0.0.2 w=50 flush=false',
      'as+ 192.0.2.10/32 6 80 10.0.0.3 w=0 flush=false',
      'as+ 192.0.2.10/32 6 80 10.0.0.9 w=100 flush=false',
      'as+ 192.0.2.10/32 6 80 10.0.0.10 w=100 flush=false',
      'vip+ 192.0.2.100/32 255 0 gre4 sticky=false',
      'as+ 192.0.2.100/32 255 0 10.0.0.9 w=100 flush=false',
      'vip+ 2001:db8::1/128 6 443 gre4 sticky=false',
      'as+ 2001:db8::1/128 6 443 10.0.0.10 w=100 flush=false',
    ]);
    t.same(lab.weights(web4), { '10.0.0.2': 50, '10.0.0.3': 0, '10.0.0.9': 100, '10.0.0.10': 100 });
    t.same(lab.weights({ prefix: '2001:db8::1/128', protocol: 6, port: 443 }), { '10.0.0.10': 100 });
    t.equal(lab.sim.model.liveVips().length, 4);
    t.match(lab.sim.model.conf, { ip4SrcAddress: '192.0.2.254', stickyBucketsPerCore: 65536, flowTimeoutS: 40 });
    t.same(lab.sim.model.warnings, [], 'no table length VPP would choke on');
    const vips = (await m.client.getVppLbState()).vips;
    t.same(
      vips.map((v) => `${v.prefix} ${v.protocol} ${v.port} ${v.application_servers.map((a) => `${a.address}=${a.weight}`).join(',')}`),
      [
        '192.0.2.9/32 17 53 10.0.0.2=100,10.0.0.10=30',
        '192.0.2.10/32 6 80 10.0.0.2=50,10.0.0.3=0,10.0.0.9=100,10.0.0.10=100',
        '192.0.2.100/32 255 0 10.0.0.9=100',
        '2001:db8::1/128 6 443 10.0.0.10=100',
      ],
      'GetVPPLBState reads the same state back',
    );
  });

  await t.test('the periodic full sync removes a hand-made VIP with its ASes flushed first', async (t) => {
    const stale = { prefix: '10.99.0.1/32', protocol: 6, port: 8080 };
    t.equal(lab.sim.model.addVip({ ...stale, encap: 'gre4', newFlowsTableLength: 1024, srcIpSticky: false }), 0);
    t.equal(lab.sim.model.addAs(stale, '10.99.1.1', 100, false), 0);
    const mark = lab.requests.length;
    await lab.until(() => lab.sim.model.findVip(stale) === undefined, 'the stale VIP to go', 5000);
    t.same(lab.writes(mark).map(describeWrite), ['as- 10.99.0.1/32 6 8080 10.99.1.1 flush=true', 'vip- 10.99.0.1/32 6 8080']);
    await m.log('vpp-lb-vip-del', { vip: '10.99.0.1/32 tcp 8080' });
    t.equal(lab.sim.model.liveVips().length, 4, 'the configured VIPs stay');
  });

  await t.test('a src-ip-sticky flip (edit + SIGHUP) recreates only that VIP', async (t) => {
    const before = lab.sim.model.findVip(dns)!.index;
    const mark = lab.requests.length;
    m.reload(labConfig({ lb, backends, frontends: { ...frontends, dns: { ...frontends.dns!, srcIpSticky: true } } }));
    await m.log('vpp-lb-vip-recreate', { frontend: 'dns' });
    await lab.until(() => lab.sim.model.findVip(dns)?.srcIpSticky === true && lab.weights(dns)?.['10.0.0.10'] === 30, 'the sticky VIP');
    t.same(lab.writes(mark).map(describeWrite), [
      'as- 192.0.2.9/32 17 53 10.0.0.2 flush=true',
      'as- 192.0.2.9/32 17 53 10.0.0.10 flush=true',
      'vip- 192.0.2.9/32 17 53',
      'vip+ 192.0.2.9/32 17 53 gre4 sticky=true',
      'as+ 192.0.2.9/32 17 53 10.0.0.2 w=100 flush=false',
      'as+ 192.0.2.9/32 17 53 10.0.0.10 w=30 flush=false',
    ]);
    t.not(lab.sim.model.findVip(dns)!.index, before, 'a new pool index');
    t.ok(m.logs('config-reload').length === 1);
  });

  await t.test('counters come from the stats segment: gRPC and /metrics', async (t) => {
    const sent = lab.sim.simulateTraffic({ vip: web4, newFlows: 10, packetsPerFlow: 3, bytesPerPacket: 100 });
    t.same(sent, { next: 20, first: 10, untracked: 0, noServer: 0 });
    // The scrape runs every 5 s.
    let row;
    await waitFor(async () => {
      row = (await m.client.getVppLbCounters()).vips.find((v) => v.prefix === web4.prefix && v.port === 80);
      return row?.first_packets === '10';
    }, 8000, 200);
    t.match(row, { frontend: 'web4', next_packets: '20', first_packets: '10', untracked_packets: '0', no_server_packets: '0', fib_packets: '30', fib_bytes: '3000' });
    const text = await m.metrics();
    const labels = { prefix: '192.0.2.10/32', protocol: '6', port: '80' };
    t.equal(metricSample(text, 'maglev_vip_packets_total', { ...labels, kind: 'first' }), 10);
    t.equal(metricSample(text, 'maglev_vip_packets_total', { ...labels, kind: 'next' }), 20);
    t.equal(metricSample(text, 'maglev_vip_route_packets_total', { prefix: '192.0.2.10/32' }), 30);
    t.equal(metricSample(text, 'maglev_vpp_connected'), 1);
    t.equal(metricSample(text, 'maglev_vpp_lbsync_total', { scope: 'all', kind: 'vip_added' }), 5, '4 cold + 1 recreated');
  });

  t.ok(m.alive());
});
