// End to end: a VPP whose lb API has another CRC. maglevd logs vpp-incompatible with the list,
// writes nothing, keeps serving gRPC (VPP calls answer UNAVAILABLE) and keeps retrying; once a
// compatible VPP listens on the socket it connects within the 5 s retry and converges.

import t from 'tap';
import { labConfig, spawnLabDaemon, startSimLab } from '../support/e2e-lab.js';

const web = { prefix: '192.0.2.50/32', protocol: 6, port: 80 };

t.test('a CRC mismatch is refused without a crash; a fixed VPP is picked up', async (t) => {
  const lab = await startSimLab(t, { stats: false, crcOverrides: { lb_as_set_weight: 'deadbeef' } });
  const m = await spawnLabDaemon(
    t,
    lab,
    labConfig({
      lb: { 'startup-max-delay': '0s' },
      backends: { s1: { address: '10.0.2.1', static: true } },
      frontends: { web: { address: '192.0.2.50', protocol: 'tcp', port: 80, pools: [['p', { s1: 100 }]] } },
    }),
  );

  const refused = await m.log('vpp-incompatible');
  t.equal(refused.level, 'ERROR');
  t.equal(refused.missing, 'lb_as_set_weight_2d89bdbd (VPP has lb_as_set_weight_deadbeef)');
  t.same((await m.client.listFrontends()).frontend_names, ['web'], 'gRPC still answers');
  const err = await m.client.getVppInfo().then(
    () => undefined,
    (e: { code: number }) => e,
  );
  t.equal(err?.code, 14, 'VPP calls answer UNAVAILABLE');
  t.same(lab.writes(), [], 'nothing was written to the incompatible VPP');
  t.same(m.logs('vpp-connect'), []);

  await lab.sim.close();
  const connected = m.next('vpp-connect');
  await lab.replaceSim({ crcOverrides: {} });
  await connected;
  await lab.until(() => lab.weightsAre(web, { '10.0.2.1': 100 }), 'the sync after connecting');
  t.ok(m.alive(), 'maglevd kept running');
});
