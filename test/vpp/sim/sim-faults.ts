import t from 'tap';
import { ApiConnection } from '../../../src/vpp/api-connection.js';
import { LbClient } from '../../../src/vpp/lb-client.js';
import { SimFaults, type FaultAction, type SimFault } from '../../../src/vpp/sim/sim-faults.js';
import type { SimRequest } from '../../../src/vpp/sim/vppsim.js';
import { VppApiError } from '../../../src/vpp/vpp-api-error.js';
import { startTestSim } from '../../support/vpp-sim-harness.js';
import { until } from '../../support/wait-for.js';

const add = { as_address: '10.0.0.1', is_del: false };
const del = { as_address: '10.0.0.1', is_del: true };

t.test('SimFaults.take', async (t) => {
  const cases: Array<{ name: string; faults: SimFault[]; requests: Array<[string, object]>; want: Array<FaultAction['kind'] | undefined> }> = [
    { name: 'no fault', faults: [], requests: [['lb_add_del_as_v2', add]], want: [undefined] },
    {
      name: 'a retval fault fires once by default',
      faults: [{ msg: 'lb_add_del_as_v2', retval: -6 }],
      requests: [['lb_add_del_as_v2', add], ['lb_add_del_as_v2', add]],
      want: ['retval', undefined],
    },
    {
      name: 'other messages pass',
      faults: [{ msg: 'lb_as_set_weight', retval: -6 }],
      requests: [['lb_add_del_as_v2', add], ['lb_as_set_weight', add]],
      want: [undefined, 'retval'],
    },
    {
      name: 'match filters bodies',
      faults: [{ msg: 'lb_add_del_as_v2', match: (b) => b.is_del === true, drop: true }],
      requests: [['lb_add_del_as_v2', add], ['lb_add_del_as_v2', del]],
      want: [undefined, 'drop'],
    },
    {
      name: 'skip lets matching requests through first; times bounds the hits',
      faults: [{ msg: 'lb_add_del_as_v2', skip: 1, times: 2, retval: -81 }],
      requests: [['lb_add_del_as_v2', add], ['lb_add_del_as_v2', add], ['lb_add_del_as_v2', add], ['lb_add_del_as_v2', add]],
      want: [undefined, 'retval', 'retval', undefined],
    },
    {
      name: 'faults fire in the order armed',
      faults: [
        { msg: 'lb_add_del_as_v2', drop: true },
        { msg: 'lb_add_del_as_v2', retval: -6 },
      ],
      requests: [['lb_add_del_as_v2', add], ['lb_add_del_as_v2', add], ['lb_add_del_as_v2', add]],
      want: ['drop', 'retval', undefined],
    },
  ];
  for (const c of cases) {
    const f = new SimFaults();
    for (const x of c.faults) f.add(x);
    t.same(
      c.requests.map(([name, body]) => f.take(name as never, body as Record<string, unknown>)?.kind),
      c.want,
      c.name,
    );
    t.equal(f.pending, 0, `${c.name}: nothing left armed`);
  }
  t.throws(() => new SimFaults().add({ msg: 'lb_conf_get', retval: -1 }), /retval-only reply/, 'a retval fault needs a retval-only reply');
  const r = new SimFaults();
  r.add({ msg: 'lb_add_del_as_v2', retval: -6 });
  t.same(r.take('lb_add_del_as_v2', add), { kind: 'retval', reply: 'lb_add_del_as_v2_reply', retval: -6 });
});

t.test('the simulator applies faults on the wire and reports every request', async (t) => {
  const { sim, apiSocket } = await startTestSim(t);
  const seen: SimRequest[] = [];
  const off = sim.onRequest((r) => seen.push(r));
  const vip = { prefix: '192.0.2.1/32', protocol: 6, port: 80 };
  const conn = await ApiConnection.connect({ path: apiSocket });
  t.teardown(() => conn.close());
  const lb = new LbClient(conn);
  await lb.addDelVip({ vip, encap: 'gre4', srcIpSticky: false, newFlowsTableLength: 1024, isDel: false });

  sim.injectFault({ msg: 'lb_add_del_as_v2', retval: -6 });
  const err = await lb.addDelAs({ vip, address: '10.0.0.1', weight: 100, isDel: false, isFlush: false }).catch((e: unknown) => e);
  t.ok(err instanceof VppApiError && err.retval === -6, 'the client sees the injected retval');
  t.same(sim.model.findVip(vip)?.ases, [], 'the model was not touched');
  await lb.addDelAs({ vip, address: '10.0.0.1', weight: 100, isDel: false, isFlush: false });
  t.equal(sim.model.findVip(vip)?.ases.length, 1, 'the next add goes through');
  t.same(
    seen.filter((r) => r.name.startsWith('lb_add_del')).map((r) => [r.name, r.body.as_address ?? r.body.pfx, r.fault]),
    [
      ['lb_add_del_vip_v2', '192.0.2.1/32', undefined],
      ['lb_add_del_as_v2', '10.0.0.1', 'retval'],
      ['lb_add_del_as_v2', '10.0.0.1', undefined],
    ],
    'observers see requests in order, faults marked',
  );

  sim.injectFault({ msg: 'lb_as_set_weight', drop: true });
  const dropped = await lb.asSetWeight({ vip, address: '10.0.0.1', weight: 7, isFlush: false }).catch((e: { code?: string }) => e.code);
  t.equal(dropped, 'VPP_DISCONNECTED', 'a drop fault closes the connection unanswered');
  await until(() => sim.api.connections === 0, 'the server side to close');
  t.equal(sim.model.findVip(vip)?.ases[0]?.weight, 100, 'the dropped request was not applied');
  t.equal(seen.at(-1)?.fault, 'drop');

  off();
  sim.clearFaults();
  const conn2 = await ApiConnection.connect({ path: apiSocket });
  t.teardown(() => conn2.close());
  const count = seen.length;
  await new LbClient(conn2).controlPing();
  t.equal(seen.length, count, 'an unsubscribed observer sees nothing');
});
