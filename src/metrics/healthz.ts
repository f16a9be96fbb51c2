// GET /healthz (behaviour.md §8): a JSON status and a watchdog for a hung checker. Pure: the
// caller passes the facade's views and the time.

import type { ProbeWatchdogView, VppStatus } from '../control/control-plane.js';

/** No probe completed for this long while probes are due → 503. */
export const probeStallMs = 10_000;

export interface HealthzReport {
  readonly httpStatus: 200 | 503;
  readonly body: {
    readonly status: 'ok' | 'stalled';
    readonly vppConnected: boolean;
    readonly warmupComplete: boolean;
    /** Seconds since the latest probe completed (ms precision); null before the first one. */
    readonly lastProbeAgeSeconds: number | null;
  };
}

export function healthz(vpp: VppStatus, probes: ProbeWatchdogView, nowMs: number): HealthzReport {
  const age = probes.lastProbeAt === undefined ? undefined : Math.max(0, nowMs - probes.lastProbeAt);
  const stalled =
    probes.probesDueSince !== undefined && nowMs - probes.probesDueSince >= probeStallMs && (age === undefined || age >= probeStallMs);
  return {
    httpStatus: stalled ? 503 : 200,
    body: {
      status: stalled ? 'stalled' : 'ok',
      vppConnected: vpp.state === 'connected',
      warmupComplete: vpp.state !== 'disabled' && vpp.warmupComplete,
      lastProbeAgeSeconds: age === undefined ? null : Math.round(age) / 1000,
    },
  };
}
