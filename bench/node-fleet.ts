// The fleet when nginx is not installed: our own bin/maglev-fleet.js (one Node process, a
// listener per backend address), counted through its control endpoint's per-backend stats.
// Slower than nginx per answer; the bench says which fleet served a run.

import { binPath, startPart } from './soak-process.js';
import { cpuTicks } from './process-sampler.js';
import { firstBackend, type FleetCounts, type ProbeFleet } from './probe-fleet.js';
import type { ProbeType } from './probe-throughput-options.js';

interface BackendStatsRow {
  readonly connections: number;
  readonly requests: number;
}

export async function startNodeFleet(type: ProbeType, count: number): Promise<ProbeFleet> {
  const args = [binPath('maglev-fleet'), '--count', String(count), '--first', firstBackend, '--http-port', '0', '--control-port', '0'];
  const part = startPart('maglev-fleet', type === 'https' ? [...args, '--https-port', '0'] : args);
  let ready: { httpPort: number; httpsPort?: number; controlPort: number };
  try {
    ready = JSON.parse(await part.waitForLine(/fleet-ready/, 120_000)) as typeof ready;
  } catch (e) {
    await part.stop();
    throw e;
  }
  const port = type === 'https' ? (ready.httpsPort ?? NaN) : ready.httpPort;
  return {
    label: 'maglev-fleet (bin/maglev-fleet.js)',
    port,
    async counts(): Promise<FleetCounts> {
      const rows = (await (await fetch(`http://127.0.0.1:${ready.controlPort}/backends`)).json()) as BackendStatsRow[];
      return rows.reduce((sum, r) => ({ connections: sum.connections + r.connections, requests: sum.requests + r.requests }), { connections: 0, requests: 0 });
    },
    cpuTicks: () => cpuTicks(part.pid),
    stop: async () => void (await part.stop()),
  };
}
