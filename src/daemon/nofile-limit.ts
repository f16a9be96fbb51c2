// maglevd's descriptor limit at start: the soft RLIMIT_NOFILE raised to the hard one (Node
// usually did so already when it started; this makes it explicit and visible), then the fd
// budget that keeps a reserve for probes (fd-budget.ts), logged as `fd-limits`.

import type { Config } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { loadNative } from '../shared/native.js';
import { fdBudget, type FdBudget } from './fd-budget.js';

function limitText(n: number): number | string {
  return Number.isFinite(n) ? n : 'unlimited';
}

/** Raises the soft limit and computes the budget; without the addon the limit counts as unknown (no cut). */
export function startFdBudget(config: Config, grpcMaxConnections: number, logger: Logger): FdBudget {
  let soft = Number.POSITIVE_INFINITY;
  let hard = Number.POSITIVE_INFINITY;
  let before = Number.POSITIVE_INFINITY;
  let raiseError: string | undefined;
  try {
    const native = loadNative();
    ({ soft, hard } = native.getNofileLimit());
    before = soft;
    if (soft < hard) {
      try {
        native.setNofileLimit(hard);
      } catch (e) {
        raiseError = errorMessage(e); // e.g. an unlimited hard limit above fs.nr_open
      }
      soft = native.getNofileLimit().soft;
    }
  } catch (e) {
    raiseError = errorMessage(e);
  }
  const probedBackends = [...config.backends.values()].filter((b) => b.healthcheck !== undefined).length;
  const budget = fdBudget({ limit: soft, probedBackends, grpcMaxConnections });
  const attrs = {
    soft: limitText(soft),
    hard: limitText(hard),
    raisedFrom: before < soft ? before : undefined,
    raiseError,
    backends: probedBackends,
    probeReserve: budget.probeReserve,
    grpcMaxConnections: budget.grpcMaxConnections,
    grpcConfigured: grpcMaxConnections,
    metricsMaxConnections: budget.metricsMaxConnections,
  };
  if (budget.short) logger.warn('fd-limits', { ...attrs, problem: 'the descriptor limit is too low for the probe reserve; raise LimitNOFILE' });
  else if (budget.grpcCapped) logger.warn('fd-limits', { ...attrs, problem: 'gRPC connection cap lowered to keep descriptors for probes' });
  else logger.info('fd-limits', attrs);
  return budget;
}
