import t from 'tap';
import type { VppLbStateView } from '../../src/control/control-plane.js';
import { vipDigests } from '../../src/control/vip-digests.js';
import { programmedDigest } from '../../src/core/table-digest.js';
import { isDaemonError } from '../../src/shared/errors.js';
import { FakeControlPlane } from '../support/fake-control-plane.js';

const fake = new FakeControlPlane();
const stale = {
  prefix: '203.0.113.9/32',
  protocol: 17,
  port: 53,
  encap: 'gre4',
  flowTableLength: 1024,
  srcIpSticky: false,
  index: 7,
  applicationServers: [
    { address: '192.0.2.21', weight: 100, flags: 1, numBuckets: 674, removedAt: undefined },
    { address: '192.0.2.22', weight: 50, flags: 1, numBuckets: 350, removedAt: undefined },
    { address: '192.0.2.23', weight: 100, flags: 0, numBuckets: 0, removedAt: undefined },
  ],
} as const;
const state: VppLbStateView = { ...fake.lbState, vips: [...fake.lbState.vips, stale] };

t.test('one digest per VIP in the state, named after the frontend that programs it', async (t) => {
  const d = vipDigests(state, fake.frontends.values(), undefined, false);
  t.same(d.map((v) => [v.prefix, v.frontend, v.table]), [
    ['198.51.100.1/32', 'web4', undefined],
    ['2001:db8::1/128', 'web6', undefined],
    ['203.0.113.9/32', undefined, undefined],
  ]);
  const s = d[2]!;
  t.same(s.ases, [
    { address: '192.0.2.21', weight: 100, buckets: 674 },
    { address: '192.0.2.22', weight: 50, buckets: 350 },
  ], 'the removed AS is left out');
  t.equal(s.digest, programmedDigest(1024, stale.applicationServers).digest);
  t.equal(s.bucketsMatch, true);
  // Another host: the same VIP at another pool index, its ASes listed in another order.
  const elsewhere: VppLbStateView = { ...state, vips: [{ ...stale, index: 42, applicationServers: [...stale.applicationServers].reverse() }] };
  t.equal(vipDigests(elsewhere, fake.frontends.values(), undefined, false)[0]!.digest, s.digest, 'independent of the VIP index and the AS order');
});

t.test('one frontend, with its table', async (t) => {
  const d = vipDigests(state, fake.frontends.values(), 'web6', true);
  t.equal(d.length, 1);
  t.equal(d[0]!.frontend, 'web6');
  t.equal(d[0]!.table?.length, 1024);
  t.same(vipDigests({ ...state, vips: [] }, fake.frontends.values(), 'web6', true), [], 'a frontend whose VIP VPP lacks');
  try {
    vipDigests(state, fake.frontends.values(), 'nope', false);
    t.fail('no error');
  } catch (e) {
    t.ok(isDaemonError(e, 'NOT_FOUND'));
  }
});
