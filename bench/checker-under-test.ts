// What probe-throughput needs from each checker it compares (maglevd, HAProxy, the C floor): its
// process, a reading of its own counters at each edge of the measured window, and what those
// say about the window. CPU, RSS and the check count come from outside (/proc and the fleet),
// the same way for every checker.

import type { ProbeType } from './probe-throughput-options.js';

export interface OwnFigures {
  /** Checks the checker itself counted in the window, when it counts them. */
  readonly checks?: number;
  /** Failed checks it counted in the window. */
  readonly failed?: number;
  /** p99 of how late checks started against their schedule, in ms; undefined when not known. */
  readonly latenessP99Ms?: number;
  /** Short remarks for the table's note column. */
  readonly notes: readonly string[];
}

export interface CheckerUnderTest {
  /** Row label, e.g. "maglevd 0.1.0" or "HAProxy 2.6.12". */
  readonly label: string;
  readonly pid: number;
  hasExited(): boolean;
  /** The last lines of its output, for error reports. */
  tail(): string;
  /** Reads its own counters; called once right before the window opens and once right after it closes. */
  mark(): Promise<void>;
  /** Its own figures between the two marks. */
  own(): OwnFigures;
  stop(): Promise<void>;
}

/** How a run is set up, for each checker to build its configuration from. */
export interface CheckTarget {
  readonly type: ProbeType;
  /** Backend addresses in order (consecutive, from 127.1.0.1). */
  readonly addresses: readonly string[];
  readonly port: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** A temp dir the checker may write its config and sockets to. */
  readonly dir: string;
  /** maglevd only: the health check keeps its connection between probes (reuse-connection). */
  readonly reuseConnection?: boolean;
}
