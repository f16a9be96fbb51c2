// /proc parsing for the benches: CPU ticks of the whole thread group (fields 14 + 15, after a
// command name that may hold spaces and parentheses), the parent pid, and status fields.

import t from 'tap';
import { parseCpuTicks, parseCpuTimes, parseParentPid, parseStatusField } from '../../bench/process-sampler.js';

// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
const stat = (comm: string, ppid: number, utime: number, stime: number): string => `4242 (${comm}) S ${ppid} 4242 4242 0 -1 4194560 1200 0 0 0 ${utime} ${stime} 0 0 20 0 13 0 100 1000000 5000`;

t.test('CPU ticks and parent pid', async (t) => {
  const cases = [
    { name: 'plain name', in: stat('node', 1, 150, 25), want: { ticks: 175, ppid: 1 } },
    { name: 'name with spaces and ") "', in: stat('a) b (c', 77, 3, 4), want: { ticks: 7, ppid: 77 } },
    { name: 'zero', in: stat('haproxy', 9, 0, 0), want: { ticks: 0, ppid: 9 } },
  ];
  for (const c of cases) t.same({ ticks: parseCpuTicks(c.in), ppid: parseParentPid(c.in) }, c.want, c.name);
  t.same(parseCpuTimes(stat('nginx', 1, 150, 25)), { user: 150, system: 25 }, 'user and system apart');
  t.throws(() => parseCpuTicks('not a stat line'), /not a \/proc\/<pid>\/stat line/);
});

t.test('status fields', async (t) => {
  const status = 'Name:\tnode\nThreads:\t13\nVmRSS:\t  123456 kB\nVmHWM:\t 200000 kB\n';
  const cases = [
    { name: 'kB value in bytes', in: 'VmRSS', want: 123456 * 1024 },
    { name: 'plain count', in: 'Threads', want: 13 },
    { name: 'absent', in: 'VmSwap', want: NaN },
  ];
  for (const c of cases) t.same(parseStatusField(status, c.in), c.want, c.name);
});

t.test('the real /proc/self', async (t) => {
  const { cpuTicks, rssBytes } = await import('../../bench/process-sampler.js');
  t.ok(cpuTicks(process.pid) >= 0);
  t.ok(rssBytes(process.pid) > 1e6, 'RSS of a node process is over 1 MB');
});
