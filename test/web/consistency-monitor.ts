// The consistency monitor on a manual clock: a disagreement is published at once but logged and
// flagged only once it outlasts the grace (by its own timer, without new reads), agreement
// after that is logged, and the gauges follow (label sets of vanished VIPs removed).

import { Registry } from 'prom-client';
import t from 'tap';
import type { VppLbVipView } from '../../src/control/control-plane.js';
import { vppLbDigestMsg } from '../../src/control/grpc-convert.js';
import { vipDigests } from '../../src/control/vip-digests.js';
import { ConsistencyMonitor, type VipConsistency } from '../../src/web/consistency-monitor.js';
import type { HostTables } from '../../src/web/vip-agreement.js';
import { FakeControlPlane, web4Vip } from '../support/fake-control-plane.js';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingLogger } from '../support/recording-logger.js';

const fake = new FakeControlPlane();

function host(name: string, weights: Record<string, number> | undefined, state = 'up'): HostTables {
  const vips: VppLbVipView[] = weights === undefined ? [] : [web4Vip(weights)];
  const digests = vppLbDigestMsg(vipDigests({ conf: fake.lbState.conf, vips }, fake.frontends.values(), undefined, true)).vips;
  return { host: name, vips: digests, backends: new Map([['192.0.2.11', { name: 'web-2', state }]]) };
}

const both = { '192.0.2.10': 100, '192.0.2.11': 100 };
const one = { '192.0.2.10': 100, '192.0.2.11': 0 };

async function metric(registry: Registry, name: string): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values as Array<{ value: number }> | undefined)?.[0]?.value;
}

t.test('a divergence is reported after the grace, then its end', async (t) => {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const registry = new Registry();
  let hosts = [host('A', both), host('B', both)];
  const published: Array<readonly VipConsistency[]> = [];
  const m = new ConsistencyMonitor({ clock, logger, graceMs: 10_000, registry, hosts: () => hosts, publish: (v) => published.push(v) });
  t.teardown(() => m.stop());

  m.update();
  t.equal(published.length, 1, 'the first report is published');
  t.match(m.report[0], { vip: '198.51.100.1:80/tcp', text: '2/2 hosts agree', divergentSince: undefined, divergent: false });
  m.update();
  t.equal(published.length, 1, 'an unchanged report is not published again');
  t.equal(await metric(registry, 'maglev_frontend_vip_hosts'), 2);
  t.equal(await metric(registry, 'maglev_frontend_vip_agreeing_hosts'), 2);

  hosts = [host('A', both), host('B', one, 'down')];
  const start = clock.now();
  m.update();
  t.equal(published.length, 2, 'the disagreement is published at once');
  t.match(m.report[0], { divergentSince: start, divergent: false, agreeing: ['A'] });
  t.match(m.report[0]!.text, /^host B differs from A on \d+\.\d % of buckets \(web-2 down on B only\)$/);
  t.equal(await metric(registry, 'maglev_frontend_vip_divergent'), 0, 'not flagged within the grace');
  t.ok((await metric(registry, 'maglev_frontend_vip_divergent_buckets_ratio'))! > 0);
  t.same(logger.records.filter((r) => r.msg.startsWith('vip-')), [], 'nothing logged within the grace');

  clock.advance(9_999);
  t.equal(m.report[0]!.divergent, false);
  clock.advance(1);
  t.equal(m.report[0]!.divergent, true, "the monitor's own timer fires at the grace");
  t.equal(await metric(registry, 'maglev_frontend_vip_divergent'), 1);
  const warn = logger.records.filter((r) => r.msg === 'vip-divergence');
  t.equal(warn.length, 1);
  t.match(warn[0], { level: 'warn', attrs: { vip: '198.51.100.1:80/tcp', frontends: 'web4', hosts: 2, agreeing: 1, since_ms: 10_000 } });
  t.match(warn[0]!.attrs.detail, /web-2 down on B only/);
  clock.advance(60_000);
  m.update();
  t.equal(logger.records.filter((r) => r.msg === 'vip-divergence').length, 1, 'logged once per divergence');

  hosts = [host('A', both), host('B', both)];
  m.update();
  t.match(m.report[0], { divergent: false, divergentSince: undefined, text: '2/2 hosts agree' });
  t.match(logger.records.at(-1), { level: 'info', msg: 'vip-agreement', attrs: { vip: '198.51.100.1:80/tcp', diverged_ms: 70_000 } });
  t.equal(await metric(registry, 'maglev_frontend_vip_divergent'), 0);
  t.equal(clock.pending, 0, 'no timer while the hosts agree');
});

t.test('a short disagreement is never logged; a vanished VIP leaves no series', async (t) => {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const registry = new Registry();
  let hosts = [host('A', both), host('B', one)];
  const m = new ConsistencyMonitor({ clock, logger, graceMs: 5000, registry, hosts: () => hosts, publish: () => {} });
  t.teardown(() => m.stop());
  m.update();
  clock.advance(4000);
  hosts = [host('A', both), host('B', both)];
  m.update();
  clock.advance(10_000);
  t.same(logger.records.filter((r) => r.msg.startsWith('vip-')), []);

  hosts = [host('A', both), host('B', one)];
  m.update();
  clock.advance(5000);
  t.equal(logger.records.filter((r) => r.msg === 'vip-divergence').length, 1);
  hosts = [host('A', undefined), host('B', undefined)];
  m.update();
  t.same(m.report, []);
  t.match(logger.records.at(-1), { msg: 'vip-agreement', attrs: { reason: 'no host holds it any more' } });
  t.equal(await metric(registry, 'maglev_frontend_vip_hosts'), undefined, 'the label set is removed');
  m.stop();
  t.equal(clock.pending, 0);
});
