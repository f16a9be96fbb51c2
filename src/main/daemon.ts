// Placeholder for the daemon's normal run path; the lead replaces this file with the wiring.

import type { MaglevdOptions } from './maglevd-options.js';

export async function runDaemon(_o: MaglevdOptions): Promise<number> {
  process.stderr.write('maglevd: daemon not wired yet\n');
  return Promise.resolve(3);
}
