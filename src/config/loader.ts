// Loads maglev.yaml into the immutable Config: YAML parse with positions, then the
// structural stage (schema and types, stage 'parse', exit 1), then the semantic stage (rules
// and defaults, stage 'semantic', exit 2). Each stage reports all of its problems at once, and
// a file with structural problems is not checked semantically. parseConfig is pure.
// Texts over the limits of limits.ts (16 MiB, flow nesting 64) are refused before parsing,
// and files are read only up to the size limit. Messages quote the file only through
// snippet.ts, and at most maxReportedIssues issues are reported (then one that counts the rest).

import { open } from 'node:fs/promises';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { Config } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { sortIssues, type ConfigIssue } from './issue.js';
import { configLimitIssue, headOf, maxConfigBytes, oversizeIssue } from './limits.js';
import { checkConfigDraft } from './semantics.js';
import { boundedParserMessage } from './snippet.js';
import { readConfigDraft } from './structure.js';

export { formatIssue, type ConfigIssue } from './issue.js';
export { referencedBackends } from '../core/config-queries.js';
export { maxConfigBytes } from './limits.js';

export type ConfigStage = 'parse' | 'semantic';

export type ConfigLoad =
  | { readonly ok: true; readonly config: Config; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly stage: ConfigStage; readonly errors: readonly ConfigIssue[] };

/** The most errors (and warnings) a load reports; a 16 MiB file can hold hundreds of thousands. */
export const maxReportedIssues = 100;

/** Sorted, and cut to maxReportedIssues plus one issue, at the first left out, that counts them. */
function reported(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const sorted = sortIssues(issues);
  const next = sorted[maxReportedIssues];
  if (next === undefined) return sorted;
  const more = sorted.length - maxReportedIssues;
  return [...sorted.slice(0, maxReportedIssues), { ...next, message: `${more} more problems from here on are not shown` }];
}

function failed(stage: ConfigStage, errors: readonly ConfigIssue[]): ConfigLoad {
  return { ok: false, stage, errors: reported(errors) };
}

/** Whether parseConfig and loadConfigFile deep-freeze the config (the default). */
export interface ConfigLoadOptions {
  /** false in a worker thread: freezing does not survive the copy to the main thread. */
  readonly freeze?: boolean;
}

/** Makes a Map read-only at run time too: ReadonlyMap is only a compile-time promise. */
function lockMap(m: Map<unknown, unknown>): void {
  const refuse = (): never => {
    throw new TypeError('the config is immutable');
  };
  for (const method of ['set', 'delete', 'clear']) Object.defineProperty(m, method, { value: refuse });
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v);
    lockMap(value);
  } else {
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return Object.freeze(value);
}

function yamlMessage(e: YAMLError): string {
  return e.code === 'MULTIPLE_DOCS' ? 'the file must hold exactly one YAML document' : boundedParserMessage(e.message);
}

/** A load with its config deep-frozen (a config that crossed threads arrives unfrozen). */
export function freezeConfigLoad(load: ConfigLoad): ConfigLoad {
  return load.ok ? { ...load, config: deepFreeze(load.config) } : load;
}

/** Parses and validates config text. Pure: no I/O. */
export function parseConfig(text: string, opts: ConfigLoadOptions = {}): ConfigLoad {
  const limit = configLimitIssue(text);
  if (limit !== undefined) return failed('parse', [limit]);
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    // Duplicate keys are found by the structural stage, which knows their key path.
    uniqueKeys: false,
    strict: true,
    version: '1.2',
  });
  const yamlProblems: YAMLError[] = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    // The tree of a document with syntax errors is not worth reading: report those alone.
    return failed(
      'parse',
      yamlProblems.map((e) => ({ path: '', ...lines.linePos(e.pos[0]), message: `YAML: ${yamlMessage(e)}` })),
    );
  }
  const structure = readConfigDraft(doc, lines);
  if (structure.draft === undefined || structure.errors.length > 0) return failed('parse', structure.errors);
  const semantics = checkConfigDraft(structure.draft);
  if (semantics.config === undefined || semantics.errors.length > 0) return failed('semantic', semantics.errors);
  const load: ConfigLoad = { ok: true, config: semantics.config, warnings: reported(semantics.warnings) };
  return opts.freeze === false ? load : freezeConfigLoad(load);
}

/** At most limit + 1 bytes of a file, so a huge file (or /dev/zero) is never read whole. */
async function readBounded(path: string, limit: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= limit) {
      const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, limit + 1 - total));
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    return Buffer.concat(chunks, total);
  } finally {
    await file.close();
  }
}

/**
 * Reads and parses a config file. An unreadable file is a 'parse' failure with no position; a
 * file over maxConfigBytes is a 'parse' failure at the place where it crosses the limit.
 */
export async function loadConfigFile(path: string, opts: ConfigLoadOptions = {}): Promise<ConfigLoad> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(path, maxConfigBytes);
  } catch (e) {
    return failed('parse', [{ path: '', line: 0, col: 0, message: `cannot read config file: ${errorMessage(e)}` }]);
  }
  if (bytes.length > maxConfigBytes) return failed('parse', [oversizeIssue(headOf(bytes))]);
  return parseConfig(bytes.toString('utf8'), opts);
}
