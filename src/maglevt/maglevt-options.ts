// maglevt's command line in Go flag syntax (src/shared/go-flags.ts), plus our
// extensions for scripts and tests: -json (one JSON report per line; also chosen when stdout is
// not a terminal), -report-interval, -duration (stop after a while), and -http-ports /
// -https-ports (which VIP ports get HTTP(S) GETs instead of a TCP connect). Pure.

import { formatFlagUsage, parseFlags, type FlagSpec } from '../shared/go-flags.js';
import type { ProbePorts } from './vip-target.js';

export const maglevtExitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export const maglevtFlags = [
  { name: 'config', kind: 'repeat', default: ['/etc/vpp-maglev/maglev.yaml'], usage: 'maglev.yaml to read the frontends from' },
  { name: 'interval', kind: 'duration', default: 100, usage: 'probe cadence per VIP (±10% jitter)' },
  { name: 'timeout', kind: 'duration', default: 1000, usage: 'per-probe deadline' },
  { name: 'host', kind: 'string', usage: 'HTTP Host header and TLS SNI (default: the VIP address)' },
  { name: 'uri', kind: 'string', default: '/.well-known/ipng/healthz', usage: 'HTTP request path' },
  { name: 'header', kind: 'string', usage: 'response header whose values are tallied, e.g. X-Backend' },
  { name: 'insecure', kind: 'bool', default: false, usage: 'skip TLS certificate verification' },
  { name: 'keepalive', kind: 'bool', default: false, usage: 'reuse connections (default: a new connection per probe, so VPP re-hashes)' },
  { name: 'filter', kind: 'string', usage: 'regular expression on frontend names' },
  { name: 'http-ports', kind: 'string', default: '80', usage: 'comma-separated VIP ports probed with HTTP GET' },
  { name: 'https-ports', kind: 'string', default: '443', usage: 'comma-separated VIP ports probed with HTTPS GET' },
  { name: 'json', kind: 'bool', usage: 'print one JSON report per line instead of the terminal UI (default: when stdout is not a terminal)' },
  { name: 'report-interval', kind: 'duration', default: 1000, usage: 'JSON report cadence' },
  { name: 'duration', kind: 'duration', default: 0, usage: 'stop after this long (0: until q, Ctrl-C or SIGTERM)' },
  { name: 'version', kind: 'bool', default: false, usage: 'print version, commit and build date, then exit' },
  { name: 'help', aliases: ['h'], kind: 'bool', default: false, usage: 'print this usage, then exit' },
] as const satisfies readonly FlagSpec[];

export interface MaglevtOptions {
  readonly configs: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly host: string | undefined;
  readonly uri: string;
  readonly header: string | undefined;
  readonly insecure: boolean;
  readonly keepalive: boolean;
  readonly filter: RegExp | undefined;
  readonly ports: ProbePorts;
  /** undefined: not given (JSON when stdout is not a terminal). */
  readonly json: boolean | undefined;
  readonly reportIntervalMs: number;
  /** 0: run until stopped. */
  readonly durationMs: number;
  readonly version: boolean;
  readonly help: boolean;
}

export type MaglevtOptionsResult = { readonly ok: true; readonly options: MaglevtOptions } | { readonly ok: false; readonly message: string };

/** `80,8080` → [80, 8080]; '' → []; undefined when a member is not a port. */
export function parsePortList(text: string): number[] | undefined {
  if (text.trim() === '') return [];
  const ports = text.split(',').map((p) => p.trim());
  if (!ports.every((p) => /^[0-9]{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535)) return undefined;
  return ports.map(Number);
}

function compileFilter(source: string | undefined): { regexp: RegExp | undefined } | { error: string } {
  if (source === undefined || source === '') return { regexp: undefined };
  try {
    return { regexp: new RegExp(source) };
  } catch (e) {
    return { error: `invalid value ${JSON.stringify(source)} for flag -filter: ${(e as Error).message}` };
  }
}

export function parseMaglevtOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): MaglevtOptionsResult {
  const p = parseFlags(maglevtFlags, argv, env);
  if (!p.ok) return { ok: false, message: p.message };
  const v = p.values;
  const bad = (message: string): MaglevtOptionsResult => ({ ok: false, message });
  if (p.args.length > 0) return bad(`unexpected argument ${JSON.stringify(p.args[0])}`);
  for (const name of ['interval', 'timeout', 'report-interval'] as const) {
    if (!(v[name] > 0)) return bad(`invalid value for flag -${name}: must be more than 0s`);
  }
  if (!v.uri.startsWith('/')) return bad(`invalid value ${JSON.stringify(v.uri)} for flag -uri: must start with /`);
  const http = parsePortList(v['http-ports']);
  const https = parsePortList(v['https-ports']);
  if (http === undefined) return bad(`invalid value ${JSON.stringify(v['http-ports'])} for flag -http-ports: expected ports such as 80,8080`);
  if (https === undefined) return bad(`invalid value ${JSON.stringify(v['https-ports'])} for flag -https-ports: expected ports such as 443,8443`);
  const both = http.find((port) => https.includes(port));
  if (both !== undefined) return bad(`port ${both} is in both -http-ports and -https-ports`);
  const filter = compileFilter(v.filter);
  if ('error' in filter) return bad(filter.error);
  return {
    ok: true,
    options: {
      configs: v.config,
      intervalMs: v.interval,
      timeoutMs: v.timeout,
      host: v.host === '' ? undefined : v.host,
      uri: v.uri,
      header: v.header === '' ? undefined : v.header,
      insecure: v.insecure,
      keepalive: v.keepalive,
      filter: filter.regexp,
      ports: { http, https },
      json: v.json,
      reportIntervalMs: v['report-interval'],
      durationMs: v.duration,
      version: v.version,
      help: v.help,
    },
  };
}

export function maglevtUsage(): string {
  return (
    'Usage: maglevt [-config file]... [-interval dur] [-timeout dur] [-host str] [-uri path] [-header name]\n' +
    '               [-insecure[=bool]] [-keepalive] [-filter regex] [-json] [-duration dur] [-version]\n\n' +
    'Probes every VIP of the config(s) from outside the load balancer: HTTPS GET on -https-ports,\n' +
    'HTTP GET on -http-ports, TCP connect on other ports; all-port and UDP VIPs show n/a.\n' +
    'In a terminal it shows a live table (q or Ctrl-C quits); otherwise, or with -json, it prints\n' +
    'one JSON report per line every -report-interval.\n\n' +
    `Flags:\n${formatFlagUsage(maglevtFlags).trimEnd()}`
  );
}
