// Shared health vocabulary: backend and frontend states, probe codes, probe results and
// transition records. Workers produce ProbeResults; the main thread owns everything else.

import type { DiscardReason } from './discard-reason.js';

export type BackendState = 'unknown' | 'up' | 'down' | 'paused' | 'disabled' | 'removed';
export type FrontendState = 'unknown' | 'up' | 'down';

export type ProbeCode =
  | 'L4OK'
  | 'L4TOUT'
  | 'L4CON'
  | 'SOCKERR'
  | 'L6OK'
  | 'L6TOUT'
  | 'L6RSP'
  | 'L7OK'
  | 'L7TOUT'
  | 'L7RSP'
  | 'L7STS';

export type OperatorCode = 'paused' | 'resumed' | 'disabled' | 'enabled' | 'removed' | 'restarted';
export type ProbeLayer = 'L4' | 'L6' | 'L7';

/** What one probe found. Plain data: it crosses the worker → main MessagePort. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly layer: ProbeLayer;
  readonly code: ProbeCode;
  readonly detail: string;
  /** Unix ms when the probe started. */
  readonly at: number;
  readonly durationMs: number;
  /**
   * Set when the result says nothing about the backend: a *TOUT taken while the prober's event
   * loop was stalled for at least half the timeout (stall guard), a local
   * shortage (EMFILE …) or a lost shard. The checker must not record it.
   */
  readonly discarded?: boolean;
  /** Why, when discarded. */
  readonly discardReason?: DiscardReason;
  /** The prober's worst event-loop lag during the probe, when measured (for probe-discarded logs). */
  readonly lagMs?: number;
}

export interface TransitionRecord {
  readonly from: BackendState;
  readonly to: BackendState;
  /** Unix ms. */
  readonly at: number;
  readonly code: ProbeCode | OperatorCode;
  readonly detail: string;
}

/** Every probe code, in the order of its number on the wire (native/probe-engine.c uses the same numbers). */
export const probeCodes: readonly ProbeCode[] = ['L4OK', 'L4TOUT', 'L4CON', 'SOCKERR', 'L6OK', 'L6TOUT', 'L6RSP', 'L7OK', 'L7TOUT', 'L7RSP', 'L7STS'];

/** The codes of a passed probe. */
export function isPassCode(code: ProbeCode): boolean {
  return code === 'L4OK' || code === 'L6OK' || code === 'L7OK';
}

/** The codes of a probe that ran out of time (the only ones the stall guard may discard). */
export function isTimeoutCode(code: ProbeCode): boolean {
  return code === 'L4TOUT' || code === 'L6TOUT' || code === 'L7TOUT';
}

/** The layer that goes with each probe code. */
export const probeCodeLayer: Readonly<Record<ProbeCode, ProbeLayer>> = {
  L4OK: 'L4',
  L4TOUT: 'L4',
  L4CON: 'L4',
  SOCKERR: 'L4',
  L6OK: 'L6',
  L6TOUT: 'L6',
  L6RSP: 'L6',
  L7OK: 'L7',
  L7TOUT: 'L7',
  L7RSP: 'L7',
  L7STS: 'L7',
};
