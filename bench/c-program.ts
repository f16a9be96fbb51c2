// The bench's own small C programs (the floor checker, the SYN counter): compiled with `cc -O2`
// into a run's temp dir at bench time, started, and read through the line each prints on SIGUSR1.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable, missingTool } from './host-tools.js';
import { startProgram, type ChildPart } from './soak-process.js';

export type Compiled = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly error: string };

/** Compiles bench/<name>.c into dir/<out>; the error says what to install when it fails. */
export function compileBenchC(name: string, dir: string, opts: { out?: string; flags?: readonly string[]; libs?: readonly string[]; hint?: string } = {}): Compiled {
  const cc = findExecutable('cc');
  if (cc === undefined) return { ok: false, error: missingTool('cc') };
  const path = join(dir, opts.out ?? name);
  const source = fileURLToPath(new URL(`./${name}.c`, import.meta.url));
  const args = ['-O2', ...(opts.flags ?? []), '-o', path, source, ...(opts.libs ?? [])];
  const r = spawnSync(cc, args, { encoding: 'utf8' });
  if (r.status === 0) return { ok: true, path };
  const why = (r.stderr || r.error?.message || '').trim().split('\n').slice(0, 3).join(' ');
  return { ok: false, error: `cc ${args.join(' ')} failed${opts.hint === undefined ? '' : ` (${opts.hint})`}: ${why}` };
}

export interface ReportingProgram<T> {
  readonly part: ChildPart;
  /** Sends SIGUSR1 and resolves with the report line it prints, parsed. */
  report(): Promise<T>;
}

/** Starts a compiled program, waits for its "ready" line; `parse` recognises its report lines. */
export async function startReporting<T>(name: string, path: string, args: readonly string[], parse: (line: string) => T | undefined): Promise<ReportingProgram<T>> {
  const pending: ((r: T) => void)[] = [];
  const part = startProgram(name, path, args, (line) => {
    const r = parse(line);
    if (r !== undefined) pending.shift()?.(r);
  });
  try {
    await part.waitForLine(/^ready$/, 10_000);
  } catch (e) {
    await part.stop();
    throw e;
  }
  return {
    part,
    report: () =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not report within 5 s:\n${part.tail().slice(-1000)}`)), 5000);
        pending.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
        part.child.kill('SIGUSR1');
      }),
  };
}
