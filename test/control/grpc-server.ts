// Every RPC of maglev.Maglev over a real grpc-js client against the fake control plane: happy
// paths, each error code, reflection v1/v1alpha, WatchEvents (snapshot, live, filters, slow
// subscriber, shutdown) and the grpc_server_* metrics.

import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import { loadMaglevClientProto } from '../../src/api/maglev-proto.js';
import { MaglevClient } from '../../src/api/maglev-client.js';
import type { RpcRequest } from '../../src/api/maglev-rpc.js';
import { grpcBindTarget, startGrpcServer } from '../../src/control/grpc-server.js';
import { DaemonError } from '../../src/shared/errors.js';
import { FakeControlPlane, T0, withAsWeight } from '../support/fake-control-plane.js';
import { startHarness, watch } from '../support/grpc-harness.js';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { until } from '../support/wait-for.js';

const { status } = grpc;

void t.test('list RPCs answer sorted names', async (t) => {
  const h = await startHarness(t);
  t.same(await h.call('ListFrontends'), { frontend_names: ['web4', 'web6'] });
  t.same(await h.call('ListBackends'), { backend_names: ['nginx0-ams', 'nginx0-fra', 'nginx1-zrh'] });
  t.same(await h.call('ListHealthChecks'), { names: ['http-healthz', 'icmp', 'tcp-tls'] });
});

void t.test('GetFrontend: config plus live state', async (t) => {
  const h = await startHarness(t);
  const f = await h.call('GetFrontend', { name: 'web4' });
  t.match(f, {
    name: 'web4',
    address: '198.51.100.1',
    protocol: 'tcp',
    port: 80,
    description: 'public web, IPv4',
    src_ip_sticky: false,
    flush_on_down: true,
    state: 'up',
  });
  t.same(
    f.pools.map((p) => [p.name, p.active, p.backends.map((b) => [b.name, b.weight, b.effective_weight, b.state])]),
    [
      ['primary', true, [['nginx0-ams', 100, 100, 'up'], ['nginx0-fra', 100, 0, 'down']]],
      ['fallback', false, [['nginx1-zrh', 50, 0, 'disabled']]],
    ],
  );
  t.equal(f.pools[0]!.backends[0]!.last_transition_unix_ns, `${T0 - 3_600_000}000000`, 'int64 ns as a decimal string');
  const e = await h.fail('GetFrontend', { name: 'nope' });
  t.equal(e.code, status.NOT_FOUND);
  t.equal(e.details, 'frontend "nope" not found', 'plain message, no prefix');
  const empty = await h.fail('GetFrontend', {});
  t.equal(empty.code, status.INVALID_ARGUMENT);
  t.equal(empty.details, 'name must not be empty');
});

void t.test('GetBackend: transitions newest first, probe, counters', async (t) => {
  const h = await startHarness(t);
  const b = await h.call('GetBackend', { name: 'nginx0-fra' });
  t.match(b, { name: 'nginx0-fra', address: '192.0.2.11', state: 'down', enabled: true, healthcheck: 'http-healthz', health: 0, rise: 2, fall: 3 });
  t.same(b.frontends, ['web4']);
  t.same(
    b.transitions.map((x) => [x.from, x.to, x.code]),
    [
      ['up', 'down', 'L4TOUT'],
      ['unknown', 'up', 'L7OK'],
    ],
  );
  t.equal(b.transitions[0]!.at_unix_ns, String(BigInt(Date.UTC(2026, 3, 12, 14, 7, 39, 123)) * 1_000_000n));
  t.match(b.last_probe, { ok: false, layer: 'L4', code: 'L4TOUT', duration_ns: '1000400000' });
  const stat = await h.call('GetBackend', { name: 'nginx1-zrh' });
  t.equal(stat.healthcheck, '', 'static backend: empty health check');
  t.equal(stat.last_probe, null, 'no probe yet: unset message');
  t.same((await h.call('GetBackend', { name: 'nginx0-ams' })).frontends, ['web4', 'web6']);
  t.equal((await h.fail('GetBackend', { name: 'x' })).code, status.NOT_FOUND);
  t.equal((await h.fail('GetBackend', { name: '' })).code, status.INVALID_ARGUMENT);
});

