// The soak's end check, once flapping has stopped: does the dataplane hold what it should? Two
// questions, kept apart so an overloaded test rig is not mistaken for a control-plane bug:
//   reconciler: do the simulator's AS weights match maglevd's OWN backend states (/metrics)?
//   truth:      do they match the fleet's up/down state (what the probes should have found)?
// Both are polled for up to a minute; each reports the first moment it held.

import type { MaglevClient } from '../src/api/maglev-client.js';
import { expectedWeights, weightMismatches, type SoakLayout, type WeightTable } from './soak-layout.js';
import { backendStates } from './soak-sample.js';

export interface Convergence {
  /** The dataplane matched maglevd's own states at some poll. */
  readonly reconcilerOk: boolean;
  /** The dataplane matched the fleet at some poll. */
  readonly truthOk: boolean;
  /** Seconds after the check started at which each held (undefined: never). */
  readonly reconcilerAfterS: number | undefined;
  readonly truthAfterS: number | undefined;
  /** Mismatches of the last poll (truth first, else reconciler). */
  readonly mismatches: string[];
  /** Backends whose maglevd state disagreed with the fleet at the last poll. */
  readonly wrongStates: number;
  /** The fleet reports exactly the down set the flapper recorded. */
  readonly fleetAgrees: boolean;
}

export interface ConvergenceProbe {
  readonly client: MaglevClient;
  readonly layout: SoakLayout;
  readonly controlUrl: string;
  readonly metricsUrl: string;
  /** What the flapper believes is down. */
  readonly down: ReadonlySet<string>;
  readonly timeoutMs?: number;
}

/** What the simulator holds, read through maglevd's GetVPPLBState (in-use ASes only). */
async function dataplaneWeights(client: MaglevClient): Promise<WeightTable> {
  const state = await client.getVppLbState();
  const out: WeightTable = new Map();
  for (const vip of state.vips) {
    const ases = new Map<string, number>();
    for (const as of vip.application_servers) if ((as.flags & 1) === 1) ases.set(as.address, as.weight);
    out.set(vip.prefix, ases);
  }
  return out;
}

async function getText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  return res.text();
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function awaitConvergence(o: ConvergenceProbe): Promise<Convergence> {
  const fleet = JSON.parse(await getText(`${o.controlUrl}/backends`)) as { address: string; behaviour: { kind: string } }[];
  const fleetDown = new Set(fleet.filter((b) => b.behaviour.kind !== 'up').map((b) => b.address));
  const fleetAgrees = fleetDown.size === o.down.size && [...o.down].every((a) => fleetDown.has(a));
  const truth = expectedWeights(o.layout, (a) => !fleetDown.has(a));
  const addressOf = new Map(o.layout.backends.map((b) => [b.name, b.address]));
  const t0 = performance.now();
  const since = (): number => Math.round((performance.now() - t0) / 100) / 10;
  let reconcilerAfterS: number | undefined;
  let truthAfterS: number | undefined;
  let mismatches: string[] = ['not read yet'];
  let wrongStates = -1;
  while (performance.now() - t0 < (o.timeoutMs ?? 60_000)) {
    try {
      const states = backendStates(await getText(`${o.metricsUrl}/metrics`));
      const upByMaglevd = new Set([...states].filter(([, s]) => s === 'up').map(([name]) => addressOf.get(name)));
      wrongStates = o.layout.backends.filter((b) => upByMaglevd.has(b.address) === fleetDown.has(b.address)).length;
      const have = await dataplaneWeights(o.client);
      const vsTruth = weightMismatches(truth, have);
      const vsOwn = weightMismatches(expectedWeights(o.layout, (a) => upByMaglevd.has(a)), have);
      if (vsOwn.length === 0) reconcilerAfterS ??= since();
      if (vsTruth.length === 0) truthAfterS ??= since();
      mismatches = vsTruth.length > 0 ? vsTruth : vsOwn;
      if (reconcilerAfterS !== undefined && truthAfterS !== undefined) break;
    } catch (e) {
      mismatches = [`reading the state failed: ${message(e)}`];
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return {
    reconcilerOk: reconcilerAfterS !== undefined,
    truthOk: truthAfterS !== undefined,
    reconcilerAfterS,
    truthAfterS,
    mismatches,
    wrongStates,
    fleetAgrees,
  };
}
