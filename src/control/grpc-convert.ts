// Facade views (plain TS, unix ms) → proto wire messages (snake_case, int64 nanoseconds as
// decimal strings). Pure; the only place that knows both shapes.

import type { BackendView } from '../checker/backend-view.js';
import type { FrontendView } from '../core/frontend-view.js';
import type { PreviewResultView, VppInfo, VppLbCountersView, VppLbStateView, VppVipDigestView } from './control-plane.js';
import type {
  BackendInfo,
  FrontendInfo,
  HealthCheckInfo,
  Int64,
  LogEvent as LogEventMsg,
  PreviewResponse,
  ProbeResult as ProbeResultMsg,
  TransitionRecord as TransitionRecordMsg,
  VPPInfo,
  VPPLBCounters,
  VPPLBDigest,
  VPPLBState,
} from '../api/maglev-messages.js';
import type { HealthCheck } from '../shared/config.js';
import type { ProbeResult, TransitionRecord } from '../shared/health.js';
import type { LogRecord } from '../shared/log.js';

/**
 * Unix ms (possibly fractional) → integer nanoseconds as a decimal string; undefined → "0".
 * The fraction is kept to the microsecond: a double near 1.7e12 ms holds nothing finer.
 */
export function msToNs(ms: number | undefined): Int64 {
  if (ms === undefined || !Number.isFinite(ms)) return '0';
  const whole = Math.floor(ms);
  const us = Math.round((ms - whole) * 1000);
  return (BigInt(whole) * 1_000_000n + BigInt(us) * 1000n).toString();
}

/** A counter value as a uint64 decimal string. */
export function u64(v: number | bigint): Int64 {
  return typeof v === 'bigint' ? v.toString() : BigInt(Math.max(0, Math.trunc(v))).toString();
}

export function transitionMsg(t: TransitionRecord): TransitionRecordMsg {
  return { from: t.from, to: t.to, at_unix_ns: msToNs(t.at), code: t.code, detail: t.detail };
}

export function probeResultMsg(p: ProbeResult): ProbeResultMsg {
  return {
    ok: p.ok,
    layer: p.layer,
    code: p.code,
    detail: p.detail,
    at_unix_ns: msToNs(p.at),
    duration_ns: msToNs(p.durationMs),
  };
}

export function frontendInfo(f: FrontendView): FrontendInfo {
  return {
    name: f.name,
    address: f.address,
    protocol: f.protocol,
    port: f.port,
    description: f.description,
    src_ip_sticky: f.srcIpSticky,
    flush_on_down: f.flushOnDown,
    state: f.state,
    panic_threshold: f.panicThreshold,
    panic: f.panic,
    pools: f.pools.map((p) => ({
      name: p.name,
      active: p.active,
      backends: p.members.map((m) => ({
        name: m.backend,
        weight: m.weight,
        effective_weight: m.effectiveWeight,
        state: m.state,
        last_transition_unix_ns: msToNs(m.lastTransitionAt),
        agent_state: m.agentState ?? '',
      })),
    })),
  };
}

export function backendInfo(b: BackendView): BackendInfo {
  return {
    name: b.name,
    address: b.address,
    state: b.state,
    transitions: b.transitions.map(transitionMsg),
    enabled: b.enabled,
    healthcheck: b.healthcheck ?? '',
    health: b.health,
    rise: b.rise,
    fall: b.fall,
    last_probe: b.lastProbe === undefined ? null : probeResultMsg(b.lastProbe),
    frontends: [...b.frontends],
    agent:
      b.agent === undefined
        ? null
        : {
            state: b.agent.verdict.state,
            weight_percent: b.agent.verdict.percent,
            port: b.agent.port,
            last_answer: b.agent.lastAnswer,
            last_answer_unix_ns: msToNs(b.agent.lastAnswerAt),
            bad_answers: b.agent.badAnswers,
            last_error: b.agent.lastError,
          },
  };
}

export function healthCheckInfo(h: HealthCheck): HealthCheckInfo {
  return {
    name: h.name,
    type: h.type,
    port: h.port,
    probe_ipv4_src: h.probeIpv4Src ?? '',
    probe_ipv6_src: h.probeIpv6Src ?? '',
    interval_ns: msToNs(h.intervalMs),
    fast_interval_ns: msToNs(h.fastIntervalMs),
    down_interval_ns: msToNs(h.downIntervalMs),
    timeout_ns: msToNs(h.timeoutMs),
    rise: h.rise,
    fall: h.fall,
    http:
      h.http === undefined
        ? null
        : {
            path: h.http.path,
            host: h.http.host ?? '',
            response_code_min: h.http.responseCodeMin,
            response_code_max: h.http.responseCodeMax,
            response_regexp: h.http.responseRegexp ?? '',
            server_name: h.http.serverName ?? '',
            insecure_skip_verify: h.http.insecureSkipVerify,
          },
    tcp:
      h.tcp === undefined
        ? null
        : { ssl: h.tcp.ssl, server_name: h.tcp.serverName ?? '', insecure_skip_verify: h.tcp.insecureSkipVerify },
    reuse_connection: h.reuseConnection === true,
    agent:
      h.agent === undefined
        ? null
        : { port: h.agent.port, interval_ns: msToNs(h.agent.intervalMs), timeout_ns: msToNs(h.agent.timeoutMs), send: h.agent.send ?? '' },
  };
}

