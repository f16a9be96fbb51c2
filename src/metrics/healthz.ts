// GET /healthz (behaviour.md §8): a JSON status and a watchdog for a hung checker. Pure: the
// caller passes the facade's views and the time.
//
// 503 `stalled`: probes are due and none has completed for 10 s, so the checker is not doing its
// job. 200 `degraded`: probes run, but some results in the last minute were discarded because
// the prober itself was short of something (EMFILE, a lost shard, a stall); the backends keep
// their states meanwhile, so maglevd still does its job and must not be restarted for it, but
// an operator should look (docs/security.md §6). 200 `ok` otherwise.

import type { ProbeWatchdogView, VppStatus } from '../control/control-plane.js';

/** No probe completed for this long while probes are due → 503. */
export const probeStallMs = 10_000;

export interface HealthzReport {
  readonly httpStatus: 200 | 503;
  readonly body: {
    readonly status: 'ok' | 'degraded' | 'stalled';
    readonly vppConnected: boolean;
    readonly warmupComplete: boolean;
    /** Seconds since the latest probe completed (ms precision); null before the first one. */
    readonly lastProbeAgeSeconds: number | null;
    /** Discarded probe results in the last minute, by reason ({} when none). */
    readonly discardedProbes: ProbeWatchdogView['recentDiscards'];
  };
}

export function healthz(vpp: VppStatus, probes: ProbeWatchdogView, nowMs: number): HealthzReport {
  const age = probes.lastProbeAt === undefined ? undefined : Math.max(0, nowMs - probes.lastProbeAt);
  const stalled =
    probes.probesDueSince !== undefined && nowMs - probes.probesDueSince >= probeStallMs && (age === undefined || age >= probeStallMs);
  const degraded = Object.keys(probes.recentDiscards).length > 0;
  return {
    httpStatus: stalled ? 503 : 200,
    body: {
      status: stalled ? 'stalled' : degraded ? 'degraded' : 'ok',
      vppConnected: vpp.state === 'connected',
      warmupComplete: vpp.state !== 'disabled' && vpp.warmupComplete,
      lastProbeAgeSeconds: age === undefined ? null : Math.round(age) / 1000,
      discardedProbes: { ...probes.recentDiscards },
    },
  };
}
