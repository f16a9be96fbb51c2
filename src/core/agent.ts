// The agent check (HAProxy `agent-check`): the backend's own agent answers one line that sets
// its administrative state and weight. This file holds the pure parts: the answer parser, how an
// answer moves the backend's agent verdict, and how a verdict bends the backend's health state
// and configured weight before weights.ts computes effective weights.
//
// Answer grammar (case-insensitive words separated by spaces, tabs or commas; at most one state
// word and one percentage): `up`, `down`, `drain`, `maint`, `N%` (N an integer 0..100).
// Anything else is a bad answer: the caller logs and counts it and keeps the current verdict.

import type { AgentCheck } from '../shared/config.js';
import type { BackendState } from '../shared/health.js';

/**
 * What the agent said about the backend. `up`: serve (at `percent` of the configured weight);
 * `drain`: weight 0 without flush (established flows finish, no new ones); `maint`: weight 0
 * with flush, like disabled but reversible by the agent; `down`: treated as down by health.
 */
export type AgentState = 'up' | 'drain' | 'maint' | 'down';

export const agentStates: readonly AgentState[] = ['up', 'drain', 'maint', 'down'];

export interface AgentVerdict {
  readonly state: AgentState;
  /** Percent of the configured weight, 0..100. */
  readonly percent: number;
}

/** Looks up a backend's agent verdict; undefined when it has no agent check. */
export type AgentOf = (backend: string) => AgentVerdict | undefined;

/** The verdict before the agent's first answer: no override. */
export const neutralAgentVerdict: AgentVerdict = { state: 'up', percent: 100 };

/** A parsed answer: the state and/or percentage it names (an absent one leaves the verdict's). */
export type AgentAnswer =
  | { readonly ok: true; readonly state: AgentState | undefined; readonly percent: number | undefined }
  | { readonly ok: false; readonly reason: string };

const percentPattern = /^([0-9]{1,3})%$/;

function bad(reason: string): AgentAnswer {
  return { ok: false, reason };
}

/** Parses one answer line (without its newline). */
export function parseAgentAnswer(line: string): AgentAnswer {
  const words = line.toLowerCase().split(/[\s,]+/).filter((w) => w !== '');
  if (words.length === 0) return bad('empty answer');
  let state: AgentState | undefined;
  let percent: number | undefined;
  for (const w of words) {
    const m = percentPattern.exec(w);
    if (m !== null) {
      const n = Number(m[1]);
      if (n > 100) return bad(`weight ${w} is above 100%`);
      if (percent !== undefined) return bad('more than one weight');
      percent = n;
    } else if ((agentStates as readonly string[]).includes(w)) {
      if (state !== undefined) return bad('more than one state');
      state = w as AgentState;
    } else {
      return bad(`unknown word "${w.length > 20 ? `${w.slice(0, 20)}…` : w}"`);
    }
  }
  return { ok: true, state, percent };
}

/** The verdict after a good answer: what it names changes, the rest stays. */
export function nextAgentVerdict(prev: AgentVerdict, a: { readonly state: AgentState | undefined; readonly percent: number | undefined }): AgentVerdict {
  return { state: a.state ?? prev.state, percent: a.percent ?? prev.percent };
}

export function sameAgentVerdict(a: AgentVerdict, b: AgentVerdict): boolean {
  return a.state === b.state && a.percent === b.percent;
}

/** `drain`, `up 50%`: how logs and the CLI show a verdict (the percentage only when not 100). */
export function formatAgentVerdict(v: AgentVerdict): string {
  return v.percent === 100 ? v.state : `${v.state} ${v.percent}%`;
}

/**
 * The state weights.ts computes with: the agent's `down` takes an up backend down, its `maint`
 * takes a probing backend (unknown, up, down) to disabled (weight 0 with flush). Operator states
 * (paused, disabled, removed) win over the agent.
 */
export function agentAdjustedState(state: BackendState, v: AgentVerdict | undefined): BackendState {
  if (v === undefined) return state;
  if (v.state === 'maint' && (state === 'up' || state === 'down' || state === 'unknown')) return 'disabled';
  if (v.state === 'down' && state === 'up') return 'down';
  return state;
}

/**
 * The weight weights.ts computes with: 0 while draining (or in maint), else `percent` of the
 * configured weight, rounded up so a non-zero share never becomes 0.
 */
export function agentAdjustedWeight(configured: number, v: AgentVerdict | undefined): number {
  if (v === undefined) return configured;
  if (v.state === 'drain' || v.state === 'maint') return 0;
  return Math.ceil((configured * v.percent) / 100);
}

/** Same agent check definition (a reload that keeps it keeps the agent's verdict and loop). */
export function sameAgentCheck(a: AgentCheck | undefined, b: AgentCheck | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.port === b.port && a.intervalMs === b.intervalMs && a.timeoutMs === b.timeoutMs && a.send === b.send;
}
