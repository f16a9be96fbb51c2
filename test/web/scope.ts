// One Scope against a real gRPC maglevd (the fake control plane behind the real server): the
// initial load, live transitions with refetched weights, reachability loss and recovery with the
// watch stream reconnecting, config-reload refetch, VPP connect/disconnect, probe and vpp-api
// events, and admin actions. Timings are shortened.

import t, { type Test } from 'tap';
import { startGrpcServer, type GrpcServer } from '../../src/control/grpc-server.js';
import { createRealClock } from '../../src/shared/clock.js';
import { ManualClock } from '../support/manual-clock.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { MaglevClient } from '../../src/api/maglev-client.js';
import { Scope } from '../../src/web/scope.js';
import { FakeControlPlane, T0 } from '../support/fake-control-plane.js';
import { waitFor } from '../support/wait-for.js';

async function grpcOn(fake: FakeControlPlane, port: number): Promise<GrpcServer> {
  return startGrpcServer({ addr: { host: '127.0.0.1', port }, control: fake, clock: new ManualClock(T0), logger: createSilentLogger(), reflection: false });
}

async function setup(t: Test): Promise<{ fake: FakeControlPlane; scope: Scope; events: Array<{ type: string; payload: Record<string, unknown> }>; server: () => GrpcServer; restart(): Promise<void>; stop(): Promise<void> }> {
  const fake = new FakeControlPlane();
  let server = await grpcOn(fake, 0);
  const port = server.port;
  const events: Array<{ type: string; payload: Record<string, unknown> }> = [];
  const scope = new Scope({
    name: `127.0.0.1:${port}`,
    api: new MaglevClient(`127.0.0.1:${port}`, { deadlineMs: 10_000 }),
    clock: createRealClock(),
    logger: createSilentLogger(),
    publish: (type, payload) => events.push({ type, payload: payload as Record<string, unknown> }),
    timing: { probeMs: 100, probeDeadlineMs: 200, lbDebounceMs: 100, reconnectMinMs: 50, reconnectMaxMs: 200, batchMs: 10, vppApiThrottleMs: 100 },
  });
  scope.start();
  t.teardown(async () => {
    scope.stop();
    await server.shutdown(100);
  });
  const ok = await waitFor(() => scope.state.reachable && scope.state.backends.names.length === 3 && scope.state.lbState !== null && fake.hub.size > 0, 5000);
  if (!ok) throw new Error('scope did not load');
  return {
    fake,
    scope,
    events,
    server: () => server,
    stop: () => server.shutdown(50),
    async restart() {
      server = await grpcOn(fake, port);
    },
  };
}

const count = (events: Array<{ type: string }>, type: string): number => events.filter((e) => e.type === type).length;

t.test('initial load, then a live transition with refetched weights and an lb-state read', async (t) => {
  const { fake, scope, events } = await setup(t);
  t.same(scope.state.frontends.names, ['web4', 'web6']);
  t.equal(scope.state.vpp?.version, '26.06-release');
  t.equal(scope.state.healthchecks.names.length, 3);
  t.ok(events.some((e) => e.type === 'maglevd' && e.payload.reachable === true));
  const lbBefore = count(events, 'lbstate');
  fake.transition('nginx0-ams', 'down', 'L4TOUT', 'timeout');
  t.ok(await waitFor(() => events.some((e) => e.type === 'backend'), 2000));
  t.match(events.find((e) => e.type === 'backend')!.payload, { backend: 'nginx0-ams', transition: { from: 'up', to: 'down' } });
  t.ok(events.some((e) => e.type === 'frontend' && e.payload.frontend === 'web4'), 'frontend transition');
  t.ok(await waitFor(() => scope.state.frontends.get('web4')?.pools[0]?.backends[0]?.effective_weight === 0, 2000), 'effective weight refetched');
  t.ok(await waitFor(() => count(events, 'lbstate') > lbBefore, 2000), 'lb state re-read');
  // Snapshot-style repeats of the current state publish nothing.
  const n = events.length;
  fake.emit({ kind: 'frontend', frontend: 'web4', from: 'down', to: 'down', at: T0 });
  await new Promise((r) => setTimeout(r, 100));
  t.equal(events.slice(n).filter((e) => e.type === 'frontend').length, 0);
});

