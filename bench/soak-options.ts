// The soak's command line: flags, defaults (5000 backends, 5 % flapping, 1 h, a sample every
// 10 s) and their validation. Pure apart from locating the default bench/RESULTS.md.

import { parseArgs } from 'node:util';
import { formatDurationMs, parseDurationMs } from '../src/shared/duration.js';

export interface SoakOptions {
  readonly backends: number;
  readonly flapPercent: number;
  readonly durationMs: number;
  /** Start of the growth verdict's windows (default: a quarter of the duration). */
  readonly warmupMs: number;
  readonly sampleMs: number;
  readonly flipEveryMs: number;
  readonly perFrontend: number;
  readonly seed: number;
  /** undefined → do not write RESULTS.md. */
  readonly resultsFile: string | undefined;
  /** Extra node flags for maglevd (e.g. --cpu-prof). */
  readonly nodeArgs: readonly string[];
}

export const usage = `usage: node --import tsx bench/soak.ts [--backends 5000] [--flap-percent 5] [--duration 1h] [--sample 10s] [--warmup 15m]
       [--flip-every 5s] [--per-frontend 20] [--seed 1] [--results bench/RESULTS.md | --no-results]
       [--node-arg=--cpu-prof ...]   (node flags for maglevd, repeatable)`;

export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      backends: { type: 'string', default: '5000' },
      'flap-percent': { type: 'string', default: '5' },
      duration: { type: 'string', default: '1h' },
      sample: { type: 'string', default: '10s' },
      warmup: { type: 'string' },
      'flip-every': { type: 'string', default: '5s' },
      'per-frontend': { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      results: { type: 'string' },
      'no-results': { type: 'boolean' },
      'node-arg': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const int = (name: string, text: string, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be an integer in ${min}..${max}`);
    return n;
  };
  const dur = (name: string, text: string, minMs: number): number => {
    const ms = parseDurationMs(text);
    if (ms === undefined || ms < minMs) throw new RangeError(`--${name} must be a duration (like 90s, 2m, 1h) of at least ${formatDurationMs(minMs)}`);
    return ms;
  };
  const flapPercent = Number(values['flap-percent']);
  if (!(flapPercent >= 0 && flapPercent <= 50)) throw new RangeError('--flap-percent must be in 0..50');
  const durationMs = dur('duration', values.duration, 20_000);
  const warmupMs = values.warmup === undefined ? durationMs / 4 : dur('warmup', values.warmup, 0);
  if (warmupMs > durationMs * 0.7) throw new RangeError('--warmup must leave at least 30 % of --duration for the growth windows');
  return {
    backends: int('backends', values.backends, 2, 60_000),
    flapPercent,
    durationMs,
    warmupMs,
    sampleMs: dur('sample', values.sample, 1000),
    flipEveryMs: dur('flip-every', values['flip-every'], 500),
    perFrontend: int('per-frontend', values['per-frontend'], 1, 1000),
    seed: int('seed', values.seed, 0, 2 ** 31),
    nodeArgs: values['node-arg'] ?? [],
    resultsFile: values['no-results'] === true ? undefined : (values.results ?? new URL('./RESULTS.md', import.meta.url).pathname),
  };
}
