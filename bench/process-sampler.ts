// What /proc says about a process: CPU time (utime + stime of the whole thread group, so every
// thread of maglevd or HAProxy counts) and VmRSS. The parsers are pure; the readers throw once
// the process is gone.

import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
export const userHz = 100;

export interface CpuTimes {
  /** utime, clock ticks. */
  readonly user: number;
  /** stime, clock ticks (on loopback this includes much of the peer's TCP work, done inline). */
  readonly system: number;
}

/** utime and stime in clock ticks from the text of /proc/<pid>/stat (fields 14 and 15). */
export function parseCpuTimes(stat: string): CpuTimes {
  // The command name (field 2) is in parentheses and may hold spaces or ')': split after the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [user, system] = [Number(fields[11]), Number(fields[12])];
  if (!Number.isFinite(user + system)) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(stat.slice(0, 80))}`);
  return { user, system };
}

/** utime + stime in clock ticks. */
export function parseCpuTicks(stat: string): number {
  const t = parseCpuTimes(stat);
  return t.user + t.system;
}

/** The parent pid (field 4) from the text of /proc/<pid>/stat. */
export function parseParentPid(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** A `Key:   123 kB` line of /proc/<pid>/status, in bytes for kB values; NaN when absent. */
export function parseStatusField(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+)( kB)?`, 'm').exec(status);
  if (m === null) return NaN;
  return Number(m[1]) * (m[2] === undefined ? 1 : 1024);
}

export function cpuTimes(pid: number): CpuTimes {
  return parseCpuTimes(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

export function cpuTicks(pid: number): number {
  return parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** VmRSS in bytes. */
export function rssBytes(pid: number): number {
  return parseStatusField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
}

/** Pids whose parent is `pid` (e.g. nginx's workers under its master). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (parseParentPid(readFileSync(`/proc/${name}/stat`, 'utf8')) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