void t.test('operator actions return BackendInfo and map errors', async (t) => {
  const h = await startHarness(t);
  const cases: Array<{ rpc: 'PauseBackend' | 'ResumeBackend' | 'EnableBackend' | 'DisableBackend'; name: string; state?: string; enabled?: boolean; code?: grpc.status }> = [
    { rpc: 'PauseBackend', name: 'nginx0-ams', state: 'paused', enabled: true },
    { rpc: 'PauseBackend', name: 'nginx0-ams', state: 'paused', enabled: true },
    { rpc: 'ResumeBackend', name: 'nginx0-ams', state: 'unknown', enabled: true },
    { rpc: 'PauseBackend', name: 'nginx1-zrh', code: status.FAILED_PRECONDITION },
    { rpc: 'ResumeBackend', name: 'nginx1-zrh', code: status.FAILED_PRECONDITION },
    { rpc: 'EnableBackend', name: 'nginx1-zrh', state: 'unknown', enabled: true },
    { rpc: 'DisableBackend', name: 'nginx0-fra', state: 'disabled', enabled: false },
    { rpc: 'DisableBackend', name: 'nginx0-fra', state: 'disabled', enabled: false },
    { rpc: 'EnableBackend', name: 'ghost', code: status.NOT_FOUND },
    { rpc: 'DisableBackend', name: 'ghost', code: status.NOT_FOUND },
    { rpc: 'PauseBackend', name: 'ghost', code: status.NOT_FOUND },
    { rpc: 'ResumeBackend', name: '', code: status.INVALID_ARGUMENT },
  ];
  t.equal((await h.fail('PauseBackend', { name: 'nginx1-zrh' })).details, 'backend "nginx1-zrh" is disabled');
  h.fake.calls.length = 0;
  for (const c of cases) {
    if (c.code !== undefined) {
      t.equal((await h.fail(c.rpc, { name: c.name })).code, c.code, `${c.rpc} ${c.name}`);
      continue;
    }
    const b = await h.call(c.rpc, { name: c.name });
    t.same([b.name, b.state, b.enabled], [c.name, c.state, c.enabled], `${c.rpc} ${c.name}`);
  }
  t.same(h.fake.calls.slice(0, 3), ['pause nginx0-ams', 'pause nginx0-ams', 'resume nginx0-ams']);
});

void t.test('GetHealthCheck: defaults resolved, http/tcp by type', async (t) => {
  const h = await startHarness(t);
  const http = await h.call('GetHealthCheck', { name: 'http-healthz' });
  t.match(http, { name: 'http-healthz', type: 'http', port: 80, interval_ns: '2000000000', fast_interval_ns: '1000000000', down_interval_ns: '5000000000', timeout_ns: '1000000000', rise: 2, fall: 3, tcp: null });
  t.match(http.http, { path: '/healthz', host: 'www.example.com', response_code_min: 200, response_code_max: 299, response_regexp: '' });
  t.equal(http.reuse_connection, false, 'reuse-connection: off unless set');
  const tcp = await h.call('GetHealthCheck', { name: 'tcp-tls' });
  t.same(tcp.tcp, { ssl: true, server_name: 'example.com', insecure_skip_verify: true });
  t.equal(tcp.http, null);
  const icmp = await h.call('GetHealthCheck', { name: 'icmp' });
  t.same([icmp.http, icmp.tcp, icmp.probe_ipv4_src, icmp.probe_ipv6_src], [null, null, '192.0.2.254', '']);
  t.equal((await h.fail('GetHealthCheck', { name: 'nope' })).code, status.NOT_FOUND);
});

void t.test('SetFrontendPoolBackendWeight: validation and result', async (t) => {
  const h = await startHarness(t);
  const f = await h.call('SetFrontendPoolBackendWeight', { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 0, flush: true });
  t.same(
    f.pools.map((p) => [p.name, p.active]),
    [
      ['primary', false],
      ['fallback', false],
    ],
    'primary weights at 0 and the fallback member disabled: no active pool',
  );
  t.equal(f.pools[0]!.backends[0]!.weight, 0);
  t.equal(f.state, 'down');
  t.same(h.fake.calls, ['weight web4 primary nginx0-ams 0 true']);
  const cases: Array<{ req: RpcRequest<'SetFrontendPoolBackendWeight'>; code: grpc.status; details: string }> = [
    { req: { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 101 }, code: status.INVALID_ARGUMENT, details: 'weight 101 out of range 0..100' },
    { req: { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: -1 }, code: status.INVALID_ARGUMENT, details: 'weight -1 out of range 0..100' },
    { req: { frontend: 'web4', backend: 'nginx0-ams', weight: 5 }, code: status.INVALID_ARGUMENT, details: 'pool must not be empty' },
    { req: { pool: 'primary', backend: 'nginx0-ams', weight: 5 }, code: status.INVALID_ARGUMENT, details: 'frontend must not be empty' },
    { req: { frontend: 'web4', pool: 'primary', weight: 5 }, code: status.INVALID_ARGUMENT, details: 'backend must not be empty' },
    { req: { frontend: 'web9', pool: 'primary', backend: 'nginx0-ams', weight: 5 }, code: status.NOT_FOUND, details: 'frontend "web9" not found' },
    { req: { frontend: 'web4', pool: 'spare', backend: 'nginx0-ams', weight: 5 }, code: status.NOT_FOUND, details: 'pool "spare" not found in frontend "web4"' },
    { req: { frontend: 'web4', pool: 'fallback', backend: 'nginx0-ams', weight: 5 }, code: status.NOT_FOUND, details: 'backend "nginx0-ams" not found in pool "fallback"' },
  ];
  for (const c of cases) {
    const e = await h.fail('SetFrontendPoolBackendWeight', c.req);
    t.same([e.code, e.details], [c.code, c.details], c.details);
  }
});

