// Test helpers for the VPP client and simulator: a simulator on a fresh unix socket under
// os.tmpdir() (closed and removed at teardown), a Logger that records events, and a poll helper
// for waiting on socket I/O while a ManualClock drives the timers.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogAttrs, Logger, LogLevel } from '../../src/shared/log.js';
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

export interface LogEvent {
  readonly level: LogLevel;
  readonly msg: string;
  readonly attrs: LogAttrs;
}

/** A Logger that keeps every record (all levels). */
export function recordingLogger(): Logger & { readonly events: LogEvent[]; named(msg: string): LogEvent[] } {
  const events: LogEvent[] = [];
  const make = (bindings: LogAttrs): Logger => {
    const emit = (level: LogLevel) => (msg: string, attrs?: LogAttrs) => events.push({ level, msg, attrs: { ...bindings, ...attrs } });
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), enabled: () => true, child: (b) => make({ ...bindings, ...b }) };
  };
  return Object.assign(make({}), { events, named: (msg: string) => events.filter((e) => e.msg === msg) });
}

/** Polls cond every few ms until it holds; throws after timeoutMs. */
export async function until(cond: () => boolean, what = 'condition', timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
