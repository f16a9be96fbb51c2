// The C floor checker (bench/c-floor-checker.c) as a checker under test: compiled at bench time
// (with -DFLOOR_TLS -lssl -lcrypto for https), started on the same targets, and read through its
// SIGUSR1 report lines: its own check counts and its scheduling lateness.

import type { CheckTarget, CheckerUnderTest, OwnFigures } from './checker-under-test.js';
import { compileBenchC, startReporting, type Compiled } from './c-program.js';

export interface FloorReport {
  readonly checks: number;
  readonly ok: number;
  readonly fail: number;
  /** Checks not started because the previous one of that target was still running. */
  readonly skipped: number;
  /** p99 lateness since the previous report, µs; undefined when nothing was due. */
  readonly lateP99Us: number | undefined;
}

/** One report line: "checks=1 ok=1 fail=0 skipped=0 late_p99_us=10". Pure. */
export function parseFloorReport(line: string): FloorReport | undefined {
  const m = /^checks=(\d+) ok=(\d+) fail=(\d+) skipped=(\d+) late_p99_us=(-?\d+)$/.exec(line.trim());
  if (m === null) return undefined;
  const late = Number(m[5]);
  return { checks: Number(m[1]), ok: Number(m[2]), fail: Number(m[3]), skipped: Number(m[4]), lateP99Us: late < 0 ? undefined : late };
}

export function compileFloor(dir: string, tls: boolean): Compiled {
  return tls
    ? compileBenchC('c-floor-checker', dir, { out: 'c-floor-checker-tls', flags: ['-DFLOOR_TLS'], libs: ['-lssl', '-lcrypto'], hint: 'TLS needs the OpenSSL headers: apt-get install libssl-dev' })
    : compileBenchC('c-floor-checker', dir);
}

export async function startFloor(binary: string, t: CheckTarget): Promise<CheckerUnderTest> {
  const args = [t.type, String(t.addresses.length), t.addresses[0] ?? '', String(t.port), String(t.intervalMs), String(t.timeoutMs)];
  const program = await startReporting('c-floor-checker', binary, args, parseFloorReport);
  const marks: FloorReport[] = [];
  return {
    label: t.type === 'tcp' ? 'C floor (epoll, 1 thread, half-open)' : 'C floor (epoll, 1 thread)',
    pid: program.part.pid,
    hasExited: () => program.part.hasExited(),
    tail: () => program.part.tail(),
    mark: async () => void marks.push(await program.report()),
    own(): OwnFigures {
      const [a, b] = marks;
      if (a === undefined || b === undefined) return { notes: [] };
      const skipped = b.skipped - a.skipped;
      return {
        checks: b.checks - a.checks,
        failed: b.fail - a.fail,
        ...(b.lateP99Us === undefined ? {} : { latenessP99Ms: b.lateP99Us / 1000 }),
        notes: skipped > 0 ? [`${skipped} checks skipped (previous still running)`] : [],
      };
    },
    stop: async () => void (await program.part.stop()),
  };
}
