// The maglevd-frontend entry point (§1.8, §1.4): flags and env to options, --help and --version,
// then the dashboard until SIGTERM or SIGINT (graceful; a second signal exits at once). SIGHUP is
// ignored so a closed terminal does not stop it. Returns the exit code (§1.6: 0 clean, 1 runtime
// failure such as an unusable listen address, 2 usage) so bin/maglevd-frontend.js stays a one-liner.

import { buildInfo } from '../generated/build-info.js';
import { createRealClock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import { createLogger } from '../shared/log.js';
import { routeGrpcLogs } from '../api/grpc-log.js';
import { adminCredentialsFromEnv } from './basic-auth.js';
import { startDashboard } from './dashboard.js';
import { frontendExitCodes, frontendUsage, parseFrontendOptions } from './frontend-options.js';

/** Where the entry point prints; lines get their newline added. */
export interface MainOutput {
  out(line: string): void;
  err(line: string): void;
}

function processOutput(): MainOutput {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}

interface StopSignals {
  /** The first SIGTERM or SIGINT. */
  readonly first: Promise<NodeJS.Signals>;
  /** Removes every handler installed here. */
  dispose(): void;
}

/** SIGHUP ignored; the first SIGTERM/SIGINT resolves `first`, a second one exits at once. */
function watchStopSignals(): StopSignals {
  const ignore = (): void => {};
  const hard = (): never => process.exit(frontendExitCodes.ok);
  let onSignal: (sig: NodeJS.Signals) => void = ignore;
  const first = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (sig) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.once('SIGTERM', hard);
      process.once('SIGINT', hard);
      resolve(sig);
    };
  });
  process.on('SIGHUP', ignore);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    first,
    dispose() {
      for (const sig of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) {
        process.off(sig, ignore);
        process.off(sig, onSignal);
        process.off(sig, hard);
      }
    },
  };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: MainOutput = processOutput()): Promise<number> {
  const parsed = parseFrontendOptions(argv, env);
  if (!parsed.ok) {
    io.err(`maglevd-frontend: ${parsed.message}`);
    io.err("run 'maglevd-frontend -help' for usage");
    return frontendExitCodes.usage;
  }
  const o = parsed.options;
  if (o.help) {
    io.out(frontendUsage());
    return frontendExitCodes.ok;
  }
  if (o.version) {
    io.out(`maglevd-frontend ${buildInfo.version} (commit ${buildInfo.commit}, built ${buildInfo.date})`);
    return frontendExitCodes.ok;
  }
  const logger = createLogger({ level: o.logLevel });
  routeGrpcLogs(logger);
  logger.info('starting', { version: buildInfo.version, commit: buildInfo.commit, date: buildInfo.date });
  const admin = adminCredentialsFromEnv(env);
  if (admin === undefined) logger.info('admin-disabled', { reason: 'MAGLEV_FRONTEND_USER or MAGLEV_FRONTEND_PASSWORD unset' });
  const signals = watchStopSignals();
  try {
    let dashboard;
    try {
      dashboard = await startDashboard({ servers: o.servers, listen: o.listen, clock: createRealClock(), logger, admin, limits: o.limits, consistencyGraceMs: o.consistencyGraceMs });
    } catch (e) {
      logger.error('startup-error', { err: errorMessage(e) });
      return frontendExitCodes.failed;
    }
    logger.info('shutdown', { signal: await signals.first });
    await dashboard.stop();
    return frontendExitCodes.ok;
  } finally {
    signals.dispose();
  }
}
