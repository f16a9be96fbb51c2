// One problem found in a config file: where it is (YAML key path and 1-based line:col) and what
// is wrong. Both validation stages and the warnings use this shape, so `--check`, the reload
// log and the CheckConfig RPC print every problem the same way.

/** A place in the file: the YAML key path and the 1-based position (0:0 when there is none). */
export interface ConfigLocation {
  readonly path: string;
  readonly line: number;
  readonly col: number;
}

export interface ConfigIssue extends ConfigLocation {
  readonly message: string;
}

/** A value read from the file, with the place it came from. */
export interface Located<T> extends ConfigLocation {
  readonly value: T;
}

/** `maglev.backends.a.address (12:14): message`; the path and position are left out when absent. */
export function formatIssue(i: ConfigIssue): string {
  const pos = i.line > 0 ? `(${i.line}:${i.col})` : '';
  const where = [i.path, pos].filter((s) => s !== '').join(' ');
  return where === '' ? i.message : `${where}: ${i.message}`;
}

export function issueAt(at: ConfigLocation, message: string): ConfigIssue {
  return { path: at.path, line: at.line, col: at.col, message };
}

/** Orders issues by position in the file (stable, so equal positions keep discovery order). */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Appends a key to a YAML path: `maglev` + `vpp` → `maglev.vpp`. */
export function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Collects the errors and warnings of one validation stage. */
export class IssueCollector {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];

  error(at: ConfigLocation, message: string): void {
    this.errors.push(issueAt(at, message));
  }

  warn(at: ConfigLocation, message: string): void {
    this.warnings.push(issueAt(at, message));
  }
}
