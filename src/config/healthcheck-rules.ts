// Semantic rules and defaults for `maglev.healthchecks`: ports, interval bounds,
// rise/fall, probe source families, and the type-specific params. A params key that exists in
// the schema but does not apply to the check's type or settings is ignored with a warning.

import type { HealthCheck, HealthCheckType, HttpCheckParams, TcpCheckParams } from '../shared/config.js';
import type { HealthCheckDraft, ParamsDraft } from './draft.js';
import type { IssueCollector, Located } from './issue.js';
import { checkAddress, checkIntRange, checkMinDuration, checkName, missing } from './value-rules.js';
import { quoteSnippet } from './snippet.js';
import { regexpSyntaxError } from '../shared/response-regexp.js';
import { checkSlowStartKeys } from './slow-start-rules.js';
import { checkAgent } from './agent-rules.js';

const minIntervalMs = 50;
const defaults = { intervalMs: 2000, timeoutMs: 1000, rise: 2, fall: 3 } as const;
const responseCodePattern = /^([0-9]{3})(?:-([0-9]{3}))?$/;

type ParamKey = keyof ParamsDraft;

const paramKeyNames: Readonly<Record<ParamKey, string>> = {
  path: 'path',
  host: 'host',
  responseCode: 'response-code',
  responseRegexp: 'response-regexp',
  serverName: 'server-name',
  insecureSkipVerify: 'insecure-skip-verify',
  ssl: 'ssl',
};

/** Which params keys a check uses; the reason is the warning text for the others. */
function paramApplies(type: HealthCheckType, key: ParamKey, p: ParamsDraft): { applies: boolean; why: string } {
  const notForType = { applies: false, why: `does not apply to ${type} health checks; ignored` };
  const http: readonly ParamKey[] = ['path', 'host', 'responseCode', 'responseRegexp'];
  switch (type) {
    case 'icmp':
      return notForType;
    case 'http':
      return http.includes(key) ? { applies: true, why: '' } : notForType;
    case 'https':
      return key !== 'ssl' ? { applies: true, why: '' } : notForType;
    case 'tcp':
      if (key === 'ssl') return { applies: true, why: '' };
      if (key === 'serverName' || key === 'insecureSkipVerify') {
        return p.ssl?.value === true ? { applies: true, why: '' } : { applies: false, why: 'applies only with ssl: true; ignored' };
      }
      return notForType;
    /* c8 ignore next 4: unreachable; the never check fails to compile if a case is missing */
    default: {
      const exhaustive: never = type;
      return exhaustive;
    }
  }
}

/** Parses `"200"`, `"200-399"` (100..599, min <= max); reports and returns undefined otherwise. */
function responseCodes(f: IssueCollector, v: Located<string> | undefined): [number, number] | undefined {
  if (v === undefined) return [200, 399];
  const m = responseCodePattern.exec(v.value);
  const min = Number(m?.[1]);
  const max = m?.[2] === undefined ? min : Number(m[2]);
  if (m === null || min < 100 || max > 599 || min > max) {
    f.error(v, `invalid response code ${quoteSnippet(v.value)}: expected "NNN" or "NNN-NNN" within 100-599, low to high`);
    return undefined;
  }
  return [min, max];
}

/** RE2 syntax, as upstream (Go's regexp); the message names the fragment and its character offset. */
function checkRegexp(f: IssueCollector, v: Located<string> | undefined): void {
  if (v === undefined) return;
  const e = regexpSyntaxError(v.value);
  if (e === undefined) return;
  f.error(v, `response-regexp does not compile (RE2 syntax): ${e.description} ${quoteSnippet(e.fragment)} at character ${e.offset + 1} of the pattern`);
}

