// Test helper: runs the BUILT maglevd (bin/maglevd.js → dist/) as a child process, the way an
// operator does, on kernel-chosen loopback ports, and collects its JSON log lines so tests can
// wait for events. Requires `npm run build` (CI builds before the tests).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [attr: string]: unknown;
}

export interface MaglevdProcess {
  readonly child: ChildProcess;
  /** host:port of the gRPC API. */
  readonly grpcAddr: string;
  /** host:port of /metrics, when enabled. */
  readonly metricsAddr: string | undefined;
  readonly configPath: string;
  readonly logs: LogLine[];
  readonly stderr: () => string;
  /** Resolves with the first log line (already seen or future) matching pred. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Rewrites the config file (for reloads). */
  writeConfig(text: string): void;
  /** Sends a signal and waits for exit; resolves with the exit code (or 128+signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number>;
}

export interface MaglevdSpawnOptions {
  readonly config: string;
  /** api.sock path; omitted → VPP integration disabled (empty flag). */
  readonly vppApi?: string;
  /** stats.sock path; omitted → no stats segment. */
  readonly vppStats?: string;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  readonly metrics?: boolean;
  readonly extraArgs?: readonly string[];
  /** How long to wait for the listeners (default 15 s). */
  readonly startTimeoutMs?: number;
  /** Run under `prlimit --nofile=N` (a lowered file-descriptor limit). */
  readonly nofile?: number;
}

const bin = fileURLToPath(new URL('../../bin/maglevd.js', import.meta.url));

/** Environment for children: without tap's --import loaders (maglevd runs compiled JS). */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

export async function spawnMaglevd(o: MaglevdSpawnOptions): Promise<MaglevdProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'maglevd-test-'));
  const configPath = join(dir, 'maglev.yaml');
  writeFileSync(configPath, o.config);
  const args = [
    bin,
    '--config',
    configPath,
    '--grpc-addr',
    '127.0.0.1:0',
    '--metrics-addr',
    o.metrics === false ? '' : '127.0.0.1:0',
    '--vpp-api-addr',
    o.vppApi ?? '',
    '--vpp-stats-addr',
    o.vppStats ?? '',
    '--log-level',
    o.logLevel ?? 'info',
    ...(o.extraArgs ?? []),
  ];
  const [cmd, cmdArgs] = o.nofile === undefined ? [process.execPath, args] : ['prlimit', [`--nofile=${o.nofile}`, process.execPath, ...args]];
  const child = spawn(cmd, cmdArgs, { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const waiters = new Set<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let buf = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let rec: LogLine;
      try {
        rec = JSON.parse(line) as LogLine;
      } catch {
        continue;
      }
      logs.push(rec);
      for (const w of waiters) {
        if (w.pred(rec)) {
          waiters.delete(w);
          w.resolve(rec);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, sig) => resolve(code ?? 128 + (sig === 'SIGKILL' ? 9 : 15))));

  const waitForLog = (pred: (l: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> => {
    const seen = logs.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const w = {
        pred,
        resolve: (l: LogLine) => {
          clearTimeout(t);
          resolve(l);
        },
      };
      const t = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`maglevd: no matching log line within ${timeoutMs} ms; last lines:\n${logs.slice(-8).map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${err}`));
      }, timeoutMs);
      waiters.add(w);
    });
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 8000): Promise<number> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(t);
    rmSync(dir, { recursive: true, force: true });
    return code;
  };

  try {
    const startTimeout = o.startTimeoutMs ?? 15_000;
    const grpc = await Promise.race([
      waitForLog((l) => l.msg === 'grpc-listen', startTimeout),
      exited.then((code) => Promise.reject(new Error(`maglevd exited with ${code} before listening: ${err}${logs.map((l) => JSON.stringify(l)).join('\n')}`))),
    ]);
    const metrics = o.metrics === false ? undefined : await waitForLog((l) => l.msg === 'metrics-listen', startTimeout);
    return {
      child,
      grpcAddr: String(grpc.addr),
      metricsAddr: metrics === undefined ? undefined : String(metrics.addr),
      configPath,
      logs,
      stderr: () => err,
      waitForLog,
      writeConfig: (text) => writeFileSync(configPath, text),
      stop,
    };
  } catch (e) {
    await stop('SIGKILL');
    throw e;
  }
}