void t.test('CheckConfig and ReloadConfig carry problems as fields', async (t) => {
  const h = await startHarness(t);
  t.same(await h.call('CheckConfig'), { ok: true, parse_error: '', semantic_error: '' });
  t.same(await h.call('ReloadConfig'), { ok: true, parse_error: '', semantic_error: '', reload_error: '' });
  h.fake.configResult = { ok: false, parseError: '', semanticError: 'frontends.web4: unknown backend "x"\nfrontends.web6: bad', reloadError: '' };
  t.same(await h.call('CheckConfig'), { ok: false, parse_error: '', semantic_error: 'frontends.web4: unknown backend "x"\nfrontends.web6: bad' });
  h.fake.configResult = { ok: false, parseError: '', semanticError: '', reloadError: 'boom' };
  t.match(await h.call('ReloadConfig'), { ok: false, reload_error: 'boom' });
  t.same(h.fake.calls, ['check', 'reload', 'check', 'reload']);
});

void t.test('VPP RPCs: values, UNAVAILABLE, FAILED_PRECONDITION, INTERNAL', async (t) => {
  const h = await startHarness(t);
  t.same(await h.call('GetVPPInfo'), {
    version: '26.06-release',
    build_date: '2026-06-01T10:00:00',
    build_directory: '/w/vpp',
    pid: 4242,
    boottime_ns: `${T0 - 86_400_000}000000`,
    connecttime_ns: `${T0 - 3_600_000}000000`,
  });
  const st = await h.call('GetVPPLBState');
  t.same(st.conf, { ip4_src_address: '192.0.2.254', ip6_src_address: '2001:db8::fe', sticky_buckets_per_core: 65536, flow_timeout: 40 });
  t.match(st.vips[0], { prefix: '198.51.100.1/32', protocol: 6, port: 80, encap: 'gre4', flow_table_length: 1024, index: 1, src_ip_sticky: false });
  t.same(st.vips[0]!.application_servers[0], { address: '192.0.2.10', weight: 100, flags: 1, num_buckets: 1024, in_use_since_ns: '0' });
  const c = await h.call('GetVPPLBCounters');
  t.equal(c.scraped_at_unix_ns, `${T0 - 2000}000000`);
  t.match(c.vips[0], { next_packets: '1000', first_packets: '10', untracked_packets: '0', no_server_packets: '2', fib_packets: '1012', fib_bytes: '123456789012', frontend: 'web4', index: 1 });
  t.match(c.vips[1], { fib_packets: '0', fib_bytes: '0', frontend: 'web6' });

  t.same(await h.call('SyncVPPLBState', {}), {});
  t.same(await h.call('SyncVPPLBState', { frontend_name: 'web4' }), {});
  t.same(h.fake.calls, ['sync *', 'sync web4']);
  t.equal((await h.fail('SyncVPPLBState', { frontend_name: 'nope' })).code, status.NOT_FOUND);
  t.equal((await h.fail('SyncVPPLBState', { frontend_name: '' })).code, status.INVALID_ARGUMENT);

  h.fake.vppError = new DaemonError('WARMUP_IN_PROGRESS', 'startup warmup in progress');
  const warm = await h.fail('SyncVPPLBState', {});
  t.same([warm.code, warm.details], [status.FAILED_PRECONDITION, 'startup warmup in progress']);
  h.fake.vppError = new DaemonError('VPP_RETVAL', 'lb_add_del_vip_v2: VALUE_EXIST (-81)');
  const ret = await h.fail('SyncVPPLBState', {});
  t.same([ret.code, ret.details], [status.INTERNAL, 'lb_add_del_vip_v2: VALUE_EXIST (-81)']);
  t.equal((await h.fail('GetVPPLBState')).code, status.INTERNAL);
  h.fake.vppError = undefined;

  h.fake.vpp = { state: 'disconnected', warmupComplete: false };
  for (const rpc of ['GetVPPInfo', 'GetVPPLBState', 'SyncVPPLBState', 'GetVPPLBCounters'] as const) {
    const e = await h.fail(rpc);
    t.same([e.code, e.details], [status.UNAVAILABLE, 'VPP not connected'], `${rpc} while disconnected`);
  }
  h.fake.vpp = { state: 'disabled' };
  for (const rpc of ['GetVPPInfo', 'GetVPPLBState', 'SyncVPPLBState', 'GetVPPLBCounters'] as const) {
    const e = await h.fail(rpc);
    t.same([e.code, e.details], [status.UNAVAILABLE, 'VPP integration is disabled'], `${rpc} while disabled`);
  }
});

