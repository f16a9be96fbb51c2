// grpc-js writes its own diagnostics (e.g. `E No address added out of total 1 resolved` when a
// listen fails) to stderr as bare text lines, outside our JSON logs. maglevd and the dashboard
// route them through their logger instead, as `grpc-js` records with the text in `detail`.
// GRPC_VERBOSITY (ERROR by default, INFO, DEBUG, NONE) still decides how much grpc-js says.

import { setLogger } from '@grpc/grpc-js';
import { format } from 'node:util';
import type { Logger } from '../shared/log.js';

/** From now on, grpc-js logs (process-wide) go to `logger`. */
export function routeGrpcLogs(logger: Logger): void {
  const detail = (message: unknown, params: unknown[]): { detail: string } => ({ detail: format(message, ...params) });
  setLogger({
    error: (message?: unknown, ...params: unknown[]) => logger.error('grpc-js', detail(message, params)),
    info: (message?: unknown, ...params: unknown[]) => logger.info('grpc-js', detail(message, params)),
    debug: (message?: unknown, ...params: unknown[]) => logger.debug('grpc-js', detail(message, params)),
  });
}
