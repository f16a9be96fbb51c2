// End to end: restart neutrality under traffic (issue 7). A traffic pump sends
// new flows to every VIP of the simulator every ~20 ms while the first maglevd is stopped and a
// second one with a real warmup (min 1s, max 4s) starts: through the gap, the warmup and the
// first periodic sync, no packet is "no server configured", new flows keep landing on healthy
// ASes, no AS weight is ever 0 and the second maglevd writes nothing. The contrast: a third
// maglevd without a warmup (and slow first probes) black-holes new flows until its probes pass.

import t from 'tap';
import type { VipKey } from '../../src/shared/lb-vip.js';
import { startBackends } from '../support/e2e-backends.js';
import { describeWrite, labConfig, spawnLabDaemon, startSimLab, writeMessages, type LabConfigSpec, type SimLab } from '../support/e2e-lab.js';

const a = '127.77.5.1';
const b = '127.77.5.2';
const c = '127.77.5.3';
const vips = {
  web: { prefix: '192.0.2.40/32', protocol: 6, port: 80 },
  api: { prefix: '192.0.2.41/32', protocol: 6, port: 443 },
} as const satisfies Record<string, VipKey>;
type VipName = keyof typeof vips;
const names = Object.keys(vips) as VipName[];
const want: Record<VipName, Record<string, number>> = { web: { [a]: 100, [b]: 60 }, api: { [b]: 100, [c]: 100 } };

interface PumpTotals {
  first: number;
  next: number;
  untracked: number;
  noServer: number;
}

/** Sends new flows to every VIP every ~20 ms and notes any VIP state a new flow could be black-holed by. */
class TrafficPump {
  readonly totals: Record<VipName, PumpTotals> = {
    web: { first: 0, next: 0, untracked: 0, noServer: 0 },
    api: { first: 0, next: 0, untracked: 0, noServer: 0 },
  };
  ticks = 0;
  /** Every tick that found a VIP missing, an AS missing or an AS at weight 0 (capped). */
  readonly badStates: string[] = [];
  readonly errors: string[] = [];
  readonly #lab: SimLab;
  readonly #timer: NodeJS.Timeout;

  constructor(lab: SimLab) {
    this.#lab = lab;
    this.#timer = setInterval(() => this.tick(), 20);
  }

  tick(): void {
    this.ticks++;
    for (const name of names) {
      const w = this.#lab.weights(vips[name]);
      const healthy = Object.keys(want[name]);
      if (w === undefined || healthy.some((as) => !((w[as] ?? 0) > 0))) {
        if (this.badStates.length < 20) this.badStates.push(`tick ${this.ticks} ${name}: ${JSON.stringify(w)}`);
      }
      try {
        const r = this.#lab.sim.simulateTraffic({ vip: vips[name], newFlows: 4, packetsPerFlow: 3 });
        const s = this.totals[name];
        s.first += r.first;
        s.next += r.next;
        s.untracked += r.untracked;
        s.noServer += r.noServer;
      } catch (e) {
        if (this.errors.length < 20) this.errors.push(`tick ${this.ticks} ${name}: ${(e as Error).message}`);
      }
    }
  }

  firsts(): Record<VipName, number> {
    return { web: this.totals.web.first, api: this.totals.api.first };
  }

  noServer(): number {
    return this.totals.web.noServer + this.totals.api.noServer;
  }

