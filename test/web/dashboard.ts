// maglevd-frontend with two maglevds that disagree (two fake control planes behind real gRPC
// servers): the table digests read with the lb state, the per-VIP comparison on
// /view/api/consistency and as an SSE `consistency` event, the divergence logged once it
// outlasts -consistency-grace and flagged on /metrics, and agreement once the hosts match.

import t from 'tap';
import { createRealClock } from '../../src/shared/clock.js';
import { startDashboard } from '../../src/web/dashboard.js';
import { FakeControlPlane, withAsWeight } from '../support/fake-control-plane.js';
import { startHarness } from '../support/grpc-harness.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { waitFor } from '../support/wait-for.js';

t.test('two maglevds that disagree, then agree', async (t) => {
  const a = await startHarness(t);
  const b = await startHarness(t);
  // A sees nginx0-fra up and programs it; B sees it down (the fixture) and does not.
  a.fake.transition('nginx0-fra', 'up', 'L7OK');
  a.fake.lbState = withAsWeight(a.fake.lbState, '192.0.2.11', 100);
  const logger = new RecordingLogger();
  const d = await startDashboard({
    servers: [a.address, b.address],
    listen: { host: '127.0.0.1', port: 0 },
    clock: createRealClock(),
    logger,
    admin: undefined,
    consistencyGraceMs: 400,
    timing: { probeMs: 200, lbDebounceMs: 50, refreshMs: 300 },
  });
  t.teardown(() => d.stop());
  const base = `http://127.0.0.1:${d.port}`;
  const consistency = async () => ((await (await fetch(`${base}/view/api/consistency`)).json()) as { vips: Array<{ vip: string; text: string; hosts: string[]; agreeing: string[]; divergent: boolean }> }).vips;

  t.ok(await waitFor(() => d.scopes.every((s) => s.state.digest !== null), 5000), 'both digests read');
  t.ok(await waitFor(() => d.consistency.report.length === 2, 5000));
  const vips = await consistency();
  const web4 = vips.find((v) => v.vip === '198.51.100.1:80/tcp')!;
  t.same([web4.hosts, web4.agreeing], [[a.address, b.address], [a.address]]);
  t.match(web4.text, new RegExp(`^host ${b.address} differs from ${a.address} on \\d+\\.\\d % of buckets \\(nginx0-fra down on ${b.address} only\\)$`));
  t.match(vips.find((v) => v.vip === '[2001:db8::1]:*/any'), { text: '2/2 hosts agree', divergent: false });

  t.ok(await waitFor(() => logger.records.some((r) => r.msg === 'vip-divergence'), 5000), 'logged after the grace');
  const warn = logger.records.find((r) => r.msg === 'vip-divergence')!;
  t.match(warn, { level: 'warn', attrs: { vip: '198.51.100.1:80/tcp', frontends: 'web4', hosts: 2, agreeing: 1 } });
  t.equal(logger.records.filter((r) => r.msg === 'vip-divergence').length, 1, 'once');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /^maglev_frontend_vip_divergent\{vip="198\.51\.100\.1:80\/tcp"\} 1$/m);
  t.match(metrics, /^maglev_frontend_vip_divergent\{vip="\[2001:db8::1\]:\*\/any"\} 0$/m);
  t.match(metrics, /^maglev_frontend_vip_hosts\{vip="198\.51\.100\.1:80\/tcp"\} 2$/m);
  t.match(metrics, /^maglev_frontend_vip_divergent_buckets_ratio\{vip="198\.51\.100\.1:80\/tcp"\} 0\.\d+$/m);
  t.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);

  // B catches up: the next lb read (the 300 ms refresh) makes them agree.
  b.fake.transition('nginx0-fra', 'up', 'L7OK');
  b.fake.lbState = withAsWeight(b.fake.lbState, '192.0.2.11', 100);
  t.ok(await waitFor(() => logger.records.some((r) => r.msg === 'vip-agreement'), 5000), 'agreement logged');
  t.match((await consistency()).find((v) => v.vip === '198.51.100.1:80/tcp'), { text: '2/2 hosts agree', divergent: false });
  t.match(await (await fetch(`${base}/metrics`)).text(), /^maglev_frontend_vip_divergent\{vip="198\.51\.100\.1:80\/tcp"\} 0$/m);
});

t.test('an unreachable maglevd or one without VPP is left out', async (t) => {
  const a = await startHarness(t);
  const fake = new FakeControlPlane();
  fake.vpp = { state: 'disconnected', warmupComplete: false };
  const b = await startHarness(t, { fake });
  const d = await startDashboard({
    servers: [a.address, b.address, '127.0.0.1:1'],
    listen: { host: '127.0.0.1', port: 0 },
    clock: createRealClock(),
    logger: new RecordingLogger(),
    admin: undefined,
    timing: { probeMs: 200, lbDebounceMs: 50, refreshMs: 300, probeDeadlineMs: 200 },
  });
  t.teardown(() => d.stop());
  t.ok(await waitFor(() => d.consistency.report.length === 2, 5000));
  t.same(d.consistency.report.map((v) => [v.hosts, v.text]), [
    [[a.address], `only ${a.address} holds it`],
    [[a.address], `only ${a.address} holds it`],
  ]);
  t.equal(d.scopes[1]!.state.digest, null, 'no VPP: no digest');
});
