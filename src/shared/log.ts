// Structured event log: pino JSON lines on stdout shaped like Go slog records
// ({"time","level","msg",...attrs}), where msg is always a kebab-case event name.
// Every record is also offered to an optional tap (WatchEvents subscribers) at its own level,
// and a record is built only when stdout or the tap wants its level.

import { pino, type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export type LogValue = string | number | boolean | bigint | null | undefined;
export type LogAttrs = Readonly<Record<string, LogValue>>;

/** A record as subscribers see it: attribute values as strings. */
export interface LogRecord {
  readonly at: number;
  readonly level: LogLevel;
  readonly msg: string;
  readonly attrs: ReadonlyArray<readonly [string, string]>;
}

/** Receives every record at or above the level it asks for. */
export interface LogTap {
  /** The lowest level any subscriber wants, or undefined when nobody listens. */
  wantedLevel(): LogLevel | undefined;
  write(record: LogRecord): void;
}

export interface Logger {
  debug(msg: string, attrs?: LogAttrs): void;
  info(msg: string, attrs?: LogAttrs): void;
  warn(msg: string, attrs?: LogAttrs): void;
  error(msg: string, attrs?: LogAttrs): void;
  /** True when a record at this level would go anywhere (stdout or tap). */
  enabled(level: LogLevel): boolean;
  /** A logger whose records carry these attributes too (e.g. { component: 'reconciler' }). */
  child(bindings: LogAttrs): Logger;
}

export function isLogLevel(s: string): s is LogLevel {
  return (logLevels as readonly string[]).includes(s);
}

export function levelRank(l: LogLevel): number {
  return logLevels.indexOf(l);
}

function attrString(v: LogValue): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where JSON lines go; default stdout. */
  readonly destination?: DestinationStream;
  readonly tap?: LogTap;
}

/** Builds the root logger. */
export function createLogger(opts: LoggerOptions): Logger {
  const out = pino(
    {
      level: opts.level,
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    // Asynchronous: a synchronous write per line put a syscall on the probe and VPP-write path
    // of every transition, and slept the main thread while a slow reader (journald, a pipe) had
    // the pipe full. pino flushes what is buffered when the process exits; past 16 MiB of
    // unwritten lines (a reader stuck for good) new lines are dropped rather than stall the daemon.
    opts.destination ?? pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 }),
  );
  return wrap(out, opts.level, opts.tap, {});
}

/** A logger that drops everything; for tests and tools that do not log. */
export function createSilentLogger(): Logger {
  const noop = (): void => {};
  const silent: Logger = { debug: noop, info: noop, warn: noop, error: noop, enabled: () => false, child: () => silent };
  return silent;
}

function wrap(out: pino.Logger, stdoutLevel: LogLevel, tap: LogTap | undefined, bindings: LogAttrs): Logger {
  const stdoutRank = levelRank(stdoutLevel);
  const enabled = (level: LogLevel): boolean => {
    if (levelRank(level) >= stdoutRank) return true;
    const w = tap?.wantedLevel();
    return w !== undefined && levelRank(level) >= levelRank(w);
  };
  const emit = (level: LogLevel, msg: string, attrs: LogAttrs | undefined): void => {
    if (!enabled(level)) return;
    const all = attrs === undefined ? bindings : { ...bindings, ...attrs };
    if (levelRank(level) >= stdoutRank) out[level](all, msg);
    const w = tap?.wantedLevel();
    if (tap !== undefined && w !== undefined && levelRank(level) >= levelRank(w)) {
      const pairs: Array<readonly [string, string]> = [];
      for (const [k, v] of Object.entries(all)) if (v !== undefined) pairs.push([k, attrString(v)]);
      tap.write({ at: Date.now(), level, msg, attrs: pairs });
    }
  };
  return {
    debug: (m, a) => emit('debug', m, a),
    info: (m, a) => emit('info', m, a),
    warn: (m, a) => emit('warn', m, a),
    error: (m, a) => emit('error', m, a),
    enabled,
    child: (more) => wrap(out, stdoutLevel, tap, { ...bindings, ...more }),
  };
}
