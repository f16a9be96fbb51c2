// The probe worker entry through the dispatcher, inside a network namespace the test builds
// (root only): the worker enters the namespace before making sockets, so probes see its
// routes: a silent neighbour gives L4TOUT, a router's unreachable route gives L4CON (an ICMP
// destination-unreachable for echoes, EHOSTUNREACH for TCP), and the host's loopback fleet is
// out of sight.

import t from 'tap';
import { startFleet } from '../../src/fleet/fleet.js';
import { createProbeDispatcher } from '../../src/checker/probe-dispatcher.js';
import type { HealthCheck } from '../../src/shared/config.js';
import type { ProbeCode } from '../../src/shared/health.js';
import { healthCheck } from '../support/health-check.js';
import { ProbeClient } from '../support/probe-client.js';
import { lab, startNetnsLab } from '../support/netns-lab.js';

const built = startNetnsLab();
const skip = typeof built === 'string' ? built : false;

t.test('probes run inside the namespace', { skip }, async (t) => {
  if (typeof built === 'string') return;
  const fleet = await startFleet({ httpPort: 0, backends: ['127.0.0.1'] });
  const d = await createProbeDispatcher({ threads: 1, netns: built.a });
  t.teardown(async () => {
    await d.close();
    await fleet.close();
    built.close();
  });
  const [status] = await d.whenReady();
  const client = new ProbeClient(d);
  t.equal(status?.netnsError, undefined, 'namespace entered');

  // Short deadlines where a timeout is the expected answer, generous ones elsewhere (busy CI).
  const icmp = healthCheck('icmp', 0, { timeoutMs: 300 });
  const tcp = healthCheck('tcp', 80, { timeoutMs: 300 });
  const icmpSlow = healthCheck('icmp', 0, { timeoutMs: 3000 });
  const tcpSlow = healthCheck('tcp', 80, { timeoutMs: 3000 });
  const cases: Array<{ name: string; address: string; check: HealthCheck; code: ProbeCode; detail: string | RegExp }> = [
    { name: 'echo to our own namespace address', address: lab.self4, check: icmpSlow, code: 'L4OK', detail: /^echo reply in / },
    { name: 'echo to the router', address: lab.router6, check: icmpSlow, code: 'L4OK', detail: /^echo reply in / },
    { name: 'echo nobody answers (v4)', address: lab.silent4, check: icmp, code: 'L4TOUT', detail: 'timeout after 300ms during echo' },
    { name: 'echo nobody answers (v6)', address: lab.silent6, check: icmp, code: 'L4TOUT', detail: 'timeout after 300ms during echo' },
    { name: 'echo answered by host unreachable (v4)', address: lab.unreachable4, check: icmpSlow, code: 'L4CON', detail: `host unreachable from ${lab.router4}` },
    { name: 'echo answered by unreachable (v6)', address: lab.unreachable6, check: icmpSlow, code: 'L4CON', detail: new RegExp(` from ${lab.router6}$`) },
    { name: 'tcp connect nobody answers', address: lab.silent4, check: tcp, code: 'L4TOUT', detail: 'timeout after 300ms during connect' },
    { name: 'tcp connect to an unreachable network', address: lab.unreachable4, check: tcpSlow, code: 'L4CON', detail: 'connect: EHOSTUNREACH' },
    { name: 'the host loopback fleet is not visible', address: '127.0.0.1', check: healthCheck('http', fleet.httpPort, { timeoutMs: 3000 }), code: 'L4CON', detail: 'connect: ECONNREFUSED' },
  ];
  let n = 0;
  const results = await Promise.all(
    cases.map((c) => client.probe({ backend: `lab-${n++}`, address: c.address, check: c.check })),
  );
  results.forEach((r, i) => {
    const c = cases[i];
    if (c === undefined) return;
    t.equal(r.code, c.code, `${c.name}: code (${r.detail})`);
    t.match(r.detail, c.detail, `${c.name}: detail`);
  });
  t.equal(fleet.count('127.0.0.1'), 0, 'nothing reached the host fleet');
});
