// probe-throughput's command line: which check types and fleet sizes to run, the timing of each
// checker's run, which checkers, and where the results go. Pure apart from locating the default
// bench/RESULTS.md.

import { parseArgs } from 'node:util';
import { formatDurationMs, parseDurationMs } from '../src/shared/duration.js';

export type ProbeType = 'http' | 'tcp' | 'https';
export type CheckerName = 'maglevd' | 'maglevd-reuse' | 'haproxy' | 'floor';
export type FleetChoice = 'auto' | 'nginx' | 'maglev-fleet';

export interface ProbeThroughputOptions {
  readonly types: readonly ProbeType[];
  readonly sizes: readonly number[];
  /** undefined: 1 s, or 5 s from 50 000 backends up. */
  readonly intervalMs: number | undefined;
  readonly timeoutMs: number;
  /** Each checker runs this long; the first warmupMs are not measured. */
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly checkers: readonly CheckerName[];
  readonly fleet: FleetChoice;
  /** undefined → do not write RESULTS.md. */
  readonly resultsFile: string | undefined;
  /** Run bench/detection.ts instead of the throughput runs. */
  readonly detection: boolean;
  readonly help: boolean;
}

export const usage = `usage: npm run bench:probe-throughput -- [options]
       node --import tsx bench/probe-throughput.ts [options]     (after npm run build)

Checks one fleet of loopback backends with the built maglevd (a new connection per check, then
with reuse-connection), then HAProxy, then a minimal C checker (the floor), one after another,
and compares whole-process CPU per check.

  --type http|tcp|https[,...]    check types to run (default http)
  --backends N[,N...]            fleet sizes (default 10000; the targets are 2000, 10000, 50000)
  --interval D                   check interval (default 1s; 5s from 50000 backends up)
  --timeout D                    check timeout, at most the interval (default 1s)
  --duration D                   how long each checker runs (default 60s)
  --warmup D                     not measured at the start of each run (default 10s)
  --checkers maglevd,maglevd-reuse,haproxy,floor
                                 which checkers, in this order (default all four; maglevd-reuse
                                 is maglevd with reuse-connection: true, http and https only)
  --fleet auto|nginx|maglev-fleet    what serves the backends (default auto: nginx if installed)
  --results FILE | --no-results  append a section to FILE (default bench/RESULTS.md)
  --detection                    run bench/detection.ts (the flap/detection bench) instead
  --help                         print this and exit
Durations are Go-style: 500ms, 20s, 2m.`;

const probeTypes: readonly ProbeType[] = ['http', 'tcp', 'https'];
const checkerNames: readonly CheckerName[] = ['maglevd', 'maglevd-reuse', 'haproxy', 'floor'];
const fleetChoices: readonly FleetChoice[] = ['auto', 'nginx', 'maglev-fleet'];

function listOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').filter((s) => s !== '');
  const bad = items.find((s) => !(allowed as readonly string[]).includes(s));
  if (bad !== undefined || items.length === 0) throw new RangeError(`--${flag} takes ${allowed.join(', ')} (comma-separated); got ${JSON.stringify(text)}`);
  return items as T[];
}

function durationOf(flag: string, text: string, minMs: number): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms < minMs) throw new RangeError(`--${flag} must be a duration (like 500ms, 20s, 2m) of at least ${formatDurationMs(minMs)}; got ${JSON.stringify(text)}`);
  return ms;
}

export function parseProbeThroughputArgs(argv: readonly string[]): ProbeThroughputOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      type: { type: 'string', default: 'http' },
      backends: { type: 'string', default: '10000' },
      interval: { type: 'string' },
      timeout: { type: 'string', default: '1s' },
      duration: { type: 'string', default: '60s' },
      warmup: { type: 'string', default: '10s' },
      checkers: { type: 'string', default: checkerNames.join(',') },
      fleet: { type: 'string', default: 'auto' },
      results: { type: 'string' },
      'no-results': { type: 'boolean', default: false },
      detection: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const sizes = values.backends.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 60_000) throw new RangeError(`--backends takes integers in 1..60000 (comma-separated); got ${JSON.stringify(values.backends)}`);
    return n;
  });
  const intervalMs = values.interval === undefined ? undefined : durationOf('interval', values.interval, 10);
  const timeoutMs = durationOf('timeout', values.timeout, 1);
  if (timeoutMs > (intervalMs ?? 1000)) throw new RangeError('--timeout must not exceed --interval');
  const durationMs = durationOf('duration', values.duration, 5000);
  const warmupMs = durationOf('warmup', values.warmup, 0);
  if (durationMs - warmupMs < 5000) throw new RangeError('--duration must exceed --warmup by at least 5s (the measured window)');
  const fleets = listOf('fleet', values.fleet, fleetChoices);
  if (fleets.length !== 1) throw new RangeError(`--fleet takes one of ${fleetChoices.join(', ')}`);
  return {
    types: listOf('type', values.type, probeTypes),
    sizes,
    intervalMs,
    timeoutMs,
    durationMs,
    warmupMs,
    checkers: listOf('checkers', values.checkers, checkerNames),
    fleet: fleets[0] ?? 'auto',
    resultsFile: values['no-results'] ? undefined : (values.results ?? new URL('./RESULTS.md', import.meta.url).pathname),
    detection: values.detection,
    help: values.help,
  };
}

/** The interval a run uses: the flag, or 1 s (5 s from 50 000 backends up). */
export function intervalFor(o: Pick<ProbeThroughputOptions, 'intervalMs'>, backends: number): number {
  return o.intervalMs ?? (backends >= 50_000 ? 5000 : 1000);
}
