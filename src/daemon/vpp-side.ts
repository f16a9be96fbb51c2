// Everything maglevd runs against VPP, built only when --vpp-api-addr is set: the connection
// (API + stats as one unit), the sync engine, the startup warmup, the reconciler (the only
// path from checker events to VPP writes) and a counter scraper per connection.

import type { Clock } from '../shared/clock.js';
import { DaemonError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { Checker } from '../checker/checker.js';
import type { MetricsHooks } from '../metrics/metrics.js';
import { Reconciler } from '../sync/reconciler.js';
import { Warmup } from '../sync/warmup.js';
import { CounterScraper, type CounterSnapshot } from '../vpp/counter-scraper.js';
import { LbSync } from '../sync/lb-sync.js';
import { readVips, servingAddresses } from '../sync/lb-state.js';
import { connectStatsSegment, type StatsClient } from '../vpp/stats-client.js';
import { VppLink } from '../vpp/vpp-link.js';

export interface VppSideOptions {
  readonly apiAddr: string;
  /** undefined: no stats segment (counters fall back to the CLI text). */
  readonly statsAddr: string | undefined;
  readonly checker: Checker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: MetricsHooks;
  /** Process start (clock ms): the warmup clock's zero. */
  readonly startedAt: number;
}

export interface VppSide {
  readonly link: VppLink<StatsClient>;
  readonly reconciler: Reconciler;
  readonly warmup: Warmup;
  /** The latest counter snapshot of the current connection. */
  counters(): CounterSnapshot | undefined;
  start(): void;
  stop(): Promise<void>;
}

export function createVppSide(o: VppSideOptions): VppSide {
  const log = o.logger;
  const statsAddr = o.statsAddr;
  const link = new VppLink<StatsClient>({
    apiAddr: o.apiAddr,
    logger: log.child({ component: 'vpp' }),
    clock: o.clock,
    metrics: (msg, direction, result) => o.metrics.onVppApi(msg, direction, result === 'success'),
    ...(statsAddr === undefined
      ? {}
      : {
          connectStats: async () => {
            const session = await connectStatsSegment(statsAddr);
            try {
              const r = await session.read({ scalars: ['/sys/boottime'] });
              return { session, bootTimeS: Number(r.scalars.get('/sys/boottime') ?? 0n) };
            } catch (e) {
              session.close();
              throw e;
            }
          },
        }),
  });
  const lbSync = new LbSync({
    api: () => {
      const s = link.session;
      if (s === undefined) throw new DaemonError('VPP_NOT_CONNECTED', 'VPP is not connected');
      return s.lb;
    },
    clock: o.clock,
    log: log.child({ component: 'lb-sync' }),
    onCount: (scope, kind, n) => o.metrics.onLbSync(scope, { [kind]: n }),
    onDrift: (n) => o.metrics.onLbDrift(n),
  });
  const warmup = new Warmup({
    clock: o.clock,
    log: log.child({ component: 'warmup' }),
    startedAt: o.startedAt,
    config: () => o.checker.config,
    stateOf: o.checker.stateOf,
    adopt: async () => {
      const s = link.session;
      if (s === undefined || ![...o.checker.config.backends.values()].some((b) => b.slowStart !== undefined)) return;
      o.checker.adoptServing(servingAddresses(await readVips(s.lb)));
    },
    onDone: () => o.checker.endAdoption(),
  });
  const reconciler = new Reconciler({
    engine: lbSync,
    events: o.checker,
    config: () => o.checker.config,
    inputs: { stateOf: o.checker.stateOf, weightOf: o.checker.weightOf, rampOf: o.checker.rampOf, agentOf: o.checker.agentOf },
    clock: o.clock,
    log: log.child({ component: 'reconciler' }),
    gate: warmup,
    onTransitionWritten: (seconds) => o.metrics.onTransitionWritten(seconds),
  });

  let scraper: CounterScraper | undefined;
  link.onConnected((session) => {
    reconciler.setConnected(true);
    scraper = new CounterScraper({
      lb: session.lb,
      ...(session.lb.hasRouteLookup ? { routeLookup: (prefix: string) => session.lb.ipRouteLookup(prefix) } : {}),
      ...(session.stats === undefined ? {} : { stats: session.stats }),
      clock: o.clock,
      logger: log.child({ component: 'stats' }),
      // A failing stats segment takes the API half down with it.
      onStatsError: (e) => link.disconnect(`stats segment: ${e.message}`),
    });
    scraper.start();
  });
  link.onDisconnected(() => {
    reconciler.setConnected(false);
    scraper?.stop();
    scraper?.clear();
    scraper = undefined;
  });

  return {
    link,
    reconciler,
    warmup,
    counters: () => scraper?.snapshot(),
    start() {
      reconciler.start();
      link.start();
    },
    async stop() {
      reconciler.stop();
      warmup.stop();
      scraper?.stop();
      await reconciler.idle();
      await link.stop();
    },
  };
}