t.test('probe and vpp-api events; vpp-api is throttled', async (t) => {
  const { fake, events } = await setup(t);
  fake.log('debug', 'probe-start', [['backend', 'nginx0-fra'], ['type', 'http']]);
  fake.log('debug', 'probe-done', [['backend', 'nginx0-fra'], ['ok', 'true'], ['code', 'L7OK']]);
  for (let i = 0; i < 20; i++) fake.log('debug', 'vpp-api-send', [['vpp_msg', 'lb_vip_dump']]);
  fake.log('debug', 'vpp-api-recv', [['vpp_msg', 'lb_vip_details']]);
  t.ok(await waitFor(() => count(events, 'vpp-api') >= 2 && count(events, 'probe') === 2, 2000));
  t.same(
    events.filter((e) => e.type === 'probe').map((e) => e.payload.phase),
    ['start', 'done'],
  );
  t.equal(count(events, 'vpp-api'), 2, 'one send (burst folded) and one recv');
  t.equal(count(events, 'log'), 0, 'probe and api records are not log lines');
});

t.test('config-reload refetches; VPP disconnect and connect', async (t) => {
  const { fake, scope, events } = await setup(t);
  const web6 = fake.frontends.get('web6')!;
  fake.frontends.set('web6', { ...web6, description: 'reloaded' });
  fake.log('info', 'config-reload', [['started', '0']]);
  t.ok(await waitFor(() => scope.state.frontends.get('web6')?.description === 'reloaded', 2000), 'refetched after config-reload');
  t.ok(events.some((e) => e.type === 'update' && JSON.stringify(e.payload).includes('reloaded')));
  t.ok(events.some((e) => e.type === 'log' && e.payload.msg === 'config-reload'), 'and shown in the log');

  fake.vpp = { state: 'disconnected', warmupComplete: true };
  fake.log('info', 'vpp-disconnect', [['reason', 'socket closed']]);
  t.ok(await waitFor(() => scope.state.vpp === null, 2000));
  t.ok(events.some((e) => e.type === 'vpp' && e.payload.connected === false && e.payload.detail === 'socket closed'));
  t.ok(events.some((e) => e.type === 'update' && e.payload.vpp === null));
  fake.vpp = { state: 'connected', warmupComplete: true, info: { version: '26.10', buildDate: '', buildDirectory: '', pid: 7, bootTime: undefined, connectTime: T0 } };
  fake.log('info', 'vpp-connect', [['version', '26.10']]);
  t.ok(await waitFor(() => scope.state.vpp?.version === '26.10' && scope.state.lbState !== null, 2000));
});

t.test('reachability loss and recovery; the watch stream reconnects', async (t) => {
  const s = await setup(t);
  await s.stop();
  t.ok(await waitFor(() => !s.scope.state.reachable, 3000), 'unreachable after the probe fails');
  t.ok(s.events.some((e) => e.type === 'maglevd' && e.payload.reachable === false));
  t.equal(s.scope.state.frontends.names.length, 2, 'last known state kept');
  await s.restart();
  t.ok(await waitFor(() => s.scope.state.reachable, 3000), 'reachable again');
  t.ok(await waitFor(() => s.fake.hub.size > 0, 3000), 'watch stream re-opened');
  s.fake.transition('nginx0-fra', 'up', 'L7OK', 'HTTP 200');
  t.ok(await waitFor(() => s.events.some((e) => e.type === 'backend' && e.payload.backend === 'nginx0-fra'), 2000), 'live events flow again');
});

t.test('admin actions fold their results in and wake the lb-state loop', async (t) => {
  const { fake, scope, events } = await setup(t);
  await new Promise((r) => setTimeout(r, 150)); // let the load's lb window close
  const lbBefore = count(events, 'lbstate');
  const info = await scope.backendAction('pause', 'nginx0-fra');
  t.equal(info.state, 'paused');
  t.equal(scope.state.backends.get('nginx0-fra')?.state, 'paused');
  t.ok(await waitFor(() => count(events, 'lbstate') > lbBefore, 2000));
  const fe = await scope.setWeight({ frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 7, flush: false });
  t.equal(fe.pools[0]?.backends[0]?.weight, 7);
  t.equal(scope.state.frontends.get('web4')?.pools[0]?.backends[0]?.weight, 7);
  t.ok(fake.calls.includes('weight web4 primary nginx0-ams 7 false'));
  const err = await scope.backendAction('pause', 'ghost').then(
    () => undefined,
    (e: unknown) => e as { details?: string },
  );
  t.equal(err?.details, 'backend "ghost" not found', 'gRPC errors reach the caller');
});
