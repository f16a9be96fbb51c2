// Counting tcp checks by their SYNs (bench/syn-counter.c) for every checker of a tcp run, since
// HAProxy's half-open L4 checks never reach the fleet's accept(). Wraps the fleet so its counts
// carry the SYNs; without CAP_NET_RAW or a compiler the run falls back to accepted connections.

import { compileBenchC, startReporting } from './c-program.js';
import type { FleetCounts, ProbeFleet } from './probe-fleet.js';

/** "syns=123" → 123. Pure. */
export function parseSynReport(line: string): number | undefined {
  const m = /^syns=(\d+)$/.exec(line.trim());
  return m === null ? undefined : Number(m[1]);
}

/** The fleet with SYN counts added, or the reason it could not be counted that way. */
export async function countSyns(fleet: ProbeFleet, dir: string): Promise<{ fleet: ProbeFleet } | { error: string }> {
  const built = compileBenchC('syn-counter', dir);
  if (!built.ok) return { error: built.error };
  let counter;
  try {
    counter = await startReporting('syn-counter', built.path, [String(fleet.port)], parseSynReport);
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n').slice(0, 3).join(' ') : String(e) };
  }
  const { part } = counter;
  return {
    fleet: {
      ...fleet,
      label: `${fleet.label}, SYNs counted on lo`,
      async counts(): Promise<FleetCounts> {
        const [c, syns] = await Promise.all([fleet.counts(), counter.report()]);
        return { ...c, syns };
      },
      async stop() {
        await part.stop();
        await fleet.stop();
      },
    },
  };
}
