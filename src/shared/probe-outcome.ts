// One probe's outcome in numbers: what probers report, what crosses from the probe workers to
// the main thread (src/shared/probe-batch.ts), and what the checker keeps per backend. The
// ProbeResult record, with its detail text, is made from it only when something reads it.

import type { DiscardReason } from './discard-reason.js';
import { isPassCode, probeCodeLayer, type ProbeCode, type ProbeResult } from './health.js';
import { detailKind, formatProbeDetail, type DetailKind } from './probe-detail.js';
import type { ProbeSpec } from './probe-messages.js';

/**
 * The connection a reuse-connection probe used: one it opened (the first probe, or after the
 * kept one was closed or unusable) or the one kept from the previous probe. Absent for probes
 * of other checks, which always open their own.
 */
export type ProbeConnection = 'opened' | 'reused';

export interface ProbeOutcome {
  readonly code: ProbeCode;
  readonly detail: DetailKind;
  /** The detail's number: HTTP status, errno, timeout ms, ... (0 when the kind takes none). */
  readonly arg: number;
  /** The detail's text, for the kinds that take one (free text, source address, regexp). */
  readonly text: string | undefined;
  /** Unix ms when the probe started. */
  readonly at: number;
  readonly durationMs: number;
  /** Discarded (the stall guard, or the prober's own shortage): the checker must not record it. */
  readonly discarded: boolean;
  /** Why, when discarded. */
  readonly discardReason?: DiscardReason;
  /** The prober's worst event-loop lag during the probe, when measured; NaN otherwise. */
  readonly lagMs: number;
  /** Set by reuse-connection probes only. */
  readonly connection?: ProbeConnection;
}

/** The ProbeResult record of an outcome (its detail text made now). */
export function probeResultOf(o: ProbeOutcome): ProbeResult {
  const base = {
    ok: isPassCode(o.code),
    layer: probeCodeLayer[o.code],
    code: o.code,
    detail: formatProbeDetail(o.detail, o.arg, o.text),
    at: o.at,
    durationMs: o.durationMs,
  };
  if (!o.discarded) return base;
  const discarded = { ...base, discarded: true, discardReason: o.discardReason ?? 'stall' };
  return Number.isNaN(o.lagMs) ? discarded : { ...discarded, lagMs: o.lagMs };
}

/**
 * The text a detail kind takes from the target's spec when the prober did not send one (the
 * native prober sends numbers only): the source address of a bind error, the regexp of a body
 * that did not match.
 */
export function specDetailText(kind: DetailKind, spec: ProbeSpec | undefined): string | undefined {
  if (kind === detailKind.bindError) return spec?.sourceAddress;
  if (kind === detailKind.bodyMismatch && spec?.kind === 'http') return spec.responseRegexp;
  return undefined;
}
