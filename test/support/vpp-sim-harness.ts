// Test helpers for the VPP client and simulator: a simulator on a fresh unix socket under
// os.tmpdir() (closed and removed at teardown).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVppSim, type VppSim, type VppSimOptions } from '../../src/vpp/sim/vppsim.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh directory under os.tmpdir(), removed at teardown. */
export function tempDir(t: Teardown, prefix = 'vppsim-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a simulator on <tmp>/api.sock (small filler table unless asked) and closes it at teardown. */
export async function startTestSim(t: Teardown, opts: Partial<VppSimOptions> = {}): Promise<{ sim: VppSim; apiSocket: string; dir: string }> {
  const dir = tempDir(t);
  const apiSocket = path.join(dir, 'api.sock');
  const sim = await startVppSim({ fillerMessages: 200, ...opts, apiSocket });
  t.teardown(() => sim.close());
  return { sim, apiSocket, dir };
}
