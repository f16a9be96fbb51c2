// Claim under test: the checker + Piscina probe dispatcher sustain N backends at a 1 s interval
// (default 10 000 HTTP checks/s) on time, at no more than half of HAProxy's CPU per check.
// The fleet (src/fleet/) runs in a child process so only the prober's CPU is counted; then, if
// haproxy is installed, the same fleet is checked by HAProxy (one server per backend, `check
// inter`) and its CPU per check measured from /proc. Appends a section to bench/RESULTS.md.
//
//   node --import tsx bench/probe-throughput.ts [--backends 10000] [--interval-ms 1000]
//        [--duration 60] [--warmup 5] [--threads 2] [--type http|https|tcp|icmp] [--no-haproxy]
//   (env BENCH_BACKENDS, BENCH_DURATION, ... work too)

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Checker } from '../src/checker/checker.js';
import { createProbeDispatcher } from '../src/checker/probe-dispatcher.js';
import type { ProbeExecutor } from '../src/checker/probe-executor.js';
import { createRealClock, type Clock } from '../src/shared/clock.js';
import type { Backend, Config, Frontend, HealthCheck, HealthCheckType } from '../src/shared/config.js';
import { createSilentLogger } from '../src/shared/log.js';

const { values: flags } = parseArgs({
  options: {
    backends: { type: 'string' },
    'interval-ms': { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    threads: { type: 'string' },
    type: { type: 'string' },
    'no-haproxy': { type: 'boolean' },
    scheduler: { type: 'string' },
    results: { type: 'string' },
  },
});
const num = (flag: string | undefined, env: string, dflt: number): number => Number(flag ?? process.env[env] ?? dflt);
const backends = num(flags.backends, 'BENCH_BACKENDS', 10_000);
const intervalMs = num(flags['interval-ms'], 'BENCH_INTERVAL_MS', 1000);
const durationS = num(flags.duration, 'BENCH_DURATION', 60);
const warmupS = num(flags.warmup, 'BENCH_WARMUP', 5);
const threads = num(flags.threads, 'BENCH_THREADS', 2);
const type = (flags.type ?? process.env['BENCH_TYPE'] ?? 'http') as HealthCheckType;
const withHaproxy = flags['no-haproxy'] !== true && process.env['BENCH_HAPROXY'] !== '0' && existsSync('/usr/sbin/haproxy');
/** checker: the real Checker; simple: a fixed-interval loop per backend (dispatcher + probers only). */
const scheduler = flags.scheduler ?? process.env['BENCH_SCHEDULER'] ?? 'checker';
const resultsFile = flags.results ?? new URL('./RESULTS.md', import.meta.url).pathname;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

// ---- the fleet, in its own process --------------------------------------------------------

interface FleetProc {
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly httpsPort: number | undefined;
  readonly controlPort: number;
  readonly first: string;
}

async function startFleetProcess(): Promise<FleetProc> {
  const entry = new URL('../src/fleet/fleet-main.ts', import.meta.url).href;
  const args = ['--count', String(backends), '--first', '127.1.0.1', '--http-port', '0', '--control-port', '0', ...(type === 'https' ? ['--https-port', '0'] : [])];
  // Every probe closed with an RST raises ECONNRESET on its fleet socket: at thousands per
  // second, stack traces nobody reads are the fleet's biggest cost.
  const code = `Error.stackTraceLimit = 0; const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(${JSON.stringify(args)});`;
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
    });
    child.once('exit', (c) => reject(new Error(`fleet exited with ${c}`)));
  });
  const ready = JSON.parse(line) as { httpPort: number; httpsPort?: number; controlPort: number; first: string };
  return { child, httpPort: ready.httpPort, httpsPort: ready.httpsPort, controlPort: ready.controlPort, first: ready.first };
}

