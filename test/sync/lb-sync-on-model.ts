// The sync engine on VPP's quirks in the simulator's lb model: its own retvals, removed-AS
// revival, the CLI text round trip, and the Maglev table between calls.
import t from 'tap';
import { ManualClock } from '../support/manual-clock.js';
import type { BackendState } from '../../src/shared/health.js';
import { LbSync } from '../../src/sync/lb-sync.js';
import { makeConfig, makeInputs, type ConfigSpec } from '../support/lb-test-config.js';
import { ModelLbApi } from '../support/model-lb-api.js';
import { RecordingLogger } from '../support/recording-logger.js';

const spec: ConfigSpec = {
  backends: { p1: '10.0.0.1', p2: '10.0.0.2', s1: '10.0.1.1', s2: '10.0.1.2', v6: '2001:db8::10' },
  frontends: {
    web: { address: '192.0.2.1', port: 80, pools: [{ p1: 100, p2: 100 }, { s1: 100, s2: 100 }] },
    web6: { address: '2001:db8::1', port: 443, srcIpSticky: true, pools: [{ v6: 100 }] },
  },
};

function setup() {
  const clock = new ManualClock(0);
  const api = new ModelLbApi(clock);
  const states: Record<string, BackendState> = { p1: 'up', p2: 'up', s1: 'up', s2: 'up', v6: 'up' };
  const h = { cfg: makeConfig(spec) };
  const sync = new LbSync({ api, clock, log: new RecordingLogger() });
  const inputs = makeInputs(() => h.cfg, states);
  return { clock, api, states, h, sync, inputs };
}

void t.test('cold sync, then a no-op sync writes nothing; sticky flag read back from the CLI text', async (t) => {
  const s = setup();
  await s.sync.syncAll(s.h.cfg, s.inputs);
  t.equal(s.api.model.liveVips().length, 2);
  t.ok(s.api.model.liveVips().find((v) => v.port === 443)?.srcIpSticky);
  s.api.clearCalls();
  await s.sync.syncAll(s.h.cfg, s.inputs);
  t.same(s.api.writes(), [], 'no-op');
  t.same(s.api.model.warnings, []);
});

void t.test('failover never passes through an empty Maglev table', async (t) => {
  const s = setup();
  await s.sync.syncAll(s.h.cfg, s.inputs);
  const web = (): ReturnType<typeof s.api.model.liveVips>[number] => s.api.model.liveVips().find((v) => v.port === 80)!;
  const emptyAfter: string[] = [];
  s.api.afterWrite = (call) => {
    if (web().table.every((slot) => slot === undefined)) emptyAfter.push(call);
  };
  s.states.p1 = 'down';
  s.states.p2 = 'down';
  await s.sync.syncVip(s.h.cfg, s.inputs, 'web');
  t.same(s.api.writes().slice(-4), [
    'as-weight 192.0.2.1/32 tcp 80 10.0.1.1 w=100 flush=0',
    'as-weight 192.0.2.1/32 tcp 80 10.0.1.2 w=100 flush=0',
    'as-weight 192.0.2.1/32 tcp 80 10.0.0.1 w=0 flush=1',
    'as-weight 192.0.2.1/32 tcp 80 10.0.0.2 w=0 flush=1',
  ]);
  t.same(emptyAfter, [], 'some AS owns buckets after every call');
  const owners = new Set(web().table.map((a) => a?.address));
  t.same([...owners].sort(), ['10.0.1.1', '10.0.1.2'], 'standby pool owns the table');
});

void t.test('a removed AS is revived by the next add; a recreated VIP gets a new index', async (t) => {
  const s = setup();
  await s.sync.syncAll(s.h.cfg, s.inputs);
  const without = makeConfig({ ...spec, frontends: { ...spec.frontends, web: { address: '192.0.2.1', port: 80, pools: [{ p1: 100 }, { s1: 100, s2: 100 }] } } });
  await s.sync.syncAll(without, makeInputs(() => without, s.states));
  t.equal(s.api.writes().at(-1), 'as-del 192.0.2.1/32 tcp 80 10.0.0.2 flush=1');
  s.api.clearCalls();
  await s.sync.syncAll(s.h.cfg, s.inputs);
  t.same(s.api.writes(), ['as-add 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0'], 'VPP revives the removed AS on add (retval 0)');

  const before = s.api.model.liveVips().find((v) => v.port === 443)!.index;
  const flipped = makeConfig({ ...spec, frontends: { ...spec.frontends, web6: { ...spec.frontends.web6!, srcIpSticky: false } } });
  await s.sync.syncVip(flipped, makeInputs(() => flipped, s.states), 'web6');
  const after = s.api.model.liveVips().find((v) => v.port === 443)!;
  t.notOk(after.srcIpSticky);
  t.not(after.index, before, 'recreated');
  s.api.clearCalls();
  await s.sync.syncAll(flipped, makeInputs(() => flipped, s.states));
  t.same(s.api.writes(), [], 'the removed VIP block in the CLI text does not confuse the next read');
});

void t.test('-73 on a shared prefix escalates to a full sync (model retvals)', async (t) => {
  const s = setup();
  const v4 = makeConfig({
    backends: { x: '10.0.0.1' },
    frontends: { a: { address: '192.0.2.9', port: 80, pools: [{ x: 100 }] }, b: { address: '192.0.2.9', port: 81, pools: [{ x: 100 }] } },
  });
  await s.sync.syncAll(v4, makeInputs(() => v4, { x: 'up' }));
  const v6 = makeConfig({
    backends: { x: '2001:db8::99' },
    frontends: { a: { address: '192.0.2.9', port: 80, pools: [{ x: 100 }] }, b: { address: '192.0.2.9', port: 81, pools: [{ x: 100 }] } },
  });
  const r = await s.sync.syncVip(v6, makeInputs(() => v6, { x: 'up' }), 'a');
  t.equal(r.scope, 'all');
  const vips = s.api.model
    .liveVips()
    .map((v) => `${v.port} ${v.encap}`)
    .sort();
  t.same(vips, ['80 gre6', '81 gre6']);
});
