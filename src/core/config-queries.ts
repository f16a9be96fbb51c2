// Questions the daemon asks of a loaded Config: whether two health-check definitions are the
// same (a reload keeps a probe loop running only then) and which backends are active
// (referenced by some frontend pool; unreferenced ones are neither probed nor listed).

import type { Config, HealthCheck, HttpCheckParams, TcpCheckParams } from '../shared/config.js';

function sameHttp(a: HttpCheckParams | undefined, b: HttpCheckParams | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.path === b.path &&
    a.host === b.host &&
    a.responseCodeMin === b.responseCodeMin &&
    a.responseCodeMax === b.responseCodeMax &&
    a.responseRegexp === b.responseRegexp &&
    a.serverName === b.serverName &&
    a.insecureSkipVerify === b.insecureSkipVerify
  );
}

function sameTcp(a: TcpCheckParams | undefined, b: TcpCheckParams | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ssl === b.ssl && a.serverName === b.serverName && a.insecureSkipVerify === b.insecureSkipVerify;
}

/** True when two health checks probe identically: every field compared, except the name. */
export function sameHealthCheck(a: HealthCheck, b: HealthCheck): boolean {
  return (
    a.type === b.type &&
    a.port === b.port &&
    a.intervalMs === b.intervalMs &&
    a.fastIntervalMs === b.fastIntervalMs &&
    a.downIntervalMs === b.downIntervalMs &&
    a.timeoutMs === b.timeoutMs &&
    a.rise === b.rise &&
    a.fall === b.fall &&
    a.probeIpv4Src === b.probeIpv4Src &&
    a.probeIpv6Src === b.probeIpv6Src &&
    sameHttp(a.http, b.http) &&
    sameTcp(a.tcp, b.tcp) &&
    (a.reuseConnection === true) === (b.reuseConnection === true)
  );
}

/** Names of the backends some frontend pool uses, in config order of the backends section. */
export function referencedBackends(config: Config): string[] {
  const used = new Set<string>();
  for (const fe of config.frontends.values()) for (const pool of fe.pools) for (const m of pool.members) used.add(m.backend);
  return [...config.backends.keys()].filter((name) => used.has(name));
}
