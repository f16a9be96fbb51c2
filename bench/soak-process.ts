// The benches' child processes (simulator, fleet, maglevd; nginx, haproxy, the C floor checker):
// the built bins spawned without any loader, their output kept as a bounded tail, lines offered
// to a callback, and a stop that escalates from SIGTERM to SIGKILL so that nothing outlives a run.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Absolute path of bin/<name>.js (they import the compiled dist/). */
export function binPath(name: string): string {
  return join(root, 'bin', `${name}.js`);
}

/**
 * The Node flags a bin's first line gives (`#!/usr/bin/env -S node --flag ...`), so that a bench
 * running `node bin/x.js` starts it as the installed /usr/sbin/x (which the kernel runs through
 * that line) does. Pure.
 */
export function shebangNodeFlags(firstLine: string): string[] {
  const m = /^#!\S*\/env\s+-S\s+node\s+(.*)$/.exec(firstLine.trim());
  return m?.[1] === undefined ? [] : m[1].split(/\s+/).filter((s) => s !== '');
}

/**
 * node's arguments to run bin/<name>.js: its shebang's flags, those of BENCH_NODE_FLAGS (to
 * measure other heap sizing, e.g. the memory mode of docs/install.md), then `extra` (which win),
 * then the file.
 */
export function binArgs(name: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): string[] {
  const path = binPath(name);
  const fromEnv = (env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter((s) => s !== '');
  return [...shebangNodeFlags(readFileSync(path, 'utf8').split('\n', 1)[0] ?? ''), ...fromEnv, ...extra, path];
}

export interface ChildPart {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (128+n for a signal) once the process is gone. */
  readonly exited: Promise<number>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last ~20 kB of stdout+stderr. */
  tail(): string;
  /** Resolves with the first line (already seen or future) matching re. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when gone. */
  stop(graceMs?: number): Promise<number>;
}

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGABRT: 6, SIGSEGV: 11 };

/** Every part started and not yet gone, so an interrupted bench can stop them all. */
const live = new Set<ChildPart>();

/** Stops every part still running (SIGTERM, then SIGKILL after graceMs), e.g. on SIGINT. */
export async function stopLiveParts(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(graceMs)));
}

/** Lines matching `keep` are remembered for later waitForLine calls beyond the first 200 lines. */
export function startPart(name: string, args: readonly string[], onLine?: (line: string) => void, keep?: RegExp): ChildPart {
  return startProgram(name, process.execPath, args, onLine, keep);
}

/** startPart for any executable (nginx, haproxy, the C floor checker). */
export function startProgram(name: string, command: string, args: readonly string[], onLine?: (line: string) => void, keep?: RegExp): ChildPart {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the parts run compiled JavaScript: no tsx loader in them
  const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  let tail = '';
  let gone = false;
  const seen: string[] = []; // the first 200 lines and those matching keep, for late waiters
  const waiters = new Set<{ re: RegExp; resolve: (l: string) => void }>();
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, sig) => {
      gone = true;
      resolve(code ?? 128 + (sig === null ? 0 : (signalNumbers[sig] ?? 0)));
    }),
  );
  const take = (stream: NodeJS.ReadableStream): void => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-20_000);
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (seen.length < 200 || keep?.test(line) === true) seen.push(line);
        for (const w of waiters) {
          if (w.re.test(line)) {
            waiters.delete(w);
            w.resolve(line);
          }
        }
        onLine?.(line);
      }
    });
  };
  take(child.stdout);
  take(child.stderr);

  const waitForLine = (re: RegExp, timeoutMs: number): Promise<string> => {
    const found = seen.find((l) => re.test(l));
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = {
        re,
        resolve: (l: string) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms:\n${tail.slice(-3000)}`));
      }, timeoutMs);
      waiters.add(w);
      void exited.then((code) => {
        if (!waiters.delete(w)) return;
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before printing ${re}:\n${tail.slice(-3000)}`));
      });
    });
  };

  const stop = async (graceMs = 8000): Promise<number> => {
    if (!gone) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!gone) child.kill('SIGKILL');
    }, graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const part: ChildPart = { name, child, pid: child.pid, exited, hasExited: () => gone, tail: () => tail, waitForLine, stop };
  live.add(part);
  void exited.then(() => live.delete(part));
  return part;
}
