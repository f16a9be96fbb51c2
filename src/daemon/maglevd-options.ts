// The command-line contract of maglevd (§1.3, §1.6): its flags with their environment
// variables and defaults, the typed options they produce, and the process exit codes.
// Every value is validated here, so a bad flag or env value fails at startup (exit 3).

import { formatFlagUsage, parseFlags, type FlagSpec } from '../shared/go-flags.js';
import { parseListenAddress, type ListenAddress } from '../shared/listen-address.js';
import { isLogLevel, type LogLevel } from '../shared/log.js';
import { defaultGrpcConnectionLimits, type GrpcConnectionLimits } from '../control/grpc-server.js';

export const maglevdExitCodes = {
  ok: 0,
  /** The config cannot be read or parsed, or has structural errors. */
  configParse: 1,
  /** The config is semantically invalid. */
  configSemantic: 2,
  /** Any other startup failure: bad flag or env value, cannot listen. */
  startup: 3,
} as const;

export const maglevdFlags = [
  { name: 'config', kind: 'string', env: 'MAGLEV_CONFIG', default: '/etc/vpp-maglev/maglev.yaml', usage: 'YAML config path' },
  { name: 'grpc-addr', kind: 'string', env: 'MAGLEV_GRPC_ADDR', default: '127.0.0.1:9090', usage: 'gRPC listen address (host:port, :port or [v6]:port); loopback by default' },
  { name: 'metrics-addr', kind: 'string', env: 'MAGLEV_METRICS_ADDR', default: '127.0.0.1:9091', usage: 'HTTP listen address for /metrics; empty disables it; loopback by default' },
  { name: 'vpp-api-addr', kind: 'string', env: 'MAGLEV_VPP_API_ADDR', default: '/run/vpp/api.sock', usage: 'VPP binary-API socket; empty disables all VPP integration' },
  { name: 'vpp-stats-addr', kind: 'string', env: 'MAGLEV_VPP_STATS_ADDR', default: '/run/vpp/stats.sock', usage: 'VPP stats socket; empty disables the stats segment' },
  { name: 'log-level', kind: 'string', env: 'MAGLEV_LOG_LEVEL', default: 'info', usage: 'debug, info, warn or error' },
  { name: 'check', kind: 'bool', default: false, usage: 'validate the config and exit (0 valid, 1 parse error, 2 semantic error)' },
  {
    name: 'preview-against',
    kind: 'string',
    default: '',
    usage: "with --check: ask the maglevd at this gRPC address what the config would do to each VIP's new flows (3 if it cannot answer)",
  },
  { name: 'reflection', kind: 'bool', default: true, usage: 'serve gRPC server reflection' },
  {
    name: 'probe-duration-per-backend',
    kind: 'bool',
    env: 'MAGLEV_PROBE_DURATION_PER_BACKEND',
    default: true,
    usage: 'label maglev_probe_duration_seconds by backend and type; false keeps one histogram per check type',
  },
  { name: 'grpc-max-connections', kind: 'string', env: 'MAGLEV_GRPC_MAX_CONNECTIONS', default: String(defaultGrpcConnectionLimits.maxConnections), usage: 'open gRPC connections at most; more are closed at once' },
  { name: 'grpc-handshake-timeout', kind: 'duration', env: 'MAGLEV_GRPC_HANDSHAKE_TIMEOUT', default: defaultGrpcConnectionLimits.handshakeMs, usage: 'close a gRPC connection that has not started HTTP/2 by then (0: never)' },
  { name: 'grpc-idle-timeout', kind: 'duration', env: 'MAGLEV_GRPC_IDLE_TIMEOUT', default: defaultGrpcConnectionLimits.idleMs, usage: 'close a gRPC connection without calls for this long (0: never)' },
  { name: 'grpc-max-connection-age', kind: 'duration', env: 'MAGLEV_GRPC_MAX_CONNECTION_AGE', default: defaultGrpcConnectionLimits.maxAgeMs, usage: 'send GOAWAY to gRPC connections this old (0: never)' },
  { name: 'grpc-max-connection-age-grace', kind: 'duration', env: 'MAGLEV_GRPC_MAX_CONNECTION_AGE_GRACE', default: defaultGrpcConnectionLimits.maxAgeGraceMs, usage: 'then cut their calls after this long (0: never)' },
  { name: 'version', kind: 'bool', default: false, usage: 'print version, commit and build date, then exit' },
  { name: 'help', aliases: ['h'], kind: 'bool', default: false, usage: 'print this usage, then exit' },
] as const satisfies readonly FlagSpec[];