void t.test("GetVersion: the control plane's build", async (t) => {
  const h = await startHarness(t);
  t.same(await h.call('GetVersion'), { version: '9.8.7', commit: 'fedcba987654', build_date: '2026-04-12T14:07:42+00:00' });
  h.fake.build = { version: '1.0.0', commit: 'unknown', date: '2026-01-01T00:00:00Z' };
  t.same(await h.call('GetVersion', {}), { version: '1.0.0', commit: 'unknown', build_date: '2026-01-01T00:00:00Z' });
});

void t.test('an unexpected exception is INTERNAL with its message', async (t) => {
  const fake = new FakeControlPlane();
  fake.listBackends = () => {
    throw new Error('kaput');
  };
  const h = await startHarness(t, { fake });
  const e = await h.fail('ListBackends');
  t.same([e.code, e.details], [status.INTERNAL, 'kaput']);
});

// ---- reflection --------------------------------------------------------------

const reflectionProto = (version: 'v1' | 'v1alpha'): string =>
  join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '..', 'proto', 'grpc', 'reflection', version, 'reflection.proto');

function reflect(address: string, version: 'v1' | 'v1alpha', req: object): Promise<Record<string, unknown>> {
  const def = grpc.loadPackageDefinition(loadSync(reflectionProto(version), { keepCase: true, longs: String, oneofs: true }));
  const pkg = (def.grpc as grpc.GrpcObject).reflection as grpc.GrpcObject;
  const Ctor = (pkg[version] as grpc.GrpcObject).ServerReflection as unknown as new (a: string, c: grpc.ChannelCredentials) => grpc.Client;
  const client = new Ctor(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = (client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<object, Record<string, unknown>> }).ServerReflectionInfo();
    call.on('data', (res: Record<string, unknown>) => {
      resolve(res);
      call.end();
      client.close();
    });
    call.on('error', (e) => {
      client.close();
      reject(e);
    });
    call.write(req);
  });
}

void t.test('server reflection v1 and v1alpha list the service and serve its file', async (t) => {
  const h = await startHarness(t);
  for (const version of ['v1', 'v1alpha'] as const) {
    const list = await reflect(h.address, version, { list_services: '*' });
    const names = (list.list_services_response as { service: Array<{ name: string }> }).service.map((s) => s.name);
    t.ok(names.includes('maglev.Maglev'), `${version} lists maglev.Maglev: ${names.join(', ')}`);
    const file = await reflect(h.address, version, { file_containing_symbol: 'maglev.Maglev' });
    const protos = (file.file_descriptor_response as { file_descriptor_proto: Buffer[] }).file_descriptor_proto;
    t.ok(protos.length > 0 && protos.some((b) => b.includes('frontend_names')), `${version}: descriptor with proto field names`);
  }
});

void t.test('reflection can be switched off', async (t) => {
  const h = await startHarness(t, { reflection: false });
  const e = await reflect(h.address, 'v1', { list_services: '*' }).then(
    () => undefined,
    (err: grpc.ServiceError) => err,
  );
  t.equal(e?.code, status.UNIMPLEMENTED);
});

// ---- WatchEvents ---------------------------------------------------------------