/** Drops (with a warning) the params keys that do not apply; checks the rest. */
function checkParams(f: IssueCollector, type: HealthCheckType, p: ParamsDraft): { http?: HttpCheckParams; tcp?: TcpCheckParams } {
  const used: ParamsDraft = {};
  for (const key of Object.keys(paramKeyNames) as ParamKey[]) {
    const v = p[key];
    if (v === undefined) continue;
    const { applies, why } = paramApplies(type, key, p);
    if (applies) Object.assign(used, { [key]: v });
    else f.warn(v, `${paramKeyNames[key]} ${why}`);
  }
  if (type === 'tcp') {
    return { tcp: { ssl: used.ssl?.value ?? false, serverName: used.serverName?.value, insecureSkipVerify: used.insecureSkipVerify?.value ?? false } };
  }
  if (type === 'icmp') return {};
  if (used.path !== undefined && !used.path.value.startsWith('/')) f.error(used.path, `must start with "/", got ${quoteSnippet(used.path.value)}`);
  const codes = responseCodes(f, used.responseCode) ?? [200, 399];
  checkRegexp(f, used.responseRegexp);
  return {
    http: {
      path: used.path?.value ?? '/',
      host: used.host?.value,
      responseCodeMin: codes[0],
      responseCodeMax: codes[1],
      responseRegexp: used.responseRegexp?.value,
      serverName: used.serverName?.value,
      insecureSkipVerify: used.insecureSkipVerify?.value ?? false,
    },
  };
}

function checkHealthCheck(f: IssueCollector, d: HealthCheckDraft): HealthCheck | undefined {
  checkName(f, 'health check', d.name, d.at);
  if (d.type === undefined) missing(f, d.at, 'type');
  const type = d.type?.value;
  if (type === 'icmp') {
    if (d.port !== undefined) f.warn(d.port, 'port does not apply to icmp health checks; ignored');
  } else {
    if (type !== undefined && d.port === undefined) missing(f, d.at, 'port');
    checkIntRange(f, d.port, 1, 65535);
  }
  for (const v of [d.interval, d.fastInterval, d.downInterval]) checkMinDuration(f, v, minIntervalMs);
  if (d.timeout !== undefined && d.timeout.value <= 0) f.error(d.timeout, 'must be greater than 0');
  checkIntRange(f, d.rise, 1, 100);
  checkIntRange(f, d.fall, 1, 100);
  checkAddress(f, d.probeIpv4Src, 4);
  checkAddress(f, d.probeIpv6Src, 6);
  checkSlowStartKeys(f, d);
  const reuse = d.reuseConnection;
  if (reuse?.value === true && type !== undefined && type !== 'http' && type !== 'https') {
    f.error(reuse, `reuse-connection applies only to http and https health checks, not ${type}`);
  }
  const intervalMs = d.interval?.value ?? defaults.intervalMs;
  const agent = checkAgent(f, d.agent, { intervalMs, timeoutMs: d.timeout?.value ?? defaults.timeoutMs });
  if (type === undefined) return undefined;
  return {
    name: d.name,
    type,
    port: type === 'icmp' ? 0 : (d.port?.value ?? 0),
    intervalMs,
    fastIntervalMs: d.fastInterval?.value ?? intervalMs,
    downIntervalMs: d.downInterval?.value ?? intervalMs,
    timeoutMs: d.timeout?.value ?? defaults.timeoutMs,
    rise: d.rise?.value ?? defaults.rise,
    fall: d.fall?.value ?? defaults.fall,
    probeIpv4Src: d.probeIpv4Src?.value,
    probeIpv6Src: d.probeIpv6Src?.value,
    http: undefined,
    tcp: undefined,
    ...checkParams(f, type, d.params),
    ...(reuse?.value === true ? { reuseConnection: true } : {}),
    ...(agent === undefined ? {} : { agent }),
  };
}

/** Checks every health check; the map holds those that could be resolved (all of them when no error). */
export function checkHealthChecks(f: IssueCollector, drafts: readonly HealthCheckDraft[]): Map<string, HealthCheck> {
  const out = new Map<string, HealthCheck>();
  for (const d of drafts) {
    const hc = checkHealthCheck(f, d);
    if (hc !== undefined) out.set(d.name, hc);
  }
  return out;
}

