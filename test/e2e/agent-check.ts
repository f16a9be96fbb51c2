// End to end: the agent check. Fleet backends on loopback (HTTP health checks, and an agent per
// backend whose answer the test flips) drive the built maglevd against the VPP simulator. `drain`
// takes the backend to weight 0 without flush in one lb_as_set_weight and shows as drain in the
// API; `up` brings it back; `50%` halves its weight; a garbage answer is logged once and changes
// nothing (no flap); `100%` restores the configured weight. The other backend is never touched.

import t from 'tap';
import { startFleet } from '../../src/fleet/fleet.js';
import { describeWrite, labConfig, metricSample, spawnLabDaemon, startSimLab } from '../support/e2e-lab.js';
import { until } from '../support/wait-for.js';

const [a, b] = ['127.77.17.1', '127.77.17.2'];
const web = { prefix: '192.0.2.170/32', protocol: 6, port: 80 };
const vip = '192.0.2.170/32 6 80';

t.test('agent check: drain, up, a percentage and garbage reach VPP as they should', async (t) => {
  const lab = await startSimLab(t, { stats: false });
  const fleet = await startFleet({ httpPort: 0, agentPort: 0, backends: [a, b] });
  t.teardown(() => fleet.close());
  const config = labConfig({
    checkPort: fleet.httpPort,
    agent: { port: fleet.agentPort!, interval: '200ms', timeout: '500ms' },
    backends: { a, b },
    frontends: { web: { address: '192.0.2.170', protocol: 'tcp', port: 80, pools: [['p', { a: 100, b: 80 }]] } },
  });
  const daemon = await spawnLabDaemon(t, lab, config);
  // Generous timeouts: under load (2 shared cores) a start and each verdict can take seconds.
  await lab.until(() => lab.weightsAre(web, { [a]: 100, [b]: 80 }), 'the configured weights', 30_000);
  const started = lab.requests.length;

  /** Sets a's answer and waits for the verdict it causes; returns the writes it took. */
  const answer = async (line: string, to: string, weight: number): Promise<string[]> => {
    const mark = lab.requests.length;
    const changed = daemon.next('backend-agent', { backend: 'a', to }, 20_000);
    fleet.setAgentAnswer(a, line);
    await changed;
    await lab.until(() => lab.weights(web)?.[a] === weight, `a at ${weight} after ${JSON.stringify(line)}`, 20_000);
    return lab.writes(mark).map(describeWrite);
  };

  await t.test('drain: weight 0 without flush, one write, shown as drain', async (t) => {
    t.same(await answer('drain', 'drain', 0), [`weight ${vip} ${a} w=0 flush=false`]);
    const info = await daemon.client.getBackend({ name: 'a' });
    t.match(info.agent, { state: 'drain', weight_percent: 100, last_answer: 'drain', bad_answers: 0 });
    t.equal(info.state, 'up', 'the health state stays up');
    const fe = await daemon.client.getFrontend({ name: 'web' });
    t.match(fe.pools[0]!.backends.find((m) => m.name === 'a'), { state: 'up', agent_state: 'drain', effective_weight: 0 });
  });

  await t.test('up: back at the configured weight', async (t) => {
    t.same(await answer('up', 'up', 100), [`weight ${vip} ${a} w=100 flush=false`]);
  });

  await t.test('50%: half the configured weight', async (t) => {
    t.same(await answer('50%', 'up 50%', 50), [`weight ${vip} ${a} w=50 flush=false`]);
  });

  await t.test('garbage: logged once, ignored, no flap', async (t) => {
    const mark = lab.requests.length;
    const bad = daemon.next('backend-agent-bad-answer', { backend: 'a' }, 20_000);
    fleet.setAgentAnswer(a, 'ready to rock');
    t.match(await bad, { answer: 'ready to rock', reason: 'unknown word "ready"' });
    // Several more probes of the same garbage (interval 200 ms).
    const badCount = async (): Promise<number> => metricSample(await daemon.metrics(), 'maglev_backend_agent_bad_answers', { backend: 'a' }) ?? 0;
    await until(async () => (await badCount()) >= 3, 'three bad answers counted', 20_000, 100);
    t.same(lab.writes(mark).map(describeWrite), [], 'no write');
    t.equal(lab.weights(web)?.[a], 50, 'the verdict stays');
    t.equal(daemon.logs('backend-agent-bad-answer').length, 1, 'the same bad answer is logged once');
  });

  await t.test('100%: the configured weight again; b was never touched', async (t) => {
    t.same(await answer('100%', 'up', 100), [`weight ${vip} ${a} w=100 flush=false`]);
    const forB = lab.writes(started).map(describeWrite).filter((w) => w.includes(` ${b} `));
    t.same(forB, [], 'no write for b since both were up');
  });
});
