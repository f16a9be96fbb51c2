// Every RPC of maglev.Maglev once against the REAL daemon (the built maglevd, probing HTTP
// backends and programming the VPP simulator), and every error code at least once: NOT_FOUND,
// INVALID_ARGUMENT, FAILED_PRECONDITION (pause of a disabled backend; sync during the warmup)
// and UNAVAILABLE (VPP integration disabled by flag; VPP gone).

import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import t from 'tap';
import type { FrontendInfo } from '../../src/api/maglev-messages.js';
import type { RpcRequest, UnaryRpc } from '../../src/api/maglev-rpc.js';
import { defaultSimVersion } from '../../src/vpp/sim/vppsim.js';
import { allVip, checkedBackends, staticAddress, startControlPlaneLab, webVip } from '../support/control-plane-lab.js';

const webKey = `${webVip.prefix} ${webVip.protocol} ${webVip.port}`;
const allKey = `${allVip.prefix} ${allVip.protocol} ${allVip.port}`;

/** Pool members of a frontend as `pool/backend weight effective state`. */
function members(f: FrontendInfo): string[] {
  return f.pools.flatMap((p) => p.backends.map((b) => `${p.name}${p.active ? '*' : ''}/${b.name} ${b.weight} ${b.effective_weight} ${b.state}`));
}