void t.test('WatchEvents: snapshot then live events, deduplicated', async (t) => {
  const h = await startHarness(t);
  const w = watch(h.client, {});
  await w.take(5);
  t.same(
    w.events.map((e) => [e.event, (e.backend as { backend_name?: string } | null)?.backend_name ?? (e.frontend as { frontend_name: string }).frontend_name]),
    [
      ['backend', 'nginx0-ams'],
      ['backend', 'nginx0-fra'],
      ['backend', 'nginx1-zrh'],
      ['frontend', 'web4'],
      ['frontend', 'web6'],
    ],
    'backends sorted, then frontends sorted',
  );
  t.match(w.events[1], { backend: { transition: { from: 'down', to: 'down', code: 'L4TOUT', detail: 'timeout after 1s during connect' } } });
  t.match(w.events[3], { frontend: { transition: { from: 'up', to: 'up', code: '', at_unix_ns: `${T0}000000` } } });
  h.fake.transition('nginx0-ams', 'down', 'L7STS', 'HTTP 503', T0 + 1000);
  h.fake.log('info', 'backend-transition', [['backend', 'nginx0-ams']], T0 + 1000);
  h.fake.log('debug', 'probe-done', [], T0 + 1000);
  h.fake.emit({ kind: 'panic', frontend: 'web4', panic: true, state: 'up', detail: '1 of 4 up in pool primary, below the 50% panic threshold', at: T0 + 2000 });
  await w.take(10);
  const live = w.events.slice(5);
  t.same(
    live.map((e) => e.event),
    ['backend', 'frontend', 'frontend', 'log', 'frontend'],
    'one backend event although two frontends reference it; no debug log at info',
  );
  t.match(live[0], { backend: { backend_name: 'nginx0-ams', transition: { from: 'up', to: 'down', code: 'L7STS', at_unix_ns: `${T0 + 1000}000000` } } });
  t.match(live[1], { frontend: { frontend_name: 'web4', transition: { from: 'up', to: 'down' } } });
  t.match(live[3], { log: { level: 'info', msg: 'backend-transition', attrs: [{ key: 'backend', value: 'nginx0-ams' }] } });
  t.match(
    live[4],
    { frontend: { frontend_name: 'web4', transition: { from: 'up', to: 'up', code: 'panic-enter', detail: /below the 50% panic threshold/, at_unix_ns: `${T0 + 2000}000000` } } },
    'entering panic is a frontend event with an unchanged state and its own code',
  );
  h.fake.emit({ kind: 'agent', backend: 'nginx0-ams', frontends: ['web4'], state: 'down', from: { state: 'up', percent: 100 }, to: { state: 'drain', percent: 100 }, answer: 'drain', at: T0 + 3000 });
  await w.take(11);
  t.match(
    w.events[10],
    { backend: { backend_name: 'nginx0-ams', transition: { from: 'down', to: 'down', code: 'agent-drain', detail: 'agent: drain', at_unix_ns: `${T0 + 3000}000000` } } },
    'a new agent verdict is a backend event with an unchanged state and code agent-<state>',
  );
  w.stream.cancel();
  t.equal((await w.end).code, status.CANCELLED);
});

void t.test('WatchEvents: kind selection and log level', async (t) => {
  const h = await startHarness(t);
  const logsOnly = watch(h.client, { backend: false, frontend: false, log_level: 'debug' });
  const backendsOnly = watch(h.client, { log: false, frontend: false });
  await backendsOnly.take(3);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(logsOnly.events.length, 0, 'no snapshot when only logs are asked for');
  t.equal(h.fake.hub.wantedLevel(), 'debug', 'the log tap follows the lowest level asked for');
  h.fake.log('debug', 'probe-start');
  h.fake.transition('nginx0-fra', 'up', 'L7OK', 'HTTP 200');
  h.fake.log('warn', 'config-warning');
  await logsOnly.take(2);
  await backendsOnly.take(4);
  t.same(
    logsOnly.events.map((e) => (e.log as { msg: string }).msg),
    ['probe-start', 'config-warning'],
  );
  t.same(backendsOnly.events.map((e) => e.event), ['backend', 'backend', 'backend', 'backend']);
  logsOnly.stream.cancel();
  backendsOnly.stream.cancel();
  await Promise.all([logsOnly.end, backendsOnly.end]);
  await new Promise((r) => setTimeout(r, 20));
  t.equal(h.fake.hub.size, 0, 'cancelled streams unsubscribe');
  t.equal(h.fake.hub.wantedLevel(), undefined, 'and no longer want log records');
});

void t.test('WatchEvents: a bad log_level is INVALID_ARGUMENT', async (t) => {
  const h = await startHarness(t);
  const w = watch(h.client, { log_level: 'verbose' });
  const st = await w.end;
  t.same([st.code, st.details], [status.INVALID_ARGUMENT, 'invalid log_level "verbose": expected debug, info, warn or error']);
});

