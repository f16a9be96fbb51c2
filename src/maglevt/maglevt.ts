// The maglevt entry point: flags, the configs' frontends, then probing
// with either the terminal UI or, with -json or when stdout is not a terminal, one JSON report
// per line. Runs until -duration passes, `q`/Ctrl-C, SIGINT/SIGTERM or io.signal. Returns the
// exit code (0 clean exit, 1 runtime failure such as a bad config, 2 usage error), so
// bin/maglevt.js stays a one-liner and tests run it in-process.

import type { Readable, Writable } from 'node:stream';
import { buildInfo } from '../generated/build-info.js';
import { versionLine } from '../shared/build-version.js';
import { formatIssue, loadConfigFile } from '../config/loader.js';
import { createRealClock, type Clock } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import { hostFqdn } from './host-fqdn.js';
import { jsonReport } from './json-report.js';
import { maglevtExitCodes, maglevtUsage, parseMaglevtOptions, type MaglevtOptions } from './maglevt-options.js';
import { render, settingsSummary } from './tui-render.js';
import { TuiScreen } from './tui-screen.js';
import { anomalyTotals, VipMonitor } from './vip-monitor.js';
import { selectTargets } from './vip-target.js';

/** Where maglevt reads and writes, and what it may be given instead of the real world (tests). */
export interface MaglevtIo {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  readonly stderr: Writable;
  /** Aborting it stops maglevt like `q`; when absent, SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly fqdn?: () => Promise<string>;
}

type Env = Readonly<Record<string, string | undefined>>;

const redrawMs = 250;

function processIo(): MaglevtIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** Loads every config; on failure the errors are printed, one per line with path and position. */
async function loadConfigs(paths: readonly string[], errLine: (l: string) => void): Promise<Config[] | undefined> {
  const configs: Config[] = [];
  let failed = false;
  for (const path of paths) {
    const load = await loadConfigFile(path);
    if (load.ok) configs.push(load.config);
    else {
      failed = true;
      for (const issue of load.errors) errLine(`maglevt: ${path}: ${formatIssue(issue)}`);
    }
  }
  return failed ? undefined : configs;
}

interface StopTrigger {
  readonly stopped: Promise<void>;
  readonly stop: () => void;
  /** stdout failed (EPIPE: the reader went away); nothing more may be written to it. */
  readonly outputFailed: () => boolean;
  readonly dispose: () => void;
}

/** Resolves on the first stop request: -duration, io.signal (or SIGINT/SIGTERM), a stdout error, or `stop()`. */
function stopTrigger(o: MaglevtOptions, io: MaglevtIo): StopTrigger {
  let stop = (): void => undefined;
  let failed = false;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const duration = o.durationMs > 0 ? setTimeout(stop, o.durationMs) : undefined;
  const signals = ['SIGINT', 'SIGTERM'] as const;
  if (io.signal !== undefined) {
    if (io.signal.aborted) stop();
    io.signal.addEventListener('abort', stop, { once: true });
  } else for (const s of signals) process.on(s, stop);
  const onOutputError = (): void => {
    failed = true;
    stop();
  };
  io.stdout.on('error', onOutputError);
  const dispose = (): void => {
    clearTimeout(duration);
    io.signal?.removeEventListener('abort', stop);
    if (io.signal === undefined) for (const s of signals) process.off(s, stop);
    io.stdout.off('error', onOutputError);
  };
  return { stopped, stop, outputFailed: () => failed, dispose };
}

/** One JSON report per -report-interval until stopped, then the final one. */
async function runJson(o: MaglevtOptions, monitor: VipMonitor, clock: Clock, trigger: StopTrigger, outLine: (l: string) => void): Promise<void> {
  const startedMs = clock.now();
  let seenSeq = 0;
  const report = (final: boolean): void => {
    if (trigger.outputFailed()) return;
    const nowMs = clock.now();
    const anomalies = monitor.anomalies.since(seenSeq);
    seenSeq = monitor.anomalies.total;
    outLine(JSON.stringify(jsonReport({ nowMs, startedMs, vips: monitor.views(nowMs), anomalies, final })));
  };
  const timer = setInterval(() => report(false), o.reportIntervalMs);
  await trigger.stopped;
  clearInterval(timer);
  await monitor.stop();
  report(true);
}

/** The terminal UI until stopped; the terminal is restored however it ends. */
async function runTui(o: MaglevtOptions, env: Env, io: MaglevtIo, monitor: VipMonitor, clock: Clock, trigger: StopTrigger): Promise<void> {
  const fqdn = await (io.fqdn ?? hostFqdn)();
  const summary = settingsSummary(o);
  const color = (env.NO_COLOR ?? '') === '';
  const screen = new TuiScreen({
    io,
    redrawMs,
    onQuit: trigger.stop,
    frame: (width, height) => {
      const nowMs = clock.now();
      const vips = monitor.views(nowMs);
      const state = { version: buildInfo.version, fqdn, nowMs, summary, tally: o.header !== undefined, vips, anomalies: monitor.anomalies.recent(height), anomalyTotals: anomalyTotals(vips), color };
      return render(state, width, height);
    },
  });
  screen.start();
  try {
    await trigger.stopped;
  } finally {
    screen.stop();
  }
}

export async function main(argv: readonly string[], env: Env, io: MaglevtIo = processIo()): Promise<number> {
  const errLine = (l: string): void => void io.stderr.write(`${l}\n`);
  const outLine = (l: string): void => void io.stdout.write(`${l}\n`);
  const parsed = parseMaglevtOptions(argv, env);
  if (!parsed.ok) {
    errLine(`maglevt: ${parsed.message}`);
    errLine("run 'maglevt -help' for usage");
    return maglevtExitCodes.usage;
  }
  const o = parsed.options;
  if (o.help) {
    outLine(maglevtUsage());
    return maglevtExitCodes.ok;
  }
  if (o.version) {
    outLine(versionLine('maglevt'));
    return maglevtExitCodes.ok;
  }
  const configs = await loadConfigs(o.configs, errLine);
  if (configs === undefined) return maglevtExitCodes.failed;
  const targets = selectTargets(configs, o.filter, o.ports);
  if (targets.length === 0) {
    errLine(`maglevt: no frontends${o.filter === undefined ? '' : ` match -filter ${JSON.stringify(o.filter.source)}`} in ${o.configs.join(', ')}`);
    return maglevtExitCodes.failed;
  }

  const clock = io.clock ?? createRealClock();
  const monitor = new VipMonitor({
    targets,
    settings: {
      uri: o.uri,
      host: o.host,
      header: o.header,
      insecure: o.insecure,
      keepalive: o.keepalive,
      timeoutMs: o.timeoutMs,
      userAgent: `maglevt/${buildInfo.version}`,
    },
    intervalMs: o.intervalMs,
    clock,
    random: io.random ?? Math.random,
  });
  const trigger = stopTrigger(o, io);
  monitor.start();
  try {
    if (o.json ?? io.stdout.isTTY !== true) await runJson(o, monitor, clock, trigger, outLine);
    else await runTui(o, env, io, monitor, clock, trigger);
  } finally {
    trigger.dispose();
    await monitor.stop();
  }
  return maglevtExitCodes.ok;
}
