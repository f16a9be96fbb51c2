// probe-throughput: does the built maglevd check a fleet at no more CPU per check than the
// targets allow? For each check type and fleet size it starts one loopback fleet (nginx, or
// bin/maglev-fleet.js without nginx) and runs, one after another on it, the built maglevd (VPP
// off; a new connection per check, then again with reuse-connection: true for http and https,
// against nginx with keep-alive on), HAProxy (if installed; its http-check has no connection
// reuse) and a minimal C epoll checker (the floor: about the least a
// checker can spend), each alone for --duration. For each it measures the whole process's CPU
// (every thread, from /proc) per check counted at the fleet, RSS, and scheduling lateness where
// the checker reports it; then prints a table with the ratios and appends it to bench/RESULTS.md.
// It installs nothing: a missing tool drops its column with a note saying how to install it.
//
//   npm run bench:probe-throughput -- [--type http|tcp|https[,...]] [--backends 2000[,...]]
//        [--interval 1s] [--duration 60s] [--warmup 10s] [--checkers maglevd,maglevd-reuse,haproxy,floor]
//        [--fleet auto|nginx|maglev-fleet] [--results FILE | --no-results] [--detection] [--help]

import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fleetAddresses } from '../src/fleet/fleet-addresses.js';
import { formatDurationMs } from '../src/shared/duration.js';
import { compileFloor, startFloor } from './c-floor.js';
import type { CheckTarget, CheckerUnderTest } from './checker-under-test.js';
import { measureChecker, type WindowPlan } from './checker-window.js';
import { runDetectionIfAvailable } from './detection-link.js';
import { startHaproxy } from './haproxy-checker.js';
import { findExecutable, missingTool } from './host-tools.js';
import { startMaglevd } from './maglevd-checker.js';
import { startNginxFleet } from './nginx-fleet.js';
import { startNodeFleet } from './node-fleet.js';
import { firstBackend, type ProbeFleet } from './probe-fleet.js';
import { intervalFor, parseProbeThroughputArgs, usage, type CheckerName, type FleetChoice, type ProbeThroughputOptions, type ProbeType } from './probe-throughput-options.js';
import { formatRun, type MachineInfo, type ReportRow, type RunReport } from './probe-throughput-report.js';
import { stopLiveParts } from './soak-process.js';
import { countSyns } from './syn-counter.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const log = (text: string): void => console.log(`probe-throughput: ${text}`);

const labels: Record<CheckerName, string> = { maglevd: 'maglevd (dist/)', 'maglevd-reuse': 'maglevd reuse-connection', haproxy: 'HAProxy', floor: 'C floor (epoll, 1 thread)' };

async function startFleet(choice: FleetChoice, type: ProbeType, backends: number, dir: string): Promise<ProbeFleet> {
  const nginx = findExecutable('nginx');
  if (nginx !== undefined && choice !== 'maglev-fleet') return startNginxFleet(nginx, dir, type);
  if (choice === 'nginx') throw new Error(missingTool('nginx'));
  if (choice === 'auto') log(`${missingTool('nginx')}: the fleet is bin/maglev-fleet.js`);
  return startNodeFleet(type, backends);
}

/** How to start one checker for this run, or why it cannot run here. */
function starterFor(kind: CheckerName, target: CheckTarget): (() => Promise<CheckerUnderTest>) | string {
  switch (kind) {
    case 'maglevd':
      return () => startMaglevd(target);
    case 'maglevd-reuse':
      if (target.type === 'tcp') return 'not run: reuse-connection applies to http and https checks';
      return () => startMaglevd({ ...target, reuseConnection: true });
    case 'haproxy': {
      const haproxy = findExecutable('haproxy');
      return haproxy === undefined ? `not run: ${missingTool('haproxy')}` : () => startHaproxy(haproxy, target);
    }
    case 'floor': {
      const built = compileFloor(target.dir, target.type === 'https');
      return built.ok ? () => startFloor(built.path, target) : `not run: ${built.error}`;
    }
  }
}