void t.test('WatchEvents: a subscriber that does not read is cut off with RESOURCE_EXHAUSTED', async (t) => {
  const drops: Array<{ peer: string; queued: number }> = [];
  const fake = new FakeControlPlane({ onDrop: (peer, queued) => drops.push({ peer, queued }) });
  const h = await startHarness(t, { fake });
  const slow = watch(h.client, { log: false, frontend: false });
  const fast = watch(h.client, { log: false, frontend: false });
  await slow.take(3);
  await fast.take(3);
  slow.stream.pause();
  // Bursts of 400 transitions; the reading subscriber catches up between bursts.
  let sent = 0;
  while (h.fake.hub.size === 2 && sent < 40_000) {
    for (let i = 0; i < 400; i++, sent++) {
      fake.emit({ kind: 'backend', backend: 'nginx0-fra', frontends: ['web4'], transition: { from: 'up', to: 'down', at: T0, code: 'L4CON', detail: '' } });
    }
    await fast.take(3 + sent);
  }
  t.equal(fake.hub.size, 1, `the slow subscriber was cut off after ${sent} events`);
  t.ok(sent > 4096, 'not before its queue of 4096 filled');
  slow.stream.resume();
  const st = await slow.end;
  t.same([st.code, st.details], [status.RESOURCE_EXHAUSTED, 'subscriber too slow']);
  t.equal(drops.length, 1, 'the cut-off is reported once');
  t.equal(drops[0]?.queued, 4096);
  t.match(String(drops[0]?.peer), /127\.0\.0\.1/);
  await fast.take(3 + sent);
  t.equal(fast.events.length, 3 + sent, 'a subscriber that keeps up gets every event');
  fast.stream.cancel();
});

void t.test('shutdown ends WatchEvents streams with UNAVAILABLE', async (t) => {
  const fake = new FakeControlPlane();
  const server = await startGrpcServer({
    addr: { host: '127.0.0.1', port: 0 },
    control: fake,
    clock: new ManualClock(T0),
    logger: new RecordingLogger(),
    reflection: false,
  });
  const client = new MaglevClient(`127.0.0.1:${server.port}`, { deadlineMs: 10_000 });
  const w = watch(client, {});
  await w.take(5);
  t.equal(server.watchStreams, 1);
  await server.shutdown(1000);
  const st = await w.end;
  t.same([st.code, st.details], [status.UNAVAILABLE, 'server shutting down']);
  client.close();
});

void t.test("closing the daemon's hub ends streams with UNAVAILABLE too", async (t) => {
  const h = await startHarness(t);
  const w = watch(h.client, { log: false });
  await w.take(5);
  h.fake.hub.closeAll();
  const st = await w.end;
  t.same([st.code, st.details], [status.UNAVAILABLE, 'server shutting down']);
  t.equal(h.server.watchStreams, 0);
});

void t.test('grpc_server_* metrics count RPCs by method and code', async (t) => {
  const h = await startHarness(t);
  await h.call('ListFrontends');
  await h.fail('GetBackend', { name: 'ghost' });
  const w = watch(h.client, { log: false });
  await w.take(5);
  w.stream.cancel();
  await w.end;
  // The server hears of the cancel after the client does: wait for it rather than for a time.
  const cancelled = /grpc_server_handled_total\{grpc_type="server_stream",grpc_service="maglev.Maglev",grpc_method="WatchEvents",grpc_code="Canceled"\} 1/;
  await until(async () => cancelled.test(await h.registry.metrics()), 'the server to count the cancelled stream', 10_000);
  const text = await h.registry.metrics();
  t.match(text, /grpc_server_started_total\{grpc_type="unary",grpc_service="maglev.Maglev",grpc_method="ListFrontends"\} 1/);
  t.match(text, /grpc_server_handled_total\{grpc_type="unary",grpc_service="maglev.Maglev",grpc_method="GetBackend",grpc_code="NotFound"\} 1/);
  t.match(text, /grpc_server_handled_total\{grpc_type="server_stream",grpc_service="maglev.Maglev",grpc_method="WatchEvents",grpc_code="Canceled"\} 1/);
  t.match(text, /grpc_server_msg_sent_total\{grpc_type="server_stream",grpc_service="maglev.Maglev",grpc_method="WatchEvents"\} 5/);
});

void t.test('bind targets', async (t) => {
  const cases = [
    { in: { host: '', port: 9090 }, want: '[::]:9090' },
    { in: { host: '127.0.0.1', port: 9090 }, want: '127.0.0.1:9090' },
    { in: { host: '::1', port: 1 }, want: '[::1]:1' },
    { in: { host: 'localhost', port: 2 }, want: 'localhost:2' },
  ];
  for (const c of cases) t.equal(grpcBindTarget(c.in), c.want, JSON.stringify(c.in));
  await t.rejects(
    startGrpcServer({ addr: { host: '192.0.2.1', port: 1 }, control: new FakeControlPlane(), clock: new ManualClock(), logger: new RecordingLogger(), reflection: false }),
    /grpc listen on 192\.0\.2\.1:1/,
    'a listen failure rejects',
  );
});

