// maglevd's Prometheus metrics in an injected Registry (never the global one),
// in two steps so the daemon can build its parts in dependency order: createMetrics first (build
// info, prom-client's default process/nodejs metrics, and the counters and histograms fed by
// hooks the checker and VPP side call inline), registerStateCollectors once the facade exists
// (scrape-time gauges read through it). VPP metrics only when VPP integration is enabled.
// grpc_server_* live in grpc-metrics.ts (same registry). The per-backend families keep their
// series ready to print (probe-metrics.ts, labelled-counter.ts, scrape-gauge.ts); with the
// daemon's MetricsRegistry (registry.ts) they print themselves, paced, and stay cheap at fleet
// scale (docs/metrics-cost.md).

import { Gauge, collectDefaultMetrics, type Registry } from 'prom-client';
import type { CheckerEventSource } from '../checker/events.js';
import type { ControlPlane } from '../control/control-plane.js';
import { LabelledCounter } from './labelled-counter.js';
import { PlainHistogram } from './plain-histogram.js';
import { registerProbeMetrics, type ProbeOutcome } from './probe-metrics.js';
import { registerStateGauges } from './state.js';
import { createVppCounters, registerVppCollectors, type VppMetricsHooks } from './vpp.js';
import type { Clock } from '../shared/clock.js';
import type { HealthCheckType } from '../shared/config.js';
import { discardReasons, type DiscardReason } from '../shared/discard-reason.js';
import type { BackendState, FrontendState, ProbeCode } from '../shared/health.js';
import type { ProbeConnection } from '../shared/probe-outcome.js';

export type MetricsSource = Pick<
  ControlPlane,
  'listBackends' | 'getBackend' | 'listFrontends' | 'getFrontend' | 'vppStatus' | 'vppLbCounters' | 'probeWatchdog'
>;

export interface MetricsOptions {
  readonly registry: Registry;
  /** false with --vpp-api-addr "": every maglev_vpp_* and maglev_vip_* metric is absent. */
  readonly vppEnabled: boolean;
  readonly build: { readonly version: string; readonly commit: string; readonly date: string };
  /** process_* and nodejs_* (default true). */
  readonly defaultMetrics?: boolean;
  /** maglev_probe_duration_seconds per backend and type (default true), else per type only. */
  readonly perBackendDurations?: boolean;
}

/** What the daemon calls inline. Each call is cheap and synchronous. */
export interface MetricsHooks extends VppMetricsHooks {
  /** One recorded or discarded probe of a health-checked backend (never a static backend's). */
  onProbe(backend: string, type: HealthCheckType, code: ProbeCode, outcome: ProbeOutcome, durationMs: number, discardReason?: DiscardReason): void;
  /** A probe started this late after it was due. */
  onProbeScheduled(latenessMs: number): void;
  /** A probe of a reuse-connection check opened a connection or reused the kept one. */
  onProbeConnection(healthcheck: string, connection: ProbeConnection): void;
  /** One backend transition, operator ones included. */
  onBackendTransition(backend: string, from: BackendState, to: BackendState): void;
  onFrontendTransition(frontend: string, from: FrontendState, to: FrontendState): void;
  /** A frontend entered (true) or left (false) panic. */
  onFrontendPanic(frontend: string, panic: boolean): void;
}

