// The maglevd entry point: flags and env to options, then --help, --version, --check (validate
// the config, exit 0/1/2 per §1.6; with --preview-against, also what it would do to a running
// maglevd's VIPs) or the daemon's normal run. Returns the exit code instead of
// exiting, so bin/maglevd.js stays a one-liner and tests can call it in-process.

import { buildInfo } from '../generated/build-info.js';
import { formatIssue, loadConfigFile } from '../config/loader.js';
import { maglevdExitCodes, maglevdUsage, parseMaglevdOptions } from './maglevd-options.js';

/** Where the entry point prints; lines get their newline added. */
export interface MainOutput {
  out(line: string): void;
  err(line: string): void;
}

function processOutput(): MainOutput {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}

export function versionLine(program: string): string {
  return `${program} ${buildInfo.version} (commit ${buildInfo.commit}, built ${buildInfo.date})`;
}

/** `--check`: prints `config ok: <path>`, or each problem on its own line to stderr. */
export async function checkConfigFile(path: string, io: MainOutput): Promise<number> {
  const load = await loadConfigFile(path);
  if (!load.ok) {
    for (const e of load.errors) io.err(formatIssue(e));
    return load.stage === 'parse' ? maglevdExitCodes.configParse : maglevdExitCodes.configSemantic;
  }
  for (const w of load.warnings) io.err(`warning: ${formatIssue(w)}`);
  io.out(`config ok: ${path}`);
  return maglevdExitCodes.ok;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: MainOutput = processOutput()): Promise<number> {
  const parsed = parseMaglevdOptions(argv, env);
  if (!parsed.ok) {
    io.err(`maglevd: ${parsed.message}`);
    io.err("run 'maglevd --help' for usage");
    return maglevdExitCodes.startup;
  }
  const o = parsed.options;
  if (o.help) {
    io.out(maglevdUsage());
    return maglevdExitCodes.ok;
  }
  if (o.version) {
    io.out(versionLine('maglevd'));
    return maglevdExitCodes.ok;
  }
  if (o.check) {
    const code = await checkConfigFile(o.config, io);
    if (code !== maglevdExitCodes.ok || o.previewAgainst === undefined) return code;
    const { previewConfigAgainst } = await import('./config-preview.js');
    return previewConfigAgainst(o.config, o.previewAgainst, io);
  }
  // Loaded only here, so --version and --check do not pay for the daemon's imports (gRPC, VPP).
  const { runDaemon } = await import('./daemon.js');
  return runDaemon(o);
}