void t.test('PreviewChange: validation, previews and config problems as data; nothing changes', async (t) => {
  const h = await startHarness(t);
  const before = await h.call('GetFrontend', { name: 'web4' });
  const w = await h.call('PreviewChange', { frontend: 'web4', weight: { pool: 'primary', backend: 'nginx0-ams', weight: 0 } });
  t.equal(w.ok, true);
  t.equal(w.vips.length, 1);
  t.match(w.vips[0], { frontend: 'web4', prefix: '198.51.100.1/32', protocol: 6, port: 80, change: 'changed', flow_table_length: 1024, moved_buckets: 1024 });
  t.same(
    w.vips[0]!.application_servers.map((a) => [a.address, a.backends, a.buckets_before, a.buckets_after]),
    [['192.0.2.10', ['nginx0-ams'], 1024, 0], ['192.0.2.11', ['nginx0-fra'], 0, 0], ['192.0.2.12', ['nginx1-zrh'], 0, 0]],
  );
  t.same(w.vips[0]!.members[0], {
    pool: 'primary',
    backend: 'nginx0-ams',
    state_before: 'up',
    state_after: 'up',
    weight_before: 100,
    weight_after: 0,
    effective_weight_before: 100,
    effective_weight_after: 0,
  });
  // nginx0-ams serves both frontends: a backend action previews both VIPs, or one on request.
  const pause = await h.call('PreviewChange', { backend: { name: 'nginx0-ams', action: 'pause' } });
  t.same(pause.vips.map((v) => [v.frontend, v.moved_buckets]), [['web4', 1024], ['web6', 1024]]);
  const only6 = await h.call('PreviewChange', { frontend: 'web6', backend: { name: 'nginx0-ams', action: 'pause' } });
  t.same(only6.vips.map((v) => v.frontend), ['web6']);
  const enable = await h.call('PreviewChange', { backend: { name: 'nginx1-zrh', action: 'enable' } });
  t.same(enable.assumptions, [], 'a static backend needs no assumption');
  t.same(await h.call('GetFrontend', { name: 'web4' }), before, 'nothing was applied');

  const cases: Array<{ req: RpcRequest<'PreviewChange'>; code: grpc.status; details: string }> = [
    { req: {}, code: status.INVALID_ARGUMENT, details: 'change must be set: weight or backend (a candidate config goes to PreviewConfig)' },
    { req: { frontend: 'web4' }, code: status.INVALID_ARGUMENT, details: 'change must be set: weight or backend (a candidate config goes to PreviewConfig)' },
    { req: { weight: { pool: 'primary', backend: 'nginx0-ams', weight: 1 } }, code: status.INVALID_ARGUMENT, details: 'frontend must not be empty' },
    { req: { frontend: 'web4', weight: { backend: 'nginx0-ams', weight: 1 } }, code: status.INVALID_ARGUMENT, details: 'weight.pool must not be empty' },
    { req: { frontend: 'web4', weight: { pool: 'primary', weight: 1 } }, code: status.INVALID_ARGUMENT, details: 'weight.backend must not be empty' },
    { req: { frontend: 'web4', weight: { pool: 'primary', backend: 'nginx0-ams', weight: 101 } }, code: status.INVALID_ARGUMENT, details: 'weight 101 out of range 0..100' },
    { req: { frontend: 'web4', weight: { pool: 'spare', backend: 'nginx0-ams', weight: 1 } }, code: status.NOT_FOUND, details: 'pool "spare" not found in frontend "web4"' },
    { req: { backend: { action: 'pause' } }, code: status.INVALID_ARGUMENT, details: 'backend.name must not be empty' },
    { req: { backend: { name: 'nginx0-ams', action: 'drain' } }, code: status.INVALID_ARGUMENT, details: 'backend.action must be pause, resume, enable or disable' },
    { req: { backend: { name: 'ghost', action: 'pause' } }, code: status.NOT_FOUND, details: 'backend "ghost" not found' },
    { req: { backend: { name: 'nginx1-zrh', action: 'pause' } }, code: status.FAILED_PRECONDITION, details: 'backend "nginx1-zrh" is disabled; cannot pause it' },
    { req: { frontend: 'web9', backend: { name: 'nginx0-ams', action: 'pause' } }, code: status.NOT_FOUND, details: 'frontend "web9" not found' },
    { req: { frontend: 'f'.repeat(65), weight: { pool: 'primary', backend: 'nginx0-ams', weight: 1 } }, code: status.INVALID_ARGUMENT, details: 'frontend is longer than 64 bytes' },
  ];
  for (const c of cases) {
    const e = await h.fail('PreviewChange', c.req);
    t.same([e.code, e.details], [c.code, c.details], c.details);
  }
});