/** The instruments: everything that needs no source, and the hooks that feed them. */
export function createMetrics(opts: MetricsOptions): MetricsHooks {
  const registers = [opts.registry];
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: opts.registry });
  new Gauge({
    name: 'maglev_build_info',
    help: 'maglevd build (always 1).',
    labelNames: ['version', 'commit', 'date'] as const,
    registers,
  }).set({ ...opts.build }, 1);
  const probes = registerProbeMetrics(opts.registry, { perBackendDurations: opts.perBackendDurations ?? true });
  // One unlabelled series: a probe costs it one bucket search and no allocation.
  const scheduleLateness = new PlainHistogram({
    name: 'maglev_probe_schedule_lateness_seconds',
    help: 'How late probes started after they were due (schedule batching and delays, hand-over to the probe worker).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registry: opts.registry,
  });
  const discarded = new LabelledCounter({
    name: 'maglev_probe_discarded_total',
    help: 'Probe results discarded because the prober itself was in trouble, by reason (EMFILE, ENFILE, ENOBUFS, ENOMEM, EADDRNOTAVAIL, EADDRINUSE, shard-lost, stall).',
    labelNames: ['reason'],
    registry: opts.registry,
  });
  // Every reason from the start, so rate() and alerts see a 0 before the first discard.
  for (const reason of discardReasons) discarded.add([reason], 0);
  const connections = new LabelledCounter({
    name: 'maglev_probe_connections_total',
    help: 'Probes of reuse-connection health checks by the connection they used: opened (a new one) or reused (kept from the previous probe).',
    labelNames: ['healthcheck', 'connection'],
    registry: opts.registry,
  });
  const backendTransitions = new LabelledCounter({
    name: 'maglev_backend_transitions_total',
    help: 'Backend state transitions, operator actions included.',
    labelNames: ['backend', 'from', 'to'],
    registry: opts.registry,
  });
  const frontendTransitions = new LabelledCounter({
    name: 'maglev_frontend_transitions_total',
    help: 'Frontend state transitions.',
    labelNames: ['frontend', 'from', 'to'],
    registry: opts.registry,
  });
  const panics = new LabelledCounter({
    name: 'maglev_frontend_panic_transitions_total',
    help: 'Frontends entering (event="enter") and leaving (event="exit") panic.',
    labelNames: ['frontend', 'event'],
    registry: opts.registry,
  });
  const vpp: VppMetricsHooks = opts.vppEnabled
    ? createVppCounters(opts.registry)
    : { onVppApi: () => {}, onLbSync: () => {}, onTransitionWritten: () => {}, onLbDrift: () => {} };
  return {
    onProbe: (backend, type, code, outcome, durationMs, reason) => {
      probes.observe(backend, type, code, outcome, durationMs);
      if (outcome === 'discarded') discarded.add([reason ?? 'stall']);
    },
    onProbeScheduled: (latenessMs) => scheduleLateness.record(latenessMs / 1000),
    onProbeConnection: (healthcheck, connection) => connections.add([healthcheck, connection]),
    onBackendTransition: (backend, from, to) => backendTransitions.add([backend, from, to]),
    onFrontendTransition: (frontend, from, to) => frontendTransitions.add([frontend, from, to]),
    onFrontendPanic: (frontend, panic) => panics.add([frontend, panic ? 'enter' : 'exit']),
    onVppApi: (msg, direction, ok) => vpp.onVppApi(msg, direction, ok),
    onLbSync: (scope, counts) => vpp.onLbSync(scope, counts),
    onTransitionWritten: (seconds) => vpp.onTransitionWritten(seconds),
    onLbDrift: (n) => vpp.onLbDrift(n),
  };
}

/** The scrape-time collectors: backend/frontend state, and the VPP series when enabled. */
export function registerStateCollectors(registry: Registry, source: MetricsSource, opts: { clock: Clock; vppEnabled: boolean }): void {
  registerStateGauges(registry, source);
  if (opts.vppEnabled) registerVppCollectors(registry, source, opts.clock);
}

/** Feeds the transition counters from the checker's events (one event, one count). */
export function countCheckerTransitions(events: CheckerEventSource, hooks: MetricsHooks): () => void {
  return events.subscribe((ev) => {
    if (ev.kind === 'backend') hooks.onBackendTransition(ev.backend, ev.transition.from, ev.transition.to);
    else if (ev.kind === 'frontend') hooks.onFrontendTransition(ev.frontend, ev.from, ev.to);
    else if (ev.kind === 'panic') hooks.onFrontendPanic(ev.frontend, ev.panic);
  });
}

