// The one gRPC client against the real server over the fake control plane: a named method for
// every unary RPC, the operator actions mapped to their RPCs, failures as ServiceErrors with the
// server's message, the default and per-call deadlines, the WatchEvents stream, and errorText.

import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { backendActions, errorText, isBackendAction, MaglevClient } from '../../src/api/maglev-client.js';
import { loadMaglevClientProto, loadMaglevProto, maglevServiceName } from '../../src/api/maglev-proto.js';
import { startHarness, watch } from '../support/grpc-harness.js';

const { status } = grpc;

void t.test('a named method per unary RPC, answering what call() answers', async (t) => {
  const h = await startHarness(t);
  const c = h.client;
  const cases: Array<{ rpc: string; method: () => Promise<unknown>; call: () => Promise<unknown> }> = [
    { rpc: 'ListFrontends', method: () => c.listFrontends(), call: () => c.call('ListFrontends') },
    { rpc: 'GetFrontend', method: () => c.getFrontend({ name: 'web4' }), call: () => c.call('GetFrontend', { name: 'web4' }) },
    { rpc: 'ListBackends', method: () => c.listBackends(), call: () => c.call('ListBackends') },
    { rpc: 'GetBackend', method: () => c.getBackend({ name: 'nginx0-fra' }), call: () => c.call('GetBackend', { name: 'nginx0-fra' }) },
    { rpc: 'PauseBackend', method: () => c.pauseBackend({ name: 'nginx0-ams' }), call: () => c.call('PauseBackend', { name: 'nginx0-ams' }) },
    { rpc: 'ResumeBackend', method: () => c.resumeBackend({ name: 'nginx0-ams' }), call: () => c.call('ResumeBackend', { name: 'nginx0-ams' }) },
    { rpc: 'DisableBackend', method: () => c.disableBackend({ name: 'nginx0-fra' }), call: () => c.call('DisableBackend', { name: 'nginx0-fra' }) },
    { rpc: 'EnableBackend', method: () => c.enableBackend({ name: 'nginx0-fra' }), call: () => c.call('EnableBackend', { name: 'nginx0-fra' }) },
    { rpc: 'ListHealthChecks', method: () => c.listHealthChecks(), call: () => c.call('ListHealthChecks') },
    { rpc: 'GetHealthCheck', method: () => c.getHealthCheck({ name: 'tcp-tls' }), call: () => c.call('GetHealthCheck', { name: 'tcp-tls' }) },
    {
      rpc: 'SetFrontendPoolBackendWeight',
      method: () => c.setFrontendPoolBackendWeight({ frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 7 }),
      call: () => c.call('SetFrontendPoolBackendWeight', { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 7 }),
    },
    { rpc: 'CheckConfig', method: () => c.checkConfig(), call: () => c.call('CheckConfig') },
    { rpc: 'ReloadConfig', method: () => c.reloadConfig(), call: () => c.call('ReloadConfig') },
    { rpc: 'GetVPPInfo', method: () => c.getVppInfo(), call: () => c.call('GetVPPInfo') },
    { rpc: 'GetVPPLBState', method: () => c.getVppLbState(), call: () => c.call('GetVPPLBState') },
    { rpc: 'SyncVPPLBState', method: () => c.syncVppLbState({ frontend_name: 'web4' }), call: () => c.call('SyncVPPLBState', { frontend_name: 'web4' }) },
    { rpc: 'GetVPPLBCounters', method: () => c.getVppLbCounters(), call: () => c.call('GetVPPLBCounters') },
    {
      rpc: 'PreviewChange',
      method: () => c.previewChange({ backend: { name: 'nginx0-ams', action: 'disable' } }),
      call: () => c.call('PreviewChange', { backend: { name: 'nginx0-ams', action: 'disable' } }),
    },
    { rpc: 'GetVPPLBDigest', method: () => c.getVppLbDigest({ include_table: true }), call: () => c.call('GetVPPLBDigest', { include_table: true }) },
  ];
  const service = loadMaglevClientProto().grpc.maglev.Maglev.service;
  const unary = Object.values(service)
    .filter((m) => m !== undefined && !m.requestStream && !m.responseStream)
    .map((m) => m.path.split('/').pop());
  t.same(cases.map((x) => x.rpc).sort(), unary.sort(), 'every unary RPC of the proto is covered');
  for (const x of cases) t.same(await x.method(), await x.call(), x.rpc);
  t.match(await c.getFrontend({ name: 'web4' }), { name: 'web4', port: 80, pools: [{ name: 'primary' }] });
});