void t.test('PreviewConfig: a candidate config streamed in chunks; problems as data; bounded uploads', async (t) => {
  const h = await startHarness(t);
  const before = await h.call('GetFrontend', { name: 'web4' });
  const bad = await h.client.previewConfig('maglev: [');
  t.match(bad, { ok: false, vips: [], assumptions: [] });
  t.match(bad.parse_error, /YAML/);
  // Larger than one request may be (64 KiB): the chunks are joined before parsing.
  const padded = `# ${'x'.repeat(200 * 1024)}\nmaglev: [`;
  const big = await h.client.previewConfig(padded);
  t.match(big.parse_error, /YAML/, 'a 200 KiB candidate reaches the parser');
  t.same(await h.call('GetFrontend', { name: 'web4' }), before, 'nothing was applied');

  const tooBig = await h.client.previewConfig('#'.repeat(16 * 1024 * 1024 + 1)).catch((e: grpc.ServiceError) => e);
  t.same([(tooBig as grpc.ServiceError).code, (tooBig as grpc.ServiceError).details], [status.RESOURCE_EXHAUSTED, 'the candidate config is larger than 16777216 bytes (16 MiB)']);
  const longName = await h.client.previewConfig('maglev: {}', 'f'.repeat(65)).catch((e: grpc.ServiceError) => e);
  t.same([(longName as grpc.ServiceError).code, (longName as grpc.ServiceError).details], [status.INVALID_ARGUMENT, 'frontend is longer than 64 bytes']);

  // One upload at a time: a second one, while the first has not ended, is refused at once.
  const { grpc: proto } = loadMaglevClientProto();
  const raw = new proto.maglev.Maglev(h.address, grpc.credentials.createInsecure());
  t.teardown(() => raw.close());
  const stalled = raw.PreviewConfig((_e: grpc.ServiceError | null) => {});
  stalled.write({ text: Buffer.from('maglev:\n') });
  await new Promise((r) => setTimeout(r, 200));
  const second = await h.client.previewConfig('maglev: [').catch((e: grpc.ServiceError) => e);
  t.same([(second as grpc.ServiceError).code, (second as grpc.ServiceError).details], [status.RESOURCE_EXHAUSTED, 'a config preview is already being uploaded; try again when it has finished']);
  stalled.end();
  await new Promise((r) => setTimeout(r, 200));
  t.match(await h.client.previewConfig('maglev: ['), { ok: false }, 'the slot is free again once the upload ended');
});

void t.test('GetVPPLBDigest: per-VIP digests from the lb state, the table on request, VPP errors', async (t) => {
  const h = await startHarness(t);
  const all = await h.call('GetVPPLBDigest', {});
  t.same(all.vips.map((v) => [v.frontend, v.prefix, v.buckets_match, v.table.length]), [['web4', '198.51.100.1/32', true, 0], ['web6', '2001:db8::1/128', true, 0]]);
  t.same(all.vips[0]!.application_servers, [{ address: '192.0.2.10', weight: 100, buckets: 1024 }], 'only ASes in the table');
  t.match(all.vips[0]!.digest, /^[0-9a-f]{64}$/);
  t.not(all.vips[0]!.digest, all.vips[1]!.digest);
  const one = await h.call('GetVPPLBDigest', { frontend: 'web4', include_table: true });
  t.equal(one.vips.length, 1);
  t.equal(one.vips[0]!.digest, all.vips[0]!.digest);
  t.equal(one.vips[0]!.table.length, 1024);
  t.ok(one.vips[0]!.table.every((x) => x === 0), 'every bucket on the one AS');
  // What VPP holds changes the digest; a bucket count VPP disagrees on is flagged.
  h.fake.lbState = withAsWeight(h.fake.lbState, '192.0.2.11', 100);
  const two = await h.call('GetVPPLBDigest', { frontend: 'web4' });
  t.not(two.vips[0]!.digest, all.vips[0]!.digest);
  t.equal(two.vips[0]!.buckets_match, false);
  t.equal((await h.fail('GetVPPLBDigest', { frontend: 'nope' })).code, status.NOT_FOUND);
  h.fake.vpp = { state: 'disconnected', warmupComplete: false };
  const e = await h.fail('GetVPPLBDigest', {});
  t.same([e.code, e.details], [status.UNAVAILABLE, 'VPP not connected']);
});