void t.test('a daemon with VPP: every RPC, NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, then VPP down → UNAVAILABLE', async (t) => {
  const lab = await startControlPlaneLab(t);
  const { rpc } = lab;
  await lab.d.waitForLog((l) => l.msg === 'vpp-connect');
  await lab.allUp();
  const want = { be1: 100, be2: 50, be3: 0 };
  await lab.until(
    () => JSON.stringify(lab.vips()[webKey]) === JSON.stringify({ [checkedBackends.be1]: want.be1, [checkedBackends.be2]: want.be2, [checkedBackends.be3]: want.be3 }),
    'the web VIP programmed with weights 100/50/0',
  );

  await t.test('list and get', async (t) => {
    t.same(await rpc.call('ListFrontends'), { frontend_names: ['all', 'web'] });
    t.same(await rpc.call('ListBackends'), { backend_names: ['be1', 'be2', 'be3', 'static1'] });
    t.same(await rpc.call('ListHealthChecks'), { names: ['web-check'] });

    const web = await rpc.call('GetFrontend', { name: 'web' });
    t.match(web, { name: 'web', address: webVip.address, protocol: 'tcp', port: 80, description: 'control-plane test', state: 'up', flush_on_down: true, src_ip_sticky: false });
    t.same(members(web), ['primary*/be1 100 100 up', 'primary*/be2 50 50 up', 'fallback/be3 100 0 up']);
    const all = await rpc.call('GetFrontend', { name: 'all' });
    t.match(all, { address: allVip.address, protocol: 'any', port: 0, state: 'up' });

    const be1 = await rpc.call('GetBackend', { name: 'be1' });
    t.match(be1, { name: 'be1', address: checkedBackends.be1, state: 'up', enabled: true, healthcheck: 'web-check', rise: 1, fall: 2, frontends: ['web'] });
    t.match(be1.last_probe, { ok: true, layer: 'L7', code: 'L7OK' });
    t.match(be1.transitions[0], { from: 'unknown', to: 'up', code: 'L7OK' });
    const st = await rpc.call('GetBackend', { name: 'static1' });
    t.match(st, { address: staticAddress, state: 'up', healthcheck: '', frontends: ['all'] });
    t.match(st.last_probe, { ok: true, code: 'L7OK', detail: 'static backend' });

    const hc = await rpc.call('GetHealthCheck', { name: 'web-check' });
    t.match(hc, { name: 'web-check', type: 'http', port: lab.backends.port, interval_ns: '200000000', fast_interval_ns: '100000000', timeout_ns: '1000000000', rise: 1, fall: 2, tcp: null });
    t.match(hc.http, { path: '/healthz', response_code_min: 200, response_code_max: 399 });
  });

  await t.test('NOT_FOUND and INVALID_ARGUMENT', async (t) => {
    const cases: Array<[UnaryRpc, RpcRequest<UnaryRpc>, status, string]> = [
      ['GetFrontend', { name: 'nope' }, status.NOT_FOUND, 'frontend "nope" not found'],
      ['GetBackend', { name: 'nope' }, status.NOT_FOUND, 'backend "nope" not found'],
      ['GetHealthCheck', { name: 'nope' }, status.NOT_FOUND, 'healthcheck "nope" not found'],
      ['PauseBackend', { name: 'nope' }, status.NOT_FOUND, 'backend "nope" not found'],
      ['EnableBackend', { name: 'nope' }, status.NOT_FOUND, 'backend "nope" not found'],
      ['SetFrontendPoolBackendWeight', { frontend: 'web', pool: 'nope', backend: 'be1', weight: 1 }, status.NOT_FOUND, ''],
      ['SetFrontendPoolBackendWeight', { frontend: 'web', pool: 'primary', backend: 'be3', weight: 1 }, status.NOT_FOUND, ''],
      ['SetFrontendPoolBackendWeight', { frontend: 'nope', pool: 'primary', backend: 'be1', weight: 1 }, status.NOT_FOUND, ''],
      ['SyncVPPLBState', { frontend_name: 'nope' }, status.NOT_FOUND, ''],
      ['GetFrontend', { name: '' }, status.INVALID_ARGUMENT, 'name must not be empty'],
      ['GetBackend', {}, status.INVALID_ARGUMENT, 'name must not be empty'],
      ['DisableBackend', { name: '' }, status.INVALID_ARGUMENT, 'name must not be empty'],
      ['SetFrontendPoolBackendWeight', { frontend: 'web', pool: 'primary', backend: 'be1', weight: 101 }, status.INVALID_ARGUMENT, 'weight 101 out of range 0..100'],
      ['SetFrontendPoolBackendWeight', { frontend: 'web', pool: 'primary', backend: 'be1', weight: -1 }, status.INVALID_ARGUMENT, 'weight -1 out of range 0..100'],
      ['SetFrontendPoolBackendWeight', { frontend: '', pool: 'primary', backend: 'be1', weight: 1 }, status.INVALID_ARGUMENT, 'frontend must not be empty'],
    ];
    for (const [method, req, code, details] of cases) {
      const e = await rpc.fail(method, req);
      t.equal(e.code, code, `${method} ${JSON.stringify(req)} → ${status[code]}`);
      if (details !== '') t.equal(e.details, details);
      else t.match(e.details, /not found/);
    }
    const w = rpc.watch({ log_level: 'verbose' });
    const end = await w.end;
    t.same([end.code, end.details], [status.INVALID_ARGUMENT, 'invalid log_level "verbose": expected debug, info, warn or error']);
    // None of the failed calls changed anything.
    t.same(members(await rpc.call('GetFrontend', { name: 'web' })), ['primary*/be1 100 100 up', 'primary*/be2 50 50 up', 'fallback/be3 100 0 up']);
  });

  await t.test('operator actions reach VPP; pause/resume of a disabled backend is FAILED_PRECONDITION', async (t) => {
    const paused = await rpc.call('PauseBackend', { name: 'be2' });
    t.match(paused, { name: 'be2', state: 'paused', enabled: true });
    t.match(paused.transitions[0], { from: 'up', to: 'paused', code: 'paused' });
    await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be2] === 0, 'be2 drained to weight 0 in VPP');
    t.match(await rpc.call('PauseBackend', { name: 'be2' }), { state: 'paused' }, 'pause of a paused backend is a no-op');
    const resumed = await rpc.call('ResumeBackend', { name: 'be2' });
    t.match(resumed, { state: 'unknown' });
    t.match(resumed.transitions[0], { from: 'paused', to: 'unknown', code: 'resumed' });

    const disabled = await rpc.call('DisableBackend', { name: 'be3' });
    t.match(disabled, { state: 'disabled', enabled: false });
    const pauseErr = await rpc.fail('PauseBackend', { name: 'be3' });
    t.equal(pauseErr.code, status.FAILED_PRECONDITION);
    t.match(pauseErr.details, /disabled/);
    t.equal((await rpc.fail('ResumeBackend', { name: 'be3' })).code, status.FAILED_PRECONDITION);
    const enabled = await rpc.call('EnableBackend', { name: 'be3' });
    t.match(enabled, { state: 'unknown', enabled: true });
    t.match(enabled.transitions[0], { from: 'disabled', to: 'unknown', code: 'enabled' });
    await lab.allUp();
    await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be2] === 50, 'be2 back at weight 50 in VPP');
  });

  await t.test('SetFrontendPoolBackendWeight programs VPP; ReloadConfig discards the override', async (t) => {
    const f = await rpc.call('SetFrontendPoolBackendWeight', { frontend: 'web', pool: 'primary', backend: 'be1', weight: 30, flush: true });
    t.same(members(f)[0], 'primary*/be1 30 30 up');
    await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be1] === 30, 'be1 at weight 30 in VPP');
    await lab.d.waitForLog((l) => l.msg === 'frontend-weight-set' && l.backend === 'be1' && l.weight === 30 && l.flush === true);

    t.same(await rpc.call('CheckConfig'), { ok: true, parse_error: '', semantic_error: '' });
    t.same(await rpc.call('ReloadConfig'), { ok: true, parse_error: '', semantic_error: '', reload_error: '' });
    t.same(members(await rpc.call('GetFrontend', { name: 'web' }))[0], 'primary*/be1 100 100 up');
    await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be1] === 100, 'be1 back at weight 100 in VPP after the reload sync');
  });

  await t.test("GetVersion: the daemon's own build", async (t) => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const v = await rpc.call('GetVersion');
    t.equal(v.version, pkg.version);
    t.match(v.commit, /^([0-9a-f]{12}|unknown)$/);
    t.match(v.build_date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  });

  await t.test('VPP RPCs', async (t) => {
    const info = await rpc.call('GetVPPInfo');
    t.match(info, { version: defaultSimVersion.version, build_date: defaultSimVersion.buildDate, build_directory: defaultSimVersion.buildDirectory, pid: 4242 });
    t.ok(BigInt(info.boottime_ns) > 0n, 'boot time from the stats segment');
    t.ok(BigInt(info.connecttime_ns) > BigInt(info.boottime_ns) - 10n ** 9n, 'connect time set');

    const state = await rpc.call('GetVPPLBState');
    t.match(state.conf, { ip4_src_address: '192.0.2.254', sticky_buckets_per_core: 65536, flow_timeout: 40 });
    t.same(
      state.vips.map((v) => `${v.prefix} ${v.protocol} ${v.port} ${v.encap}`),
      ['192.0.2.1/32 6 80 gre4', '192.0.2.2/32 255 0 gre4'],
      'VIPs in numeric order',
    );
    t.same(
      state.vips[0]?.application_servers.map((a) => `${a.address} ${a.weight} ${a.flags & 1}`),
      [`${checkedBackends.be1} 100 1`, `${checkedBackends.be2} 50 1`, `${checkedBackends.be3} 0 1`],
      'ASes in numeric order',
    );

    t.same(await rpc.call('SyncVPPLBState', {}), {});
    t.same(await rpc.call('SyncVPPLBState', { frontend_name: 'web' }), {});
    t.same(Object.keys(lab.vips()).sort(), [webKey, allKey]);

    // The first scrape runs at connect, before the VIPs exist; the next one 5 s later sees them.
    await lab.until(async () => (await rpc.call('GetVPPLBCounters')).vips.length === 2, 'a counter scrape with both VIPs', 15_000);
    const counters = await rpc.call('GetVPPLBCounters');
    t.not(counters.scraped_at_unix_ns, '0');
    t.same(
      counters.vips.map((v) => `${v.prefix} ${v.protocol} ${v.port} ${v.frontend}`),
      ['192.0.2.1/32 6 80 web', '192.0.2.2/32 255 0 all'],
    );
  });

  await t.test('VPP down: the VPP RPCs answer UNAVAILABLE, the others keep working', async (t) => {
    await lab.sim?.close();
    await lab.d.waitForLog((l) => l.msg === 'vpp-disconnect');
    for (const method of ['GetVPPInfo', 'GetVPPLBState', 'GetVPPLBCounters', 'SyncVPPLBState'] as const) {
      const e = await rpc.fail(method, {});
      t.equal(e.code, status.UNAVAILABLE, `${method} → UNAVAILABLE`);
      t.match(e.details, /not connected/);
    }
    t.same(await rpc.call('ListFrontends'), { frontend_names: ['all', 'web'] });
  });
});