async function runOne(o: ProbeThroughputOptions, type: ProbeType, backends: number, machine: MachineInfo, benchDir: string): Promise<RunReport> {
  const intervalMs = intervalFor(o, backends);
  const dir = join(benchDir, `${type}-${backends}`);
  mkdirSync(dir);
  const startedAt = new Date();
  const loadStart = loadavg()[0] ?? 0;
  const plan: WindowPlan = { type, backends, intervalMs, warmupMs: o.warmupMs, durationMs: o.durationMs, settleMs: 1000 };
  const expectedPerS = (backends * 1000) / intervalMs;
  const rows: ReportRow[] = [];
  let fleet: ProbeFleet | undefined;
  try {
    fleet = await startFleet(o.fleet, type, backends, join(dir, 'fleet'));
    if (type === 'tcp') {
      // HAProxy's plain TCP check is half-open and never reaches accept(): count SYNs instead.
      const counted = await countSyns(fleet, dir);
      if ('fleet' in counted) fleet = counted.fleet;
      else log(`tcp checks counted as accepted connections (HAProxy's half-open checks are then invisible): ${counted.error}`);
    }
    const addresses = fleetAddresses(backends, firstBackend);
    for (const kind of o.checkers) {
      const target: CheckTarget = { type, addresses, port: fleet.port, intervalMs, timeoutMs: o.timeoutMs, dir: join(dir, kind) };
      mkdirSync(target.dir);
      const start = starterFor(kind, target);
      if (typeof start === 'string') {
        log(`${kind}: ${start}`);
        rows.push({ kind, checker: labels[kind], expectedPerS, notes: [start] });
        continue;
      }
      log(`${type}, ${backends} backends every ${formatDurationMs(intervalMs)}: ${kind} for ${formatDurationMs(o.durationMs)}`);
      let checker: CheckerUnderTest | undefined;
      try {
        checker = await start();
        rows.push({ kind, ...(await measureChecker(checker, fleet, plan)) });
      } catch (e) {
        log(`${kind} failed: ${errorText(e)}`);
        rows.push({ kind, checker: checker?.label ?? labels[kind], expectedPerS, notes: [`failed: ${errorText(e).split('\n')[0] ?? ''}`] });
      } finally {
        await checker?.stop();
      }
      await sleep(2000); // the fleet goes quiet before the next checker
    }
  } finally {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { type, backends, intervalMs, timeoutMs: o.timeoutMs, durationMs: o.durationMs, warmupMs: o.warmupMs, fleet: fleet.label, startedAt, loadStart, loadEnd: loadavg()[0] ?? 0, machine, rows };
}

export async function main(argv: readonly string[]): Promise<number> {
  let o: ProbeThroughputOptions;
  try {
    o = parseProbeThroughputArgs(argv);
  } catch (e) {
    console.error(`probe-throughput: ${errorText(e)}\n${usage}`);
    return 2;
  }
  if (o.help) {
    console.log(usage);
    return 0;
  }
  const backends = o.sizes[0] ?? 0;
  if (o.detection) {
    const [type = 'http'] = o.types;
    return runDetectionIfAvailable({ type, backends, intervalMs: intervalFor(o, backends), timeoutMs: o.timeoutMs, durationMs: o.durationMs, warmupMs: o.warmupMs, resultsFile: o.resultsFile });
  }
  if (!existsSync(new URL('../dist/daemon/maglevd.js', import.meta.url))) {
    console.error('probe-throughput: dist/ is missing; run `npm run build` first (npm run bench:probe-throughput does)');
    return 2;
  }
  const benchDir = mkdtempSync(join(tmpdir(), 'maglev-probe-bench-'));
  const interrupt = (): void => {
    void stopLiveParts().then(() => {
      rmSync(benchDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const machine: MachineInfo = { node: process.version, cpuModel: cpus()[0]?.model ?? '?', cores: cpus().length, kernel: release() };
  let failed = false;
  try {
    for (const type of o.types) {
      for (const size of o.sizes) {
        const report = await runOne(o, type, size, machine, benchDir);
        const section = formatRun(report);
        console.log(`\n${section}`);
        failed ||= report.rows.some((r) => r.notes.some((n) => n.startsWith('failed')));
        if (o.resultsFile !== undefined) appendFileSync(o.resultsFile, `\n${section}`);
      }
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    rmSync(benchDir, { recursive: true, force: true });
  }
  if (o.resultsFile !== undefined) log(`appended to ${o.resultsFile}`);
  return failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
