// The one seam between probe-throughput and the flap/detection bench (bench/detection.ts, which
// exports runDetectionBench(options)): `--detection` loads it at run time when it exists, so this
// bench works with or without it.

import { existsSync } from 'node:fs';

/** What probe-throughput hands the detection bench: the run shape from its own flags. */
export interface DetectionRequest {
  readonly type: string;
  readonly backends: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** undefined → do not write RESULTS.md. */
  readonly resultsFile: string | undefined;
}

/** Runs the detection bench if bench/detection.ts is there; resolves with an exit code. */
export async function runDetectionIfAvailable(request: DetectionRequest): Promise<number> {
  if (!['./detection.ts', './detection.js'].some((f) => existsSync(new URL(f, import.meta.url)))) {
    console.error('probe-throughput: the detection bench is not available here (bench/detection.ts is missing)');
    return 1;
  }
  const specifier = './detection.js'; // not a literal: typechecks while the module is absent
  const mod: unknown = await import(specifier);
  const run = (mod as { runDetectionBench?: unknown }).runDetectionBench;
  if (typeof run !== 'function') {
    console.error('probe-throughput: bench/detection.ts does not export runDetectionBench');
    return 1;
  }
  const result: unknown = await (run as (o: DetectionRequest) => unknown)(request);
  return typeof result === 'number' ? result : 0;
}
