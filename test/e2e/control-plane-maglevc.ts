// maglevc one-shot commands (the BUILT bin/maglevc.js, one process per command) against the REAL
// daemon programming the VPP simulator: every command's output by regex, and the exit codes
// (0 ok; 1 for NOT_FOUND, an unreachable server, or a config check/reload that is not ok; 2 for
// usage errors).

import t from 'tap';
import { checkedBackends, runMaglevc, staticAddress, startControlPlaneLab, webVip } from '../support/control-plane-lab.js';

void t.test('maglevc one-shot commands against a running maglevd', async (t) => {
  const lab = await startControlPlaneLab(t);
  const server = lab.d.grpcAddr;
  const run = (...words: string[]) => runMaglevc(server, words);
  await lab.d.waitForLog((l) => l.msg === 'vpp-connect');
  await lab.allUp();
  const webKey = `${webVip.prefix} ${webVip.protocol} ${webVip.port}`;
  await lab.until(() => Object.keys(lab.vips()[webKey] ?? {}).length === 3, 'the web VIP programmed');
  const port = lab.backends.port;

  await t.test('show commands (run side by side)', async (t) => {
    const [fes, fe, bes, be, hcs, hc, info, state, stateWeb, counters] = await Promise.all([
      run('show', 'frontends'),
      run('sh', 'fr', 'web'),
      run('show', 'backends'),
      run('show', 'backends', 'be1'),
      run('show', 'healthchecks'),
      run('show', 'healthchecks', 'web-check'),
      run('show', 'vpp', 'info'),
      run('show', 'vpp', 'lb', 'state'),
      run('show', 'vpp', 'lb', 'state', 'web'),
      run('show', 'vpp', 'lb', 'counters'),
    ]);
    for (const r of [fes, fe, bes, be, hcs, hc, info, state, stateWeb, counters]) t.equal(r.code, 0, r.stderr);

    t.match(fes.stdout, /^all\s+192\.0\.2\.2\s+any\s+0\s+up$/m);
    t.match(fes.stdout, /^web\s+192\.0\.2\.1\s+tcp\s+80\s+up$/m);

    t.match(fe.stdout, /^frontend web$/m);
    t.match(fe.stdout, /^\s+description\s+control-plane test$/m);
    t.match(fe.stdout, /^\s+state\s+up$/m);
    t.match(fe.stdout, /^\s+pool primary \(active\)\n\s+be1 weight 100 effective 100 state up\n\s+be2 weight 50 effective 50 state up\n\s+pool fallback\n\s+be3 weight 100 effective 0 state up$/m);

    t.match(bes.stdout, new RegExp(`^be1\\s+${checkedBackends.be1.replaceAll('.', '\\.')}\\s+up\\s+true\\s+web-check$`, 'm'));
    t.match(bes.stdout, new RegExp(`^static1\\s+${staticAddress.replaceAll('.', '\\.')}\\s+up\\s+true\\s+-$`, 'm'));
    t.equal(bes.stdout.trim().split('\n').length, 5, 'a header row and one row per backend');
    t.match(bes.stdout, /^name\s+address\s+state\s+enabled\s+healthcheck\n/);

    t.match(be.stdout, /^backend be1$/m);
    t.match(be.stdout, /^\s+address\s+127\.0\.10\.1$/m);
    t.match(be.stdout, /^\s+health\s+\d+ \(rise 1, fall 2\)$/m);
    t.match(be.stdout, /^\s+last-probe\s+L7OK .*ago\)$/m);
    t.match(be.stdout, /^\s+frontends\s+web$/m);
    t.match(be.stdout, /^\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+unknown -> up\s+L7OK/m);

    t.match(hcs.stdout, new RegExp(`^web-check\\s+http\\s+${port}\\s+200ms\\s+1s\\s+1\\s+2$`, 'm'));
    t.match(hc.stdout, /^healthcheck web-check$/m);
    t.match(hc.stdout, /^\s+fast-interval\s+100ms$/m);
    t.match(hc.stdout, /^\s+path\s+\/healthz$/m);

    t.match(info.stdout, /^version\s+26\.10-rc0/m);
    t.match(info.stdout, /^vpp-pid\s+4242$/m);
    t.match(info.stdout, /^vpp-boottime\s+\d{4}-.*\(up /m);
    t.match(info.stdout, /^connected\s+\d{4}-.*\(for /m);

    t.match(state.stdout, /^conf ip4-src-address 192\.0\.2\.254 ip6-src-address \S+ sticky-buckets-per-core 65536 flow-timeout 40$/m);
    t.match(state.stdout, /^vip 192\.0\.2\.1 protocol 6 port 80 encap gre4 index \d+ flow-table-length \d+ src-ip-sticky false$/m);
    t.match(state.stdout, /^vip 192\.0\.2\.2 protocol 255 port 0 encap gre4/m);
    t.match(state.stdout, /^ {2}as 127\.0\.10\.1 weight 100 buckets \d+ flags used\n {2}as 127\.0\.10\.2 weight 50 buckets \d+ flags used\n {2}as 127\.0\.10\.3 weight 0 buckets 0 flags used$/m);
    t.match(stateWeb.stdout, /^vip 192\.0\.2\.1 /m);
    t.notMatch(stateWeb.stdout, /^vip 192\.0\.2\.2 /m, 'filtered to the frontend');

    t.match(counters.stdout, /^vip\s+protocol\s+port\s+first\s+next\s+untracked\s+no-server\s+fib-packets\s+fib-bytes$/m);
  });

  await t.test('set backend pause/resume/disable/enable and set frontend weight', async (t) => {
    const pause = await run('set', 'backend', 'be2', 'pause');
    t.same([pause.code, pause.stdout], [0, 'backend be2 state paused enabled true\n']);
    const resume = await run('set', 'backend', 'be2', 'resume');
    t.equal(resume.code, 0);
    t.match(resume.stdout, /^backend be2 state (unknown|up) enabled true$/m);
    const disable = await run('set', 'backend', 'be3', 'disable');
    t.same([disable.code, disable.stdout], [0, 'backend be3 state disabled enabled false\n']);
    const refused = await run('set', 'backend', 'be3', 'pause');
    t.equal(refused.code, 1, 'FAILED_PRECONDITION → exit 1');
    t.match(refused.stderr, /disabled/);
    t.notMatch(refused.stderr, /rpc error|code =/, 'only the server message is shown');
    const enable = await run('set', 'backend', 'be3', 'enable');
    t.equal(enable.code, 0);
    t.match(enable.stdout, /^backend be3 state (unknown|up) enabled true$/m);

    const weight = await run('set', 'frontend', 'web', 'pool', 'primary', 'backend', 'be1', 'weight', '40', 'flush');
    t.equal(weight.code, 0, weight.stderr);
    t.match(weight.stdout, /^frontend web$/m);
    t.match(weight.stdout, /^\s+be1 weight 40 effective 40 state up$/m);
    await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be1] === 40, 'be1 at weight 40 in VPP');
    await lab.allUp();
    const [sync, syncWeb] = await Promise.all([run('sync', 'vpp', 'lb', 'state'), run('sync', 'vpp', 'lb', 'state', 'web')]);
    t.same([sync.code, sync.stdout], [0, 'ok\n']);
    t.same([syncWeb.code, syncWeb.stdout], [0, 'ok\n']);
  });

  await t.test('config check and config reload', async (t) => {
    const ok = await run('config', 'check');
    t.same([ok.code, ok.stdout], [0, 'config ok\n']);
    lab.d.writeConfig(lab.config({ be3Line: 'be3: { address: 127.0.10.3, healthcheck: no-such-check }' }));
    const bad = await run('config', 'check');
    t.equal(bad.code, 1);
    t.match(bad.stdout, /^semantic error:\n {2}maglev\.backends\.be3\.healthcheck \(\d+:\d+\): .*no-such-check/m);
    const badReload = await run('config', 'reload');
    t.equal(badReload.code, 1);
    t.match(badReload.stdout, /^semantic error:/m);
    lab.d.writeConfig(lab.config({ extra: '  bogus: 1\n' }));
    const parse = await run('config', 'check');
    t.equal(parse.code, 1);
    t.match(parse.stdout, /^parse error:\n {2}maglev\.bogus \(\d+:\d+\): unknown key "bogus"/m);
    lab.d.writeConfig(lab.config());
    const reload = await run('config', 'reload');
    t.same([reload.code, reload.stdout], [0, 'config reloaded\n']);
    // The reload discarded the runtime weight (YAML is the source of truth).
    t.match((await run('show', 'frontends', 'web')).stdout, /^\s+be1 weight 100 effective 100/m);
  });

  await t.test('exit codes: 1 for NOT_FOUND and an unreachable server, 2 for usage', async (t) => {
    const cases: Array<[string, string | undefined, string[], number, RegExp]> = [
      ['unknown frontend', server, ['show', 'frontends', 'nope'], 1, /^frontend "nope" not found$/m],
      ['unknown backend action', server, ['set', 'backend', 'nope', 'pause'], 1, /^backend "nope" not found$/m],
      ['unreachable server', '127.0.0.1:1', ['show', 'frontends'], 1, /ECONNREFUSED|No connection/],
      ['unknown command', server, ['show', 'frobnicate'], 2, /unknown command "frobnicate" after "show"/],
      ['incomplete command', server, ['set', 'backend'], 2, /incomplete command/],
      ['weight out of range', server, ['set', 'frontend', 'web', 'pool', 'primary', 'backend', 'be1', 'weight', '101'], 2, /101/],
      ['unknown flag', server, ['--bogus', 'show', 'frontends'], 2, /bogus/],
    ];
    const results = await Promise.all(cases.map(([, srv, words]) => runMaglevc(srv, words)));
    cases.forEach(([what, , , code, stderr], i) => {
      const r = results[i]!;
      t.equal(r.code, code, `${what}: exit ${code}`);
      t.match(r.stderr, stderr, what);
    });
  });
});
