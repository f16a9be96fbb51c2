// maglevc's command line (behaviour.md §1.7): `maglevc [--server host:port] [--color[=bool]]
// [--version] [command ...]` in Go flag syntax (src/shared/go-flags.ts), MAGLEV_SERVER, and the
// colour rule: on in the shell, off in one-shot mode, NO_COLOR off unless --color=true.

import { formatFlagUsage, parseFlags, type FlagSpec } from '../shared/go-flags.js';
import { serverTarget } from './server-address.js';

export const maglevcExitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export const maglevcFlags = [
  { name: 'server', kind: 'string', env: 'MAGLEV_SERVER', default: 'localhost:9090', usage: 'maglevd gRPC address (host[:port], port 9090 when omitted)' },
  { name: 'color', kind: 'bool', usage: 'colour output (default: on in the shell, off for one-shot commands)' },
  { name: 'version', kind: 'bool', default: false, usage: 'print version, commit and build date, then exit' },
  { name: 'help', aliases: ['h'], kind: 'bool', default: false, usage: 'print this usage, then exit' },
] as const satisfies readonly FlagSpec[];

export interface MaglevcOptions {
  readonly server: string;
  /** undefined: not given on the command line. */
  readonly color: boolean | undefined;
  readonly version: boolean;
  readonly help: boolean;
  /** The command words; empty → interactive shell. */
  readonly words: readonly string[];
}

export type MaglevcOptionsResult = { readonly ok: true; readonly options: MaglevcOptions } | { readonly ok: false; readonly message: string };

export function parseMaglevcOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): MaglevcOptionsResult {
  const p = parseFlags(maglevcFlags, argv, env);
  if (!p.ok) return { ok: false, message: p.message };
  const v = p.values;
  if (v.server === '') return { ok: false, message: 'invalid value "" for --server: expected host:port' };
  return { ok: true, options: { server: serverTarget(v.server), color: v.color, version: v.version, help: v.help, words: p.args } };
}

/** An explicit --color wins; else NO_COLOR (non-empty) turns it off; else on only in the shell. */
export function useColor(flag: boolean | undefined, interactive: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (flag !== undefined) return flag;
  if ((env.NO_COLOR ?? '') !== '') return false;
  return interactive;
}

export function maglevcUsage(): string {
  return (
    'Usage: maglevc [--server host:port] [--color[=bool]] [--version] [command ...]\n\n' +
    'Without a command, maglevc opens an interactive shell (Tab completes, ? helps).\n\n' +
    `Flags:\n${formatFlagUsage(maglevcFlags, '--').trimEnd()}`
  );
}
