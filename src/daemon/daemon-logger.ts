// maglevd's root logger and the WatchEvents hub it taps: records go to stdout and to the streams
// that asked for their level. The hub logs nothing itself; a stream it cuts off as too slow is
// reported back here and logged as `event-drop` through this same logger, so the record also
// reaches the other streams.

import type { DestinationStream } from 'pino';
import { WatchEventHub } from '../control/grpc-watch-hub.js';
import { createLogger, type LogLevel, type Logger } from '../shared/log.js';

export interface DaemonLoggerOptions {
  readonly level: LogLevel;
  /** Where JSON log lines go; default stdout. */
  readonly destination?: DestinationStream;
  /** Per-stream queue of the hub; default 4096. */
  readonly queueLimit?: number;
}

export function createDaemonLogger(opts: DaemonLoggerOptions): { readonly logger: Logger; readonly hub: WatchEventHub } {
  // The one back edge of the logger ⇄ hub pair is this callback: it first runs once some stream
  // exists, long after `logger` is set.
  const hub = new WatchEventHub({ queueLimit: opts.queueLimit, onDrop: (peer, queued) => logger.warn('event-drop', { peer, queued }) });
  const logger = createLogger({ level: opts.level, tap: hub, destination: opts.destination });
  return { logger, hub };
}