async function fleetConnections(f: FleetProc): Promise<number> {
  const counts = (await (await fetch(`http://127.0.0.1:${f.controlPort}/counts`)).json()) as Record<string, number>;
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function addressOf(i: number): string {
  const n = (127 << 24) + (1 << 16) + 1 + i;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

// ---- our prober: the real checker on the dispatcher -----------------------------------------

function benchConfig(port: number): Config {
  const check: HealthCheck = {
    name: 'bench',
    type,
    port: type === 'icmp' ? 0 : port,
    intervalMs,
    fastIntervalMs: intervalMs,
    downIntervalMs: intervalMs,
    timeoutMs: 1000,
    rise: 2,
    fall: 3,
    probeIpv4Src: undefined,
    probeIpv6Src: undefined,
    http: type === 'http' || type === 'https' ? { path: '/', host: undefined, responseCodeMin: 200, responseCodeMax: 399, responseRegexp: undefined, serverName: undefined, insecureSkipVerify: true } : undefined,
    tcp: type === 'tcp' ? { ssl: false, serverName: undefined, insecureSkipVerify: false } : undefined,
  };
  const bes = new Map<string, Backend>();
  const fes = new Map<string, Frontend>();
  for (let i = 0; i < backends; i++) {
    const name = `be${String(i).padStart(5, '0')}`;
    bes.set(name, { name, address: addressOf(i), family: 4, healthcheck: 'bench', enabled: true });
  }
  const names = [...bes.keys()];
  for (let f = 0; f * 100 < names.length; f++) {
    const name = `fe${f}`;
    const members = names.slice(f * 100, f * 100 + 100).map((backend) => ({ backend, weight: 100 }));
    fes.set(name, { name, address: `198.18.${f >> 8}.${f & 255}`, family: 4, protocol: 'tcp', port: 80, description: '', srcIpSticky: false, flushOnDown: false, pools: [{ name: 'p', members }] });
  }
  return {
    healthchecker: { transitionHistory: 5, netns: '' },
    vpp: { lb: { syncIntervalMs: 30_000, ipv4SrcAddress: '192.0.2.1', ipv6SrcAddress: undefined, stickyBucketsPerCore: 65536, flowTimeoutS: 40, startupMinDelayMs: 0, startupMaxDelayMs: 0 } },
    healthchecks: new Map([['bench', check]]),
    backends: bes,
    frontends: fes,
  };
}

/** A real clock that records how late each timer fired (the checker's scheduling lateness). */
function lateClock(lateness: number[]): Clock {
  const real = createRealClock();
  return {
    now: () => real.now(),
    clearTimeout: (h) => real.clearTimeout(h),
    setTimeout(fn, ms) {
      const due = performance.now() + Math.max(0, ms);
      return real.setTimeout(() => {
        lateness.push(performance.now() - due);
        fn();
      }, ms);
    },
  };
}

function startChecker(config: Config, clock: Clock, executor: ProbeExecutor): () => void {
  const checker = new Checker({ config, clock, logger: createSilentLogger(), executor });
  checker.start();
  return () => checker.stop();
}

/** Fixed-interval probe loops, staggered over one interval: probe, then wait the interval. */
function startSimpleLoops(config: Config, clock: Clock, executor: ProbeExecutor): () => void {
  let running = true;
  const check = config.healthchecks.get('bench');
  if (check === undefined) throw new Error('no bench check');
  const all = [...config.backends.values()];
  const loops = all.map((b, i) => {
    const target = { backend: b.name, address: b.address, check };
    return (): void => {
      if (running) executor.start(i, target);
    };
  });
  executor.setSink({ onProbeResult: (key) => clock.setTimeout(loops[key] ?? (() => {}), intervalMs) });
  loops.forEach((loop, i) => clock.setTimeout(loop, (intervalMs * i) / all.length));
  return () => (running = false);
}

interface Window {
  probes: number;
  codes: Map<string, number>;
  dispatchMs: number[];
  lateness: number[];
}

async function benchOurs(fleet: FleetProc): Promise<Record<string, number | string>> {
  const dispatcher = await createProbeDispatcher({ threads });
  await dispatcher.whenReady();
  const w: Window = { probes: 0, codes: new Map(), dispatchMs: [], lateness: [] };
  const sent = new Map<number, number>();
  const executor: ProbeExecutor = {
    setSink(sink) {
      dispatcher.setSink({
        onProbeResult(key, o) {
          w.probes++;
          w.codes.set(o.code, (w.codes.get(o.code) ?? 0) + 1);
          w.dispatchMs.push(o.at - (sent.get(key) ?? o.at));
          sink.onProbeResult(key, o);
        },
      });
    },
    start(key, target) {
      sent.set(key, Date.now());
      dispatcher.start(key, target);
    },
    cancel: (key) => dispatcher.cancel(key),
    close: () => dispatcher.close(),
  };
  const port = type === 'https' ? (fleet.httpsPort ?? 0) : fleet.httpPort;
  const config = benchConfig(port);
  const clock = lateClock(w.lateness);
  const stop = scheduler === 'simple' ? startSimpleLoops(config, clock, executor) : startChecker(config, clock, executor);
  await sleep(warmupS * 1000);
  w.probes = 0;
  w.codes.clear();
  w.dispatchMs.length = 0;
  w.lateness.length = 0;
  const fleet0 = await fleetConnections(fleet);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rssMax = 0;
  for (let s = 0; s < durationS; s++) {
    await sleep(1000);
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  const fleetSeen = (await fleetConnections(fleet)) - fleet0;
  stop();
  await dispatcher.close();
  const cpuUs = cpu.user + cpu.system;
  return {
    'probes/s': Math.round(w.probes / elapsed),
    'expected/s': Math.round((backends * 1000) / intervalMs),
    'fleet connections/s': Math.round(fleetSeen / elapsed),
    codes: [...w.codes].map(([c, n]) => `${c}:${n}`).join(' '),
    'timer lateness p50 ms': +pct(w.lateness, 50).toFixed(2),
    'timer lateness p99 ms': +pct(w.lateness, 99).toFixed(2),
    'dispatch delay p50 ms': pct(w.dispatchMs, 50),
    'dispatch delay p99 ms': pct(w.dispatchMs, 99),
    'client CPU µs/probe': +(cpuUs / w.probes).toFixed(1),
    'client CPU % of one core': +((cpuUs / 1e6 / elapsed) * 100).toFixed(1),
    'RSS max MB': Math.round(rssMax / 1e6),
  };
}

// ---- HAProxy on the same fleet --------------------------------------------------------------

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
}

async function benchHaproxy(fleet: FleetProc): Promise<Record<string, number | string>> {
  const port = type === 'https' ? (fleet.httpsPort ?? 0) : fleet.httpPort;
  const check =
    type === 'icmp' || type === 'tcp'
      ? '' // haproxy has no ICMP check; tcp is a plain connect check
      : `  option httpchk\n  http-check send meth GET uri / ver HTTP/1.1 hdr Host bench\n`;
  const servers = Array.from({ length: backends }, (_, i) => `  server s${i} ${addressOf(i)}:${port} check${type === 'https' ? ' check-ssl verify none' : ''}`).join('\n');
  const path = join(tmpdir(), `maglev-bench-haproxy-${process.pid}.cfg`);
  const cfg =
    `global\n  maxconn 4000\n  ulimit-n 19000\n  nbthread 2\n\n` +
    `defaults\n  mode http\n  timeout connect 1s\n  timeout check 1s\n  timeout client 5s\n  timeout server 5s\n\n` +
    `frontend f\n  bind unix@${path}.sock\n  default_backend b\n\n` +
    `backend b\n${check}  default-server inter ${intervalMs} fastinter ${intervalMs} downinter ${intervalMs} rise 2 fall 3\n${servers}\n`;
  writeFileSync(path, cfg);
  const child = spawn('/usr/sbin/haproxy', ['-f', path, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await sleep(warmupS * 1000);
    if (child.exitCode !== null || child.pid === undefined) throw new Error(`haproxy exited: ${stderr.slice(0, 500)}`);
    const hz = 100; // USER_HZ on Linux
    const fleet0 = await fleetConnections(fleet);
    const ticks0 = cpuTicks(child.pid);
    const t0 = performance.now();
    await sleep(durationS * 1000);
    const ticks = cpuTicks(child.pid) - ticks0;
    const elapsed = (performance.now() - t0) / 1000;
    const checks = (await fleetConnections(fleet)) - fleet0;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    return {
      'checks/s': Math.round(checks / elapsed),
      'CPU µs/check': +(((ticks / hz) * 1e6) / checks).toFixed(1),
      'CPU % of one core': +((ticks / hz / elapsed) * 100).toFixed(1),
      'RSS MB': Math.round(rss / 1e6),
    };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(path, { force: true });
    rmSync(`${path}.sock`, { force: true });
  }
}

// ---- run ------------------------------------------------------------------------------------

function table(title: string, row: Record<string, number | string>): string {
  return `${title}\n\n| metric | value |\n|---|---|\n${Object.entries(row).map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n`;
}

const fleet = await startFleetProcess();
try {
  const ours = await benchOurs(fleet);
  console.log(ours);
  const theirs = withHaproxy ? await benchHaproxy(fleet) : undefined;
  if (theirs !== undefined) console.log(theirs);
  const ratio = theirs === undefined ? undefined : Number(ours['client CPU µs/probe']) / Number(theirs['CPU µs/check']);
  const section =
    `\n## probe-throughput: ${type}, ${backends} backends every ${intervalMs} ms, ${durationS} s (${new Date().toISOString()})\n\n` +
    `Node ${process.version}, ${threads} probe worker threads, ${scheduler === 'simple' ? 'a fixed-interval loop per backend' : 'the checker'} + dispatcher in one process; the fleet in another. Machine load average at start: ${loadavg()[0]?.toFixed(1)}.\n\n` +
    table(`maglev (${scheduler === 'simple' ? 'simple scheduler' : 'checker'} + Piscina dispatcher)`, ours) +
    (theirs === undefined ? '\nHAProxy: not run.\n' : `\n${table(`HAProxy ${type} checks (same fleet, nbthread 2)`, theirs)}\nCPU per check, maglev / HAProxy: ${ratio?.toFixed(2)}\n`);
  appendFileSync(resultsFile, section);
  console.log(section);
} finally {
  fleet.child.kill('SIGTERM');
}