void t.test('backend actions map to their RPCs', async (t) => {
  const h = await startHarness(t);
  h.fake.calls.length = 0;
  for (const action of backendActions) await h.client.backendAction(action, { name: 'nginx0-ams' });
  t.same(h.fake.calls, ['pause nginx0-ams', 'resume nginx0-ams', 'enable nginx0-ams', 'disable nginx0-ams']);
  t.same(['pause', 'disable', 'Pause', 'stop', ''].map(isBackendAction), [true, true, false, false, false]);
});

void t.test('a failed call rejects with the ServiceError; errorText keeps the server message', async (t) => {
  const h = await startHarness(t);
  const e = await h.client.getBackend({ name: 'ghost' }).then(
    () => undefined,
    (err: grpc.ServiceError) => err,
  );
  t.equal(e?.code, status.NOT_FOUND);
  t.equal(e?.details, 'backend "ghost" not found');
  t.equal(errorText(e), 'backend "ghost" not found');
});

void t.test('errorText', (t) => {
  const cases: Array<{ name: string; in: unknown; want: string }> = [
    { name: 'details only', in: Object.assign(new Error('5 NOT_FOUND: x'), { details: 'x' }), want: 'x' },
    { name: 'empty resolution note dropped', in: { details: 'No connection established. Resolution note: ' }, want: 'No connection established.' },
    { name: 'empty details: the message', in: Object.assign(new Error('boom'), { details: '' }), want: 'boom' },
    { name: 'plain error', in: new Error('plain'), want: 'plain' },
    { name: 'not an error', in: 'text', want: 'text' },
  ];
  for (const c of cases) t.equal(errorText(c.in), c.want, c.name);
  t.end();
});

void t.test('deadlines: the client default, and a call that names its own', async (t) => {
  // A server that never answers ListFrontends.
  const server = new grpc.Server();
  const service = loadMaglevProto('server')[maglevServiceName] as grpc.ServiceDefinition;
  server.addService(service, { ListFrontends: () => {} });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))),
  );
  t.teardown(() => server.forceShutdown());
  const timed = async (p: Promise<unknown>): Promise<[grpc.status | undefined, number]> => {
    const t0 = Date.now();
    const code = await p.then(
      () => undefined,
      (e: grpc.ServiceError) => e.code,
    );
    return [code, Date.now() - t0];
  };

  const short = new MaglevClient(`127.0.0.1:${port}`, { deadlineMs: 200 });
  t.teardown(() => short.close());
  const [code1] = await timed(short.listFrontends());
  t.equal(code1, status.DEADLINE_EXCEEDED, 'the default deadline');

  const long = new MaglevClient(`127.0.0.1:${port}`, { deadlineMs: 60_000 });
  t.teardown(() => long.close());
  const [code2, ms2] = await timed(long.listFrontends({}, { deadlineMs: 200 }));
  t.equal(code2, status.DEADLINE_EXCEEDED, "the call's own deadline");
  t.ok(ms2 < 30_000, `instead of the client's (${ms2} ms)`);
});

void t.test('WatchEvents streams decoded events until cancelled', async (t) => {
  const h = await startHarness(t);
  const w = watch(h.client, { log: false });
  await w.take(5);
  t.same(
    w.events.map((e) => e.event),
    ['backend', 'backend', 'backend', 'frontend', 'frontend'],
  );
  t.match(w.events[0], { backend: { backend_name: 'nginx0-ams', transition: { at_unix_ns: /^\d+$/ } } });
  w.stream.cancel();
  t.equal((await w.end).code, status.CANCELLED);
});