void t.test('VPP integration disabled by flag: the VPP RPCs answer UNAVAILABLE', async (t) => {
  const lab = await startControlPlaneLab(t, { vpp: false });
  for (const method of ['GetVPPInfo', 'GetVPPLBState', 'GetVPPLBCounters', 'SyncVPPLBState'] as const) {
    const e = await lab.rpc.fail(method, {});
    t.same([e.code, e.details], [status.UNAVAILABLE, 'VPP integration is disabled'], method);
  }
  t.same(await lab.rpc.call('ListBackends'), { backend_names: ['be1', 'be2', 'be3', 'static1'] });
});

void t.test('during the startup warmup SyncVPPLBState is FAILED_PRECONDITION and VPP is left alone', async (t) => {
  const lab = await startControlPlaneLab(t, { warmup: ['30s', '60s'] });
  await lab.d.waitForLog((l) => l.msg === 'vpp-connect');
  await lab.d.waitForLog((l) => l.msg === 'vpp-lb-warmup-start');
  for (const req of [{}, { frontend_name: 'web' }]) {
    const e = await lab.rpc.fail('SyncVPPLBState', req);
    t.same([e.code, e.details], [status.FAILED_PRECONDITION, 'startup warmup in progress'], JSON.stringify(req));
  }
  const state = await lab.rpc.call('GetVPPLBState');
  t.same(state.vips, [], 'reads work; nothing was programmed during the warmup');
  t.same(lab.vips(), {});
});
