// The command-line contract of maglevd-frontend (§1.8, §1.6): `-server a,b` (required), `-listen`
// (default 127.0.0.1:9092: loopback unless the operator chooses to expose it), `-log-level`,
// `-consistency-grace` (how long LB hosts may disagree on a VIP's table before it is reported),
// `-version`, `-help`, each with its environment variable, in Go flag syntax. Pure.

import { formatFlagUsage, parseFlags, type FlagSpec } from '../shared/go-flags.js';
import { isLogLevel, type LogLevel } from '../shared/log.js';
import { parseListenAddress, type ListenAddress } from '../shared/listen-address.js';
import { defaultFrontendLimits, type FrontendLimits } from './frontend-server.js';

export const frontendExitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export const defaultFrontendListen = '127.0.0.1:9092';

export const frontendFlags = [
  { name: 'server', kind: 'string', env: 'MAGLEV_FRONTEND_SERVER', usage: 'comma-separated maglevd gRPC addresses (required)' },
  { name: 'listen', kind: 'string', env: 'MAGLEV_FRONTEND_LISTEN', default: defaultFrontendListen, usage: 'HTTP listen address (host:port, :port or [v6]:port)' },
  { name: 'log-level', kind: 'string', env: 'MAGLEV_FRONTEND_LOG_LEVEL', default: 'info', usage: 'debug, info, warn or error' },
  { name: 'allowed-hosts', kind: 'string', env: 'MAGLEV_FRONTEND_ALLOWED_HOSTS', default: '', usage: 'comma-separated host names served besides IP literals, localhost and the -listen host (others get 421)' },
  { name: 'sse-max-streams', kind: 'string', env: 'MAGLEV_FRONTEND_SSE_MAX_STREAMS', default: String(defaultFrontendLimits.maxStreams), usage: 'open event streams at most (more get 503)' },
  { name: 'sse-max-streams-per-client', kind: 'string', env: 'MAGLEV_FRONTEND_SSE_MAX_STREAMS_PER_CLIENT', default: String(defaultFrontendLimits.maxStreamsPerClient), usage: 'open event streams per client address at most' },
  {
    name: 'consistency-grace',
    kind: 'duration',
    env: 'MAGLEV_FRONTEND_CONSISTENCY_GRACE',
    default: 30_000,
    usage: "how long the maglevds may disagree on a VIP's new-flow table before a vip-divergence log line and metric",
  },
  { name: 'version', kind: 'bool', default: false, usage: 'print version, commit and build date, then exit' },
  { name: 'help', aliases: ['h'], kind: 'bool', default: false, usage: 'print this usage, then exit' },
] as const satisfies readonly FlagSpec[];

export interface FrontendOptions {
  /** Every maglevd, in the order given, duplicates dropped; each is a scope. */
  readonly servers: readonly string[];
  readonly listen: ListenAddress;
  readonly logLevel: LogLevel;
  /** -allowed-hosts, -sse-max-streams, -sse-max-streams-per-client. */
  readonly limits: FrontendLimits;
  readonly consistencyGraceMs: number;
  readonly version: boolean;
  readonly help: boolean;
}

export type FrontendOptionsResult = { readonly ok: true; readonly options: FrontendOptions } | { readonly ok: false; readonly message: string };

export function parseFrontendOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): FrontendOptionsResult {
  const p = parseFlags(frontendFlags, argv, env);
  if (!p.ok) return { ok: false, message: p.message };
  if (p.args.length > 0) return { ok: false, message: `unexpected argument ${JSON.stringify(p.args[0])}` };
  const v = p.values;
  const listen = parseListenAddress(v.listen);
  if (listen === undefined) return { ok: false, message: `invalid value ${JSON.stringify(v.listen)} for -listen: expected host:port, :port or [v6]:port` };
  if (!isLogLevel(v['log-level'])) return { ok: false, message: `invalid value ${JSON.stringify(v['log-level'])} for -log-level: expected debug, info, warn or error` };
  const servers = [...new Set((v.server ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const counts: Record<string, number> = {};
  for (const flag of ['sse-max-streams', 'sse-max-streams-per-client'] as const) {
    const n = /^[0-9]{1,6}$/.test(v[flag]) ? Number(v[flag]) : 0;
    if (n < 1) return { ok: false, message: `invalid value ${JSON.stringify(v[flag])} for -${flag}: expected an integer from 1 to 999999` };
    counts[flag] = n;
  }
  const limits: FrontendLimits = {
    ...defaultFrontendLimits,
    maxStreams: counts['sse-max-streams']!,
    maxStreamsPerClient: counts['sse-max-streams-per-client']!,
    allowedHosts: v['allowed-hosts'].split(',').map((h) => h.trim()).filter((h) => h !== ''),
  };
  const options = { servers, listen, logLevel: v['log-level'], limits, consistencyGraceMs: v['consistency-grace'], version: v.version, help: v.help };
  if (servers.length === 0 && !v.version && !v.help) return { ok: false, message: '-server is required (comma-separated maglevd addresses)' };
  return { ok: true, options };
}

export function frontendUsage(): string {
  return (
    'Usage: maglevd-frontend -server addr[,addr...] [-listen addr] [-log-level level] [-consistency-grace duration] [-version]\n\n' +
    'Web dashboard for one or more maglevd. /admin/ needs MAGLEV_FRONTEND_USER and MAGLEV_FRONTEND_PASSWORD.\n\n' +
    `Flags:\n${formatFlagUsage(frontendFlags).trimEnd()}`
  );
}
