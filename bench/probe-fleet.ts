// The fleet every checker of a probe-throughput run checks in turn: backends on distinct
// loopback addresses (127.1.0.1 onwards), one port, all healthy, answering GET /healthz with 200.
// It counts what it serves, which is how the bench counts every checker's checks the same way.

import type { ProbeType } from './probe-throughput-options.js';

export interface FleetCounts {
  /** TCP connections accepted (a tcp check is one). */
  readonly connections: number;
  /** HTTP requests answered (an http or https check is one). */
  readonly requests: number;
  /** SYNs sent to the port, when counted (bench/syn-counter.ts): a tcp check is one, half-open or not. */
  readonly syns?: number;
}

export interface ProbeFleet {
  /** What serves the backends, e.g. "nginx/1.22.1 (1 worker)". */
  readonly label: string;
  readonly port: number;
  /** Cumulative counts since start, the bench's own status reads already taken out. */
  counts(): Promise<FleetCounts>;
  /** CPU ticks of every process of the fleet (reported, never charged to a checker). */
  cpuTicks(): number;
  stop(): Promise<void>;
}

/** The count that is one per completed check of this type. */
export function checksIn(type: ProbeType, c: FleetCounts): number {
  return type === 'tcp' ? (c.syns ?? c.connections) : c.requests;
}

/** First backend address; the rest follow consecutively (src/fleet/fleet-addresses.ts). */
export const firstBackend = '127.1.0.1';
