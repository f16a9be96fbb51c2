// Signals against the REAL daemon: SIGHUP with a good config applies it
// (`config-reload` with counts, the new backend probed and programmed), SIGHUP with a structurally
// or semantically bad config keeps the running one (`config-reload-error` with parse_error or
// semantic_error); SIGTERM ends WatchEvents streams with UNAVAILABLE, exits 0 and leaves the VPP
// state as it is (the simulator still holds the VIPs and weights after maglevd is gone).

import { status } from '@grpc/grpc-js';
import t from 'tap';
import { checkedBackends, startControlPlaneLab, webVip } from '../support/control-plane-lab.js';

const webKey = `${webVip.prefix} ${webVip.protocol} ${webVip.port}`;

void t.test('SIGHUP: a good config is applied, a bad one keeps the running config', async (t) => {
  const lab = await startControlPlaneLab(t);
  const { rpc, d } = lab;
  await lab.allUp();
  await lab.until(() => Object.keys(lab.vips()[webKey] ?? {}).length === 3, 'the web VIP programmed');

  d.writeConfig(lab.config({ withBe4: true }));
  d.child.kill('SIGHUP');
  const reload = await d.waitForLog((l) => l.msg === 'config-reload');
  t.match(reload, { level: 'INFO', started: 1, stopped: 0, restarted: 0 });
  await d.waitForLog((l) => l.msg === 'backend-start' && l.backend === 'be4');
  t.same(await rpc.call('ListBackends'), { backend_names: ['be1', 'be2', 'be3', 'be4', 'static1'] });
  await lab.allUp(['be4']);
  await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be4] === 0, 'be4 programmed as a standby AS (weight 0)');
  const applied = await rpc.call('GetFrontend', { name: 'web' });

  // Structural error: an unknown key (and be4 gone, which must not be applied either).
  d.writeConfig(lab.config({ extra: '  bogus: 1\n' }));
  d.child.kill('SIGHUP');
  const parse = await d.waitForLog((l) => l.msg === 'config-reload-error' && 'parse_error' in l);
  t.equal(parse.level, 'ERROR');
  t.match(parse.parse_error, /^maglev\.bogus \(\d+:\d+\): unknown key "bogus"/);
  t.notOk('semantic_error' in parse, 'a parse error is not also reported as semantic');

  // Semantic error: a backend naming a health check that does not exist.
  d.writeConfig(lab.config({ be3Line: `be3: { address: ${checkedBackends.be3}, healthcheck: no-such-check }` }));
  d.child.kill('SIGHUP');
  const semantic = await d.waitForLog((l) => l.msg === 'config-reload-error' && 'semantic_error' in l);
  t.match(semantic.semantic_error, /maglev\.backends\.be3\.healthcheck \(\d+:\d+\): .*no-such-check/);
  t.notOk('parse_error' in semantic);

  t.same(await rpc.call('ListBackends'), { backend_names: ['be1', 'be2', 'be3', 'be4', 'static1'] }, 'be4 kept: the running config is unchanged');
  const kept = await rpc.call('GetFrontend', { name: 'web' });
  t.same(
    kept.pools.map((p) => [p.name, p.backends.map((b) => `${b.name}/${b.weight}`)]),
    applied.pools.map((p) => [p.name, p.backends.map((b) => `${b.name}/${b.weight}`)]),
  );
  t.equal(d.logs.filter((l) => l.msg === 'config-reload').length, 1, 'only the good config was applied');
  t.equal(d.logs.filter((l) => l.msg === 'backend-stop').length, 0, 'no backend was stopped');
  t.equal(d.child.exitCode, null, 'still running');
});

void t.test('SIGTERM: streams end with UNAVAILABLE, exit 0, VPP state left as it is', async (t) => {
  const lab = await startControlPlaneLab(t);
  const { rpc, d } = lab;
  await lab.allUp();
  // Every backend up in maglevd does not mean every weight has reached VPP yet: wait for all of them.
  await lab.until(() => {
    const web = lab.vips()[webKey];
    return web?.[checkedBackends.be1] === 100 && web[checkedBackends.be2] === 50 && web[checkedBackends.be3] === 0;
  }, 'the web VIP programmed');
  const before = lab.vips();
  t.equal(Object.keys(before).length, 2);

  const all = rpc.watch({});
  const backendsOnly = rpc.watch({ log: false, frontend: false });
  await all.next((ev) => ev.frontend?.frontend_name === 'web');
  await backendsOnly.next((ev) => ev.backend?.backend_name === 'static1');

  t.equal(await d.stop('SIGTERM'), 0, 'exit 0');
  for (const w of [all, backendsOnly]) {
    const end = await w.end;
    t.same([end.code, end.details], [status.UNAVAILABLE, 'server shutting down']);
  }
  t.match(
    d.logs.find((l) => l.msg === 'shutdown'),
    { signal: 'SIGTERM' },
  );
  t.same(lab.vips(), before, 'the simulator still holds every VIP and AS weight');
  t.notOk(
    d.logs.some((l) => /^vpp-lb-(vip-del|as-del|as-weight)$/.test(l.msg) && Date.parse(String(l.time)) >= Date.parse(String(d.logs.find((x) => x.msg === 'shutdown')?.time))),
    'no VPP write was logged after the shutdown began',
  );
});