  /** Polls until the pump ran `n` more ticks (so a phase surely saw traffic). */
  async runFor(n: number): Promise<void> {
    const until = this.ticks + n;
    await this.#lab.until(() => this.ticks >= until, `${n} traffic ticks`, 10_000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

t.test('new flows are never black-holed while maglevd restarts', async (t) => {
  const lab = await startSimLab(t, { stats: false });
  const servers = await startBackends(t, [a, b, c]);
  const spec = (lb: Record<string, string>, slowProbes = false): string => {
    const text = labConfig({
      checkPort: servers.port,
      lb: { 'sync-interval': '1s', ...lb },
      backends: { a, b, c },
      frontends: {
        web: { address: '192.0.2.40', protocol: 'tcp', port: 80, pools: [['p', { a: 100, b: 60 }]] },
        api: { address: '192.0.2.41', protocol: 'tcp', port: 443, pools: [['p', { b: 100, c: 100 }]] },
      },
    } satisfies LabConfigSpec);
    if (!slowProbes) return text;
    // The first probe of a backend comes at stagger + ~fast-interval: ≥ 1.35 s after start here.
    const doc = JSON.parse(text) as { maglev: { healthchecks: { http: Record<string, unknown> } } };
    Object.assign(doc.maglev.healthchecks.http, { interval: '2s', 'fast-interval': '1500ms' });
    return `${JSON.stringify(doc, null, 2)}\n`;
  };
  const converged = (): boolean => names.every((n) => lab.weightsAre(vips[n], want[n]));

  const first = await spawnLabDaemon(t, lab, spec({ 'startup-min-delay': '0s', 'startup-max-delay': '1s' }));
  await lab.until(converged, 'the first maglevd to program VPP');
  // Steady state: its first periodic full sync pushed lb_conf too (the warmup releases sync VIPs
  // only), else the second maglevd's full sync would write it and the simulator would keep its
  // default sticky table of 1024 buckets, which this traffic overflows.
  await lab.until(() => lab.requests.some((r) => r.name === 'lb_conf'), 'the first full sync to set lb_conf', 5000);

  await t.test('with a warmup: zero black-holed packets, zero writes', async (t) => {
    const pump = new TrafficPump(lab);
    t.teardown(() => pump.stop());
    await pump.runFor(5);
    t.same(pump.firsts().web > 0 && pump.firsts().api > 0, true, 'traffic flows before the restart');

    const beforeStop = lab.requests.length;
    t.equal(await first.d.stop('SIGTERM'), 0, 'the first maglevd exits cleanly');
    t.same(lab.writes(beforeStop).map(describeWrite), [], 'shutdown writes nothing');
    const atStop = pump.firsts();
    // No maglevd at all for a moment: VPP keeps forwarding on its own.
    await pump.runFor(5);
    const atStart = pump.firsts();

    const mark = lab.requests.length;
    const second = await spawnLabDaemon(t, lab, spec({ 'startup-min-delay': '1s', 'startup-max-delay': '4s' }));
    await second.log('vpp-lb-warmup-start', { 'min-delay': '1s', 'max-delay': '4s' });
    await second.log('vpp-lb-warmup-complete', {}, 8000);
    const warmupEnd = lab.requests.length;
    const atWarmupEnd = pump.firsts();
    // The first periodic full sync after the warmup (only full syncs read lb_conf), then its state read.
    await lab.until(() => lab.requests.slice(warmupEnd).some((r) => r.name === 'lb_conf_get'), 'a periodic full sync', 5000);
    await lab.until(() => lab.requests.slice(warmupEnd).some((r) => r.name === 'lb_as_v2_dump'), 'its state read', 2000);
    await pump.runFor(5);
    pump.stop();
    const atEnd = pump.firsts();

    t.same(pump.errors, [], 'every VIP stayed live for the traffic');
    t.same(pump.badStates, [], 'every healthy AS kept a weight above 0 at every tick');
    t.equal(pump.noServer(), 0, 'no packet was "no server configured"');
    t.equal(pump.totals.web.untracked + pump.totals.api.untracked, 0, 'no packet was untracked');
    for (const n of names) {
      t.ok(atStart[n] > atStop[n], `${n}: new flows placed while no maglevd ran (${atStop[n]} → ${atStart[n]})`);
      t.ok(atWarmupEnd[n] > atStart[n], `${n}: new flows placed during the warmup (${atStart[n]} → ${atWarmupEnd[n]})`);
      t.ok(atEnd[n] > atWarmupEnd[n], `${n}: new flows placed through the first periodic sync (${atWarmupEnd[n]} → ${atEnd[n]})`);
      // The simulator's own counters agree with what the pump saw (the pump is the only traffic).
      const vip = lab.sim.model.findVip(vips[n]);
      const totals = vip === undefined ? undefined : lab.sim.model.stats.totals(vip.index);
      t.same(totals, { ...pump.totals[n] }, `${n}: the simulator counted the same, noServer 0`);
      // Flows landed on the healthy ASes (sticky entries exist on each of them).
      for (const as of vip?.ases ?? []) t.ok(lab.sim.model.flows(as) > 0, `${n}: AS ${as.address} received new flows`);
    }
    const warmupWrites = lab.requests.slice(mark, warmupEnd).filter((r) => writeMessages.has(r.name));
    t.same(warmupWrites.map(describeWrite), [], 'no write during the warmup');
    t.same(lab.writes(mark).map(describeWrite), [], 'no write through the first periodic sync either');
    t.ok(converged(), 'the state is unchanged');
    t.same(second.logs('vpp-lb-sync-done'), [], 'no sync run with changes');
    console.error(`# ${pump.ticks} ticks; first-session packets web=${atEnd.web} api=${atEnd.api}; no-server 0`);
    t.equal(await second.d.stop('SIGTERM'), 0, 'the second maglevd exits cleanly');
  });

  await t.test('contrast: without a warmup, new flows are black-holed until the probes pass', async (t) => {
    t.ok(converged(), 'VPP still has the programmed state');
    const pump = new TrafficPump(lab);
    t.teardown(() => pump.stop());
    await pump.runFor(3);
    t.equal(pump.noServer(), 0, 'no black hole before the restart');
    const mark = lab.requests.length;
    const third = await spawnLabDaemon(t, lab, spec({ 'startup-min-delay': '0s', 'startup-max-delay': '0s' }, true));
    await third.log('vpp-lb-warmup-skipped');
    await lab.until(() => pump.noServer() > 0, 'a black-holed packet', 5000);
    await lab.until(converged, 'the probes to restore the weights', 10_000);
    const restored = pump.firsts();
    await pump.runFor(5);
    pump.stop();
    const zeroWrites = lab.writes(mark).map(describeWrite).filter((w) => w.includes(' w=0 '));
    t.ok(zeroWrites.length > 0, `the startup sync wrote weight 0 for unknown backends (${zeroWrites.length} writes)`);
    t.ok(pump.badStates.length > 0, 'the pump saw ASes at weight 0');
    t.ok(pump.noServer() > 0, `${pump.noServer()} packets were "no server configured"`);
    t.ok(names.every((n) => pump.firsts()[n] > restored[n]), 'flows are placed again once the backends are up');
  });
});
