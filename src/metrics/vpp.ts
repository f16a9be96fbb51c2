// The maglev_vpp_* and maglev_vip_* metrics (behaviour.md §8). Registered only when VPP
// integration is enabled, so they are all absent with --vpp-api-addr "": the counters the VPP
// side feeds (createVppCounters, built before it) and the scrape-time collectors that read the
// facade (registerVppCollectors, once it exists). While disconnected, the identity/uptime gauges
// and the VIP counters are omitted and maglev_vpp_connected is 0. VIP counters mirror the scrape
// snapshot (§5.7): set at scrape time, not incremented.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ControlPlane, VppLbCountersView } from '../control/control-plane.js';
import type { Clock } from '../shared/clock.js';

export type VppSource = Pick<ControlPlane, 'vppStatus' | 'vppLbCounters'>;

export type LbSyncKind = 'vip_added' | 'vip_removed' | 'as_added' | 'as_removed' | 'as_weight_updated' | 'as_flushed' | 'conf_updated';

export interface VppMetricsHooks {
  onVppApi(msg: string, direction: 'send' | 'recv', ok: boolean): void;
  onLbSync(scope: 'all' | 'vip', counts: Readonly<Partial<Record<LbSyncKind, number>>>): void;
  /** A backend transition's first AS call is on the API socket, `seconds` after the checker decided it. */
  onTransitionWritten(seconds: number): void;
  /** A full read of the lb state found n differences from what the sync engine believed it had programmed. */
  onLbDrift(n: number): void;
}

/** 0.1 ms … 1 s, fine below 10 ms where the detection → dataplane target (2 ms) lies. */
export const transitionWriteBuckets = [0.0001, 0.0002, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

function counters(source: VppSource): VppLbCountersView | undefined {
  if (source.vppStatus().state !== 'connected') return undefined;
  try {
    return source.vppLbCounters();
  } catch {
    return undefined; // disconnected between the two reads: omit, as while disconnected
  }
}

/** maglev_vpp_api_total, maglev_vpp_lbsync_total, the transition → write histogram and the drift counter, and their hooks. */
export function createVppCounters(registry: Registry): VppMetricsHooks {
  const registers = [registry];
  const api = new Counter({
    name: 'maglev_vpp_api_total',
    help: 'VPP API messages by name (without CRC), direction and result.',
    labelNames: ['msg', 'direction', 'result'] as const,
    registers,
  });
  const lbsync = new Counter({
    name: 'maglev_vpp_lbsync_total',
    // The same counts as each run's vpp-lb-sync-done line (its fields are these kinds); what differs is when that line shows.
    help:
      'Changes made by VPP lb sync runs, by scope and kind: one per lb API call, the same counts as the vpp-lb-sync-done log fields. ' +
      'as_flushed counts flush-only calls (weight unchanged), which every sync repeats while a flush-on-down backend stays down; ' +
      'runs that only flush log vpp-lb-sync-done at debug, not info. Flushes that come with a weight change or a removal count as ' +
      'as_weight_updated or as_removed. The startup conf step counts as scope all without a vpp-lb-sync-done line.',
    labelNames: ['scope', 'kind'] as const,
    registers,
  });
  const toWrite = new Histogram({
    name: 'maglev_vpp_transition_to_write_seconds',
    help: 'From the checker deciding a backend transition to the first AS call of its VIP sync written to the VPP API socket.',
    buckets: transitionWriteBuckets,
    registers,
  });
  const drift = new Counter({
    name: 'maglev_vpp_lb_drift_total',
    help: 'Differences a full sync found between the lb state read from VPP and what maglevd had programmed.',
    registers,
  });
  return {
    onTransitionWritten: (seconds) => toWrite.observe(seconds),
    onLbDrift: (n) => drift.inc(n),
    onVppApi: (msg, direction, ok) => api.inc({ msg, direction, result: ok ? 'success' : 'failure' }),
    onLbSync: (scope, counts) => {
      for (const [kind, n] of Object.entries(counts)) if (n !== undefined && n > 0) lbsync.inc({ scope, kind }, n);
    },
  };
}

/** The connection, identity, warmup and VIP counter series, computed at scrape time from `source`. */
export function registerVppCollectors(registry: Registry, source: VppSource, clock: Clock): void {
  const registers = [registry];
  new Gauge({
    name: 'maglev_vpp_connected',
    help: '1 while the VPP API and stats connection is up.',
    registers,
    collect() {
      this.set(source.vppStatus().state === 'connected' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'maglev_vpp_uptime_seconds',
    help: 'Seconds since VPP started (stats /sys/boottime).',
    registers,
    collect() {
      const s = source.vppStatus();
      if (s.state === 'connected' && s.info.bootTime !== undefined) this.set((clock.now() - s.info.bootTime) / 1000);
      else this.remove();
    },
  });
  new Gauge({
    name: 'maglev_vpp_connected_seconds',
    help: 'Seconds since the current VPP connection was made.',
    registers,
    collect() {
      const s = source.vppStatus();
      if (s.state === 'connected') this.set((clock.now() - s.info.connectTime) / 1000);
      else this.remove();
    },
  });
  new Gauge({
    name: 'maglev_vpp_info',
    help: 'VPP identity (always 1).',
    labelNames: ['version', 'build_date', 'pid'] as const,
    registers,
    collect() {
      this.reset();
      const s = source.vppStatus();
      if (s.state === 'connected') this.set({ version: s.info.version, build_date: s.info.buildDate, pid: String(s.info.pid) }, 1);
    },
  });
  new Gauge({
    name: 'maglev_vpp_warmup_complete',
    help: '1 once the startup warmup is done.',
    registers,
    collect() {
      const s = source.vppStatus();
      this.set(s.state !== 'disabled' && s.warmupComplete ? 1 : 0);
    },
  });
  new Counter({
    name: 'maglev_vip_packets_total',
    help: 'lb plugin packet counters per VIP, summed over VPP threads.',
    labelNames: ['prefix', 'protocol', 'port', 'kind'] as const,
    registers,
    collect() {
      this.reset();
      for (const v of counters(source)?.vips ?? []) {
        const l = { prefix: v.prefix, protocol: String(v.protocol), port: String(v.port) };
        this.inc({ ...l, kind: 'next' }, Number(v.next));
        this.inc({ ...l, kind: 'first' }, Number(v.first));
        this.inc({ ...l, kind: 'untracked' }, Number(v.untracked));
        this.inc({ ...l, kind: 'no-server' }, Number(v.noServer));
      }
    },
  });
  const route = (name: string, help: string, pick: (fib: { packets: number | bigint; bytes: number | bigint }) => number | bigint): void => {
    new Counter({
      name,
      help,
      labelNames: ['prefix'] as const,
      registers,
      collect() {
        this.reset();
        const seen = new Set<string>();
        for (const v of counters(source)?.vips ?? []) {
          // Per-port VIPs on one address share the FIB entry: one series per prefix.
          if (v.fib === undefined || seen.has(v.prefix)) continue;
          seen.add(v.prefix);
          this.inc({ prefix: v.prefix }, Number(pick(v.fib)));
        }
      },
    });
  };
  route('maglev_vip_route_packets_total', 'Packets routed to the VIP prefix (FIB /net/route/to).', (f) => f.packets);
  route('maglev_vip_route_bytes_total', 'Bytes routed to the VIP prefix (FIB /net/route/to).', (f) => f.bytes);
}
