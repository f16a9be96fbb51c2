// maglevd's normal run: builds and wires every part (the only place that does), then serves
// until SIGTERM/SIGINT. Each part is built after what it needs: watch hub + logger → config →
// probe workers → metric instruments → checker → VPP side → control plane → scrape-time
// collectors → gRPC and /metrics → start probing and connecting. Shutdown never touches VPP
// state: VIPs and ASes stay programmed so a restart is dataplane-neutral.

import type { DestinationStream } from 'pino';
import { buildInfo } from '../generated/build-info.js';
import { createRealClock, type Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { Checker } from '../checker/checker.js';
import { formatIssue } from '../config/loader.js';
import { OffThreadConfigLoader } from '../config/off-thread-loader.js';
import { startGrpcServer, type GrpcServer } from '../control/grpc-server.js';
import { createDaemonLogger } from './daemon-logger.js';
import { routeGrpcLogs } from '../api/grpc-log.js';
import { MaglevdControlPlane } from './maglevd-control-plane.js';
import { maglevdExitCodes, type MaglevdOptions } from './maglevd-options.js';
import { countCheckerTransitions, createMetrics, registerStateCollectors } from '../metrics/metrics.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { registerLiveHeapGauge } from '../metrics/live-heap.js';
import { startMetricsServer, type MetricsServer } from '../metrics/server.js';
import { NetnsProbeExecutor } from '../checker/netns-probe-executor.js';
import { createProbeDispatcher } from '../checker/probe-dispatcher.js';
import { createVppSide, type VppSide } from './vpp-side.js';
import { startFdBudget } from './nofile-limit.js';

/**
 * Probes leave in batches at most this often (each up to this late), on wall-clock multiples
 * of it that the probe workers follow, so thousands a second cost each thread one timer firing
 * per quantum and no cross-thread wakeup.
 */
const probeScheduleQuantumMs = 20;

export interface DaemonDeps {
  /** Where JSON log lines go (default stdout). */
  readonly logDestination?: DestinationStream;
  readonly clock?: Clock;
  /** Probe worker threads (default 1, the dispatcher's). */
  readonly probeThreads?: number;
}

export interface Daemon {
  readonly logger: Logger;
  readonly grpcPort: number;
  readonly metricsPort: number | undefined;
  readonly control: MaglevdControlPlane;
  readonly checker: Checker;
  readonly vpp: VppSide | undefined;
  /** Graceful shutdown; idempotent. */
  stop(signal: string): Promise<void>;
}

export type StartResult = { readonly ok: true; readonly daemon: Daemon } | { readonly ok: false; readonly exitCode: number };

/** Starts maglevd in this process; returns the exit code instead when startup fails. */
export async function startDaemon(o: MaglevdOptions, deps: DaemonDeps = {}): Promise<StartResult> {
  const { logger, hub } = createDaemonLogger({ level: o.logLevel, destination: deps.logDestination });
  routeGrpcLogs(logger);
  logger.info('starting', { version: buildInfo.version, commit: buildInfo.commit, date: buildInfo.date });

  // Even the first load parses in a worker thread, which ends at once: the parse of a large
  // config leaves ~8 kB of garbage per backend, which on the main thread would sit in the old
  // space (RSS) until a major GC that a steady probe load may not trigger for minutes.
  const firstLoader = new OffThreadConfigLoader({ idleMs: 0 });
  const load = await firstLoader.load(o.config);
  await firstLoader.close();
  if (!load.ok) {
    for (const e of load.errors) logger.error('config-error', { stage: load.stage, error: formatIssue(e) });
    return { ok: false, exitCode: load.stage === 'parse' ? maglevdExitCodes.configParse : maglevdExitCodes.configSemantic };
  }
  for (const w of load.warnings) logger.warn('config-warning', { path: w.path, warning: formatIssue(w) });
  const config = load.config;

  // Before anything opens descriptors: the probes' reserve decides the listeners' caps.
  const fds = startFdBudget(config, o.grpcLimits.maxConnections, logger);
  const clock = deps.clock ?? createRealClock();
  const startedAt = clock.now();
  const probeLog = logger.child({ component: 'probes' });
  const dispatcher = await NetnsProbeExecutor.create(
    (netns) =>
      createProbeDispatcher({
        netns,
        logger: probeLog,
        tickMs: probeScheduleQuantumMs,
        ...(deps.probeThreads === undefined ? {} : { threads: deps.probeThreads }),
      }),
    config.healthchecker.netns,
  );

  const registry = new MetricsRegistry();
  const vppEnabled = o.vppApiAddr !== undefined;
  const metrics = createMetrics({ registry, vppEnabled, build: buildInfo, perBackendDurations: o.probeDurationPerBackend });
  // The metrics take each probe as primitives, as the checker reports it (no result object per probe).
  const checker = new Checker({
    config,
    clock,
    logger: logger.child({ component: 'checker' }),
    executor: dispatcher,
    observer: metrics,
    scheduleQuantumMs: probeScheduleQuantumMs,
  });
  // Subscribers see each event in this order: WatchEvents streams, metrics, then the reconciler (at start).
  checker.subscribe((ev) => hub.publish(ev));
  const unsubscribeMetrics = countCheckerTransitions(checker, metrics);

  const vpp =
    o.vppApiAddr === undefined
      ? undefined
      : createVppSide({ apiAddr: o.vppApiAddr, statsAddr: o.vppStatsAddr, checker, clock, logger, metrics, startedAt });
  // Checks and reloads parse in a worker thread too: the main thread keeps probing meanwhile.
  const configLoader = new OffThreadConfigLoader();
  const control = new MaglevdControlPlane({
    configPath: o.config,
    configLoader,
    checker,
    hub,
    vpp,
    clock,
    logger,
    startedAt,
    switchNetns: (netns) => dispatcher.switchTo(netns),
  });
  registerStateCollectors(registry, control, { clock, vppEnabled });
  const stopLiveHeap = registerLiveHeapGauge(registry);

  let grpc: GrpcServer | undefined;
  let metricsServer: MetricsServer | undefined;
  try {
    grpc = await startGrpcServer({ addr: o.grpcAddr, control, clock, logger, reflection: o.reflection, registry, limits: { ...o.grpcLimits, maxConnections: fds.grpcMaxConnections } });
    if (o.metricsAddr !== undefined) {
      metricsServer = await startMetricsServer({ addr: o.metricsAddr, registry, source: control, clock, logger, maxConnections: fds.metricsMaxConnections });
    }
  } catch (e) {
    logger.error('listen-error', { err: errorMessage(e) });
    stopLiveHeap();
    await grpc?.shutdown(0);
    await dispatcher.close();
    await configLoader.close();
    return { ok: false, exitCode: maglevdExitCodes.startup };
  }

  checker.start();
  vpp?.start();

  let stopping: Promise<void> | undefined;
  const daemon: Daemon = {
    logger,
    grpcPort: grpc.port,
    metricsPort: metricsServer?.port,
    control,
    checker,
    vpp,
    stop(signal) {
      stopping ??= (async () => {
        logger.info('shutdown', { signal });
        await grpc.shutdown();
        checker.stop();
        unsubscribeMetrics();
        stopLiveHeap();
        await dispatcher.close();
        await configLoader.close();
        await vpp?.stop();
        await metricsServer?.close();
      })();
      return stopping;
    },
  };
  return { ok: true, daemon };
}

/** Hard stop after the first signal, or at once on a second one. */
const shutdownGraceMs = 5000;

/** Runs maglevd until SIGTERM/SIGINT; SIGHUP reloads the config. Resolves with the exit code. */
export async function runDaemon(o: MaglevdOptions): Promise<number> {
  const started = await startDaemon(o);
  if (!started.ok) return started.exitCode;
  const { daemon } = started;
  const onHup = (): void => {
    void daemon.control.reloadOnSignal();
  };
  process.on('SIGHUP', onHup);
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onStop = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals > 1) process.exit(0);
      setTimeout(() => process.exit(0), shutdownGraceMs).unref();
      void daemon.stop(signal).then(() => {
        process.off('SIGHUP', onHup);
        resolve(0);
      });
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
  });
}