export function vppInfoMsg(i: VppInfo): VPPInfo {
  return {
    version: i.version,
    build_date: i.buildDate,
    build_directory: i.buildDirectory,
    pid: i.pid,
    boottime_ns: msToNs(i.bootTime),
    connecttime_ns: msToNs(i.connectTime),
  };
}

export function vppLbStateMsg(s: VppLbStateView): VPPLBState {
  return {
    conf: {
      ip4_src_address: s.conf.ip4SrcAddress,
      ip6_src_address: s.conf.ip6SrcAddress,
      sticky_buckets_per_core: s.conf.stickyBucketsPerCore,
      flow_timeout: s.conf.flowTimeoutS,
    },
    vips: s.vips.map((v) => ({
      prefix: v.prefix,
      protocol: v.protocol,
      port: v.port,
      encap: v.encap,
      flow_table_length: v.flowTableLength,
      src_ip_sticky: v.srcIpSticky,
      index: v.index,
      application_servers: v.applicationServers.map((a) => ({
        address: a.address,
        weight: a.weight,
        flags: a.flags,
        num_buckets: a.numBuckets,
        in_use_since_ns: msToNs(a.removedAt),
      })),
    })),
  };
}

export function vppLbCountersMsg(c: VppLbCountersView): VPPLBCounters {
  return {
    scraped_at_unix_ns: msToNs(c.scrapedAt),
    vips: c.vips.map((v) => ({
      prefix: v.prefix,
      protocol: v.protocol,
      port: v.port,
      next_packets: u64(v.next),
      first_packets: u64(v.first),
      untracked_packets: u64(v.untracked),
      no_server_packets: u64(v.noServer),
      fib_packets: u64(v.fib?.packets ?? 0),
      fib_bytes: u64(v.fib?.bytes ?? 0),
      frontend: v.frontend ?? '',
      index: v.index,
    })),
  };
}

export function logEventMsg(r: LogRecord): LogEventMsg {
  return {
    at_unix_ns: msToNs(r.at),
    level: r.level,
    msg: r.msg,
    attrs: r.attrs.map(([key, value]) => ({ key, value })),
  };
}

export function previewMsg(r: PreviewResultView): PreviewResponse {
  if (!r.ok) return { ok: false, parse_error: r.parseError, semantic_error: r.semanticError, vips: [], assumptions: [] };
  return {
    ok: true,
    parse_error: '',
    semantic_error: '',
    assumptions: [...r.preview.assumptions],
    vips: r.preview.vips.map((v) => ({
      frontend: v.frontend,
      prefix: v.key.prefix,
      protocol: v.key.protocol,
      port: v.key.port,
      change: v.change,
      flow_table_length: v.flowTableLength,
      moved_buckets: v.movedBuckets,
      application_servers: v.ases.map((a) => ({
        address: a.address,
        backends: [...a.backends],
        weight_before: a.weightBefore,
        weight_after: a.weightAfter,
        buckets_before: a.bucketsBefore,
        buckets_after: a.bucketsAfter,
      })),
      members: v.members.map((m) => ({
        pool: m.pool,
        backend: m.backend,
        state_before: m.before?.state ?? '',
        state_after: m.after?.state ?? '',
        weight_before: m.before?.configured ?? 0,
        weight_after: m.after?.configured ?? 0,
        effective_weight_before: m.before?.effective ?? 0,
        effective_weight_after: m.after?.effective ?? 0,
      })),
    })),
  };
}

export function vppLbDigestMsg(vips: readonly VppVipDigestView[]): VPPLBDigest {
  return {
    vips: vips.map((v) => ({
      prefix: v.prefix,
      protocol: v.protocol,
      port: v.port,
      frontend: v.frontend ?? '',
      flow_table_length: v.flowTableLength,
      digest: v.digest,
      application_servers: v.ases.map((a) => ({ address: a.address, weight: a.weight, buckets: a.buckets })),
      buckets_match: v.bucketsMatch,
      table: v.table === undefined ? [] : [...v.table],
    })),
  };
}
