// The Piscina entry of a probe worker thread. Its one task is a long-lived shard: enter the
// health-check namespace FIRST (sockets made before setns stay outside), then build the probe
// environment and serve probe requests over the task's MessagePort until told to shut down.
// Everything else lives in modules tested in-process (coverage does not reach worker threads).

import { probeProtocolVersion, type ShardExit, type ShardTask } from '../shared/probe-messages.js';
import { enterNetns } from './netns.js';
import { ProbeShard } from './probe-shard.js';
import { LagMonitor } from './probes/lag-monitor.js';
import { createProbeEnv } from './probes/probe-env.js';

/** Piscina task function (pool option `name: 'runProbeShard'`). */
export async function runProbeShard(task: ShardTask): Promise<ShardExit> {
  if (task.v !== probeProtocolVersion) throw new Error(`probe protocol ${task.v} is not ${probeProtocolVersion}`);
  const entered = task.netns === '' ? undefined : enterNetns(task.netns);
  // Started with the first target of the JS probers: only their stall guard reads it, and its
  // 100 Hz tick would cost a shard of native probes more than their probes do.
  const lag = new LagMonitor();
  const env = createProbeEnv({ lag });
  // Close the ICMP sockets when the thread exits (process.exit, an uncaught exception). Belt and
  // braces: the addon's env teardown also closes watchers still live (and their fds), which is
  // what covers terminate() of a hung shard.
  const closeIcmp = (): void => env.icmp.close();
  process.on('exit', closeIcmp);
  try {
    const netnsError = entered?.ok === false ? entered.detail : undefined;
    return await new ProbeShard({
      shard: task.shard,
      port: task.port,
      ring: task.ring,
      requests: task.requests,
      tickMs: task.tickMs,
      env,
      netnsError,
      startLag: () => lag.start(),
    }).run();
  } finally {
    process.off('exit', closeIcmp);
    lag.stop();
  }
}