export interface MaglevdOptions {
  readonly config: string;
  readonly grpcAddr: ListenAddress;
  /** undefined: the metrics listener is disabled. */
  readonly metricsAddr: ListenAddress | undefined;
  /** undefined: all VPP integration is disabled. */
  readonly vppApiAddr: string | undefined;
  /** undefined: the stats segment is disabled (§5.7 fallback). */
  readonly vppStatsAddr: string | undefined;
  readonly logLevel: LogLevel;
  readonly check: boolean;
  /** --check only: the running maglevd's gRPC address to preview the config against. */
  readonly previewAgainst: string | undefined;
  readonly reflection: boolean;
  /** maglev_probe_duration_seconds per backend (default) or per check type only. */
  readonly probeDurationPerBackend: boolean;
  /** --grpc-max-connections, --grpc-handshake-timeout, --grpc-idle-timeout, --grpc-max-connection-age(-grace). */
  readonly grpcLimits: GrpcConnectionLimits;
  readonly version: boolean;
  readonly help: boolean;
}

export type MaglevdOptionsResult = { readonly ok: true; readonly options: MaglevdOptions } | { readonly ok: false; readonly message: string };

function invalid(flag: string, value: string, expected: string): MaglevdOptionsResult {
  return { ok: false, message: `invalid value ${JSON.stringify(value)} for --${flag}: ${expected}` };
}

/** Flags beat env, which beats defaults; every value is checked. */
export function parseMaglevdOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): MaglevdOptionsResult {
  const parsed = parseFlags(maglevdFlags, argv, env);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  if (parsed.args.length > 0) return { ok: false, message: `unexpected argument ${JSON.stringify(parsed.args[0])}` };
  const v = parsed.values;
  if (v.config === '') return invalid('config', v.config, 'a config file path is required');
  const grpcAddr = parseListenAddress(v['grpc-addr']);
  if (grpcAddr === undefined) return invalid('grpc-addr', v['grpc-addr'], 'expected host:port, :port or [v6]:port');
  const metricsAddr = v['metrics-addr'] === '' ? undefined : parseListenAddress(v['metrics-addr']);
  if (v['metrics-addr'] !== '' && metricsAddr === undefined) {
    return invalid('metrics-addr', v['metrics-addr'], 'expected host:port, :port, [v6]:port or empty');
  }
  const logLevel = v['log-level'];
  if (!isLogLevel(logLevel)) return invalid('log-level', logLevel, 'expected debug, info, warn or error');
  const maxConnections = /^[0-9]{1,6}$/.test(v['grpc-max-connections']) ? Number(v['grpc-max-connections']) : 0;
  if (maxConnections < 1) return invalid('grpc-max-connections', v['grpc-max-connections'], 'expected an integer from 1 to 999999');
  if (v['preview-against'] !== '' && !v.check) return { ok: false, message: '--preview-against needs --check' };
  return {
    ok: true,
    options: {
      config: v.config,
      grpcAddr,
      metricsAddr,
      vppApiAddr: v['vpp-api-addr'] === '' ? undefined : v['vpp-api-addr'],
      vppStatsAddr: v['vpp-stats-addr'] === '' ? undefined : v['vpp-stats-addr'],
      logLevel,
      check: v.check,
      previewAgainst: v['preview-against'] === '' ? undefined : v['preview-against'],
      reflection: v.reflection,
      probeDurationPerBackend: v['probe-duration-per-backend'],
      grpcLimits: {
        maxConnections,
        handshakeMs: v['grpc-handshake-timeout'],
        idleMs: v['grpc-idle-timeout'],
        maxAgeMs: v['grpc-max-connection-age'],
        maxAgeGraceMs: v['grpc-max-connection-age-grace'],
      },
      version: v.version,
      help: v.help,
    },
  };
}

export function maglevdUsage(): string {
  return `Usage: maglevd [flags]\n\nHealth-checking control plane for the VPP lb (Maglev) plugin.\n\nFlags:\n${formatFlagUsage(maglevdFlags, '--').trimEnd()}`;
}
