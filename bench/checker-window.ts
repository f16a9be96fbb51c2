// One checker's measured run on the fleet: warm-up, its own first reading, a settle (1 s, or twice
// that reading's time), then the window: CPU ticks of the checker's whole process and the fleet's served-check count at both
// edges (nothing else talks to the fleet meanwhile), VmRSS every second, the machine's load;
// then its own second reading. CPU per check = checker CPU in the window / checks the fleet saw.

import { loadavg } from 'node:os';
import type { CheckerUnderTest } from './checker-under-test.js';
import { checksIn, type ProbeFleet } from './probe-fleet.js';
import { cpuTimes, rssBytes, userHz } from './process-sampler.js';
import type { ProbeType } from './probe-throughput-options.js';

export interface WindowPlan {
  readonly type: ProbeType;
  readonly backends: number;
  readonly intervalMs: number;
  /** From the checker being ready; the window ends at durationMs. */
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Least time between the first own reading and the window; at least twice the reading's own time (a /metrics render and its garbage). */
  readonly settleMs: number;
}

export interface CheckerRow {
  readonly checker: string;
  readonly expectedPerS: number;
  readonly checksPerS?: number;
  readonly cpuUsPerCheck?: number;
  readonly cpuPctOfCore?: number;
  readonly okPct?: number;
  readonly rssEndMb?: number;
  readonly rssMaxMb?: number;
  readonly latenessP99Ms?: number;
  readonly notes: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const mb = (bytes: number): number => bytes / 2 ** 20;
const load1 = (): string => (loadavg()[0] ?? 0).toFixed(1);

function alive(c: CheckerUnderTest): void {
  if (c.hasExited()) throw new Error(`${c.label} exited during its run:\n${c.tail().slice(-2000)}`);
}

export async function measureChecker(c: CheckerUnderTest, fleet: ProbeFleet, plan: WindowPlan): Promise<CheckerRow> {
  const startedAt = performance.now();
  const expectedPerS = (plan.backends * 1000) / plan.intervalMs;
  await sleep(plan.warmupMs);
  alive(c);
  const mark0At = performance.now();
  await c.mark();
  await sleep(Math.max(plan.settleMs, 2 * (performance.now() - mark0At)));
  alive(c);
  const endAt = startedAt + plan.durationMs;
  if (endAt - performance.now() < 3000) throw new Error(`its first reading took ${Math.round(performance.now() - mark0At)} ms: no window left; raise --duration`);

  const loadStart = load1();
  const fleet0 = checksIn(plan.type, await fleet.counts());
  const cpu0 = cpuTimes(c.pid);
  const fleetCpu0 = fleet.cpuTicks();
  const t0 = performance.now();
  let rssMax = 0;
  let rssEnd = 0;
  while (performance.now() < endAt) {
    await sleep(Math.min(1000, endAt - performance.now()));
    alive(c);
    rssEnd = rssBytes(c.pid);
    rssMax = Math.max(rssMax, rssEnd);
  }
  const cpu1 = cpuTimes(c.pid);
  const fleetCpu1 = fleet.cpuTicks();
  const fleet1 = checksIn(plan.type, await fleet.counts());
  const windowS = (performance.now() - t0) / 1000;
  const loadEnd = load1();
  const mark1At = performance.now();
  await c.mark();
  const own = c.own();

  const checks = fleet1 - fleet0;
  const systemTicks = cpu1.system - cpu0.system;
  const cpuS = (cpu1.user - cpu0.user + systemTicks) / userHz;
  const fleetPct = Math.round(((fleetCpu1 - fleetCpu0) / userHz / windowS) * 100);
  const notes = [...own.notes, `kernel ${cpuS > 0 ? Math.round((systemTicks / userHz / cpuS) * 100) : 0} % of its CPU`, `fleet ${fleetPct} % of a core`, `load ${loadStart}→${loadEnd}`];
  if (fleetPct >= 90) notes.push('the fleet is near one core: it may limit the rate');
  if (own.checks !== undefined) {
    const ownPerS = own.checks / ((mark1At - mark0At) / 1000);
    const perS = checks / windowS;
    if (Math.abs(ownPerS - perS) > perS * 0.03) notes.push(`own count ${Math.round(ownPerS)}/s`); // its window is a little wider
  }
  const judged = own.checks ?? checks;
  return {
    checker: c.label,
    expectedPerS,
    checksPerS: checks / windowS,
    ...(checks > 0 ? { cpuUsPerCheck: (cpuS * 1e6) / checks } : {}),
    cpuPctOfCore: (cpuS / windowS) * 100,
    ...(own.failed !== undefined && judged > 0 ? { okPct: 100 * (1 - own.failed / judged) } : {}),
    rssEndMb: mb(rssEnd),
    rssMaxMb: mb(rssMax),
    ...(own.latenessP99Ms === undefined ? {} : { latenessP99Ms: own.latenessP99Ms }),
    notes,
  };
}
