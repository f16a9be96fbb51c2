// Test helper (not a test): a Logger that records every record in memory, so tests can assert
// on event names and attributes without parsing stdout.

import type { LogAttrs, Logger, LogLevel } from '../../src/shared/log.js';

export interface RecordedLog {
  readonly level: LogLevel;
  readonly msg: string;
  readonly attrs: LogAttrs;
}

export class RecordingLogger implements Logger {
  readonly records: RecordedLog[];
  readonly #bindings: LogAttrs;
  debugEnabled: boolean;

  constructor(opts: { debug?: boolean } = {}, records: RecordedLog[] = [], bindings: LogAttrs = {}) {
    this.records = records;
    this.#bindings = bindings;
    this.debugEnabled = opts.debug ?? true;
  }

  debug(msg: string, attrs?: LogAttrs): void {
    if (this.debugEnabled) this.#add('debug', msg, attrs);
  }
  info(msg: string, attrs?: LogAttrs): void {
    this.#add('info', msg, attrs);
  }
  warn(msg: string, attrs?: LogAttrs): void {
    this.#add('warn', msg, attrs);
  }
  error(msg: string, attrs?: LogAttrs): void {
    this.#add('error', msg, attrs);
  }
  enabled(level: LogLevel): boolean {
    return level !== 'debug' || this.debugEnabled;
  }
  child(bindings: LogAttrs): Logger {
    const c = new RecordingLogger({ debug: this.debugEnabled }, this.records, { ...this.#bindings, ...bindings });
    return c;
  }

  /** Records with this event name. */
  named(msg: string): RecordedLog[] {
    return this.records.filter((r) => r.msg === msg);
  }

  #add(level: LogLevel, msg: string, attrs: LogAttrs | undefined): void {
    this.records.push({ level, msg, attrs: { ...this.#bindings, ...attrs } });
  }
}
