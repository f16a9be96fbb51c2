// The semantic stage (§2.1 stage 2): checks a structurally valid draft against every rule of
// §2.3-§2.8, applies the defaults, and builds the typed Config. All errors and warnings of the
// stage are collected in one pass; a Config comes out only when there is no error.

import type { Config, HealthCheckerConfig, LbConfig } from '../shared/config.js';
import { formatDurationMs } from '../shared/duration.js';
import { checkBackends, warnUnreferencedBackends } from './backend-rules.js';
import type { ConfigDraft, HealthCheckerDraft, LbDraft } from './draft.js';
import { checkFrontends } from './frontend-rules.js';
import { checkHealthChecks } from './healthcheck-rules.js';
import { childPath, IssueCollector, type ConfigIssue } from './issue.js';
import { checkAddress, checkIntRange, checkMinDuration } from './value-rules.js';
import { quoteSnippet } from './snippet.js';

export interface SemanticResult {
  /** Set only when there are no errors. Not yet frozen. */
  readonly config: Config | undefined;
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
}

const netnsPattern = /^[A-Za-z0-9._-]{1,64}$/;
const lbDefaults = {
  syncIntervalMs: 30_000,
  stickyBucketsPerCore: 65536,
  flowTimeoutMs: 40_000,
  startupMinDelayMs: 5_000,
  startupMaxDelayMs: 30_000,
} as const;

function checkHealthChecker(f: IssueCollector, d: HealthCheckerDraft): HealthCheckerConfig {
  checkIntRange(f, d.transitionHistory, 1, 1000);
  if (d.netns !== undefined && d.netns.value !== '' && !netnsPattern.test(d.netns.value)) {
    f.error(d.netns, `invalid netns name ${quoteSnippet(d.netns.value)}: must match ${netnsPattern.source}`);
  }
  return { transitionHistory: d.transitionHistory?.value ?? 5, netns: d.netns?.value ?? '' };
}

function checkLb(f: IssueCollector, d: LbDraft): LbConfig {
  checkMinDuration(f, d.syncInterval, 1000);
  checkAddress(f, d.ipv4SrcAddress, 4);
  checkAddress(f, d.ipv6SrcAddress, 6);
  const buckets = d.stickyBucketsPerCore;
  if (buckets !== undefined && !(buckets.value >= 1 && buckets.value <= 2 ** 31 && Number.isInteger(Math.log2(buckets.value)))) {
    f.error(buckets, `must be a power of 2 between 1 and 2147483648, got ${buckets.value}`);
  }
  const flow = d.flowTimeout;
  if (flow !== undefined && (flow.value < 1000 || flow.value > 120_000 || flow.value % 1000 !== 0)) {
    f.error(flow, `must be a whole number of seconds from 1s to 120s, got ${formatDurationMs(flow.value)}`);
  }
  const maxDelay = d.startupMaxDelay?.value ?? lbDefaults.startupMaxDelayMs;
  // An unset min never exceeds the max, so `startup-max-delay: 0` alone disables the warmup.
  const minDelay = d.startupMinDelay?.value ?? Math.min(lbDefaults.startupMinDelayMs, maxDelay);
  if (minDelay > maxDelay) {
    // Point at whichever of the two the file sets; the max when both are there.
    const at = d.startupMaxDelay ?? d.startupMinDelay ?? d.at;
    f.error(at, `startup-min-delay (${formatDurationMs(minDelay)}) must not exceed startup-max-delay (${formatDurationMs(maxDelay)})`);
  }
  return {
    syncIntervalMs: d.syncInterval?.value ?? lbDefaults.syncIntervalMs,
    ipv4SrcAddress: d.ipv4SrcAddress?.value,
    ipv6SrcAddress: d.ipv6SrcAddress?.value,
    stickyBucketsPerCore: buckets?.value ?? lbDefaults.stickyBucketsPerCore,
    flowTimeoutS: (flow?.value ?? lbDefaults.flowTimeoutMs) / 1000,
    startupMinDelayMs: minDelay,
    startupMaxDelayMs: maxDelay,
  };
}

/** Runs every semantic rule over a draft; builds the Config when nothing is wrong. */
export function checkConfigDraft(draft: ConfigDraft): SemanticResult {
  const f = new IssueCollector();
  const healthchecker = checkHealthChecker(f, draft.healthchecker);
  const lb = checkLb(f, draft.lb);
  const healthchecks = checkHealthChecks(f, draft.healthchecks);
  const backends = checkBackends(f, draft.backends, new Map(draft.healthchecks.map((h) => [h.name, h])));
  const fr = checkFrontends(f, draft.frontends, backends, new Set(draft.backends.map((b) => b.name)));
  warnUnreferencedBackends(f, draft.backends, fr.referenced);
  // §2.4: a GRE tunnel source for each backend family in use (even with VPP disabled by flag).
  for (const [family, frontend] of fr.families) {
    const key = family === 4 ? 'ipv4-src-address' : 'ipv6-src-address';
    const given = family === 4 ? draft.lb.ipv4SrcAddress : draft.lb.ipv6SrcAddress;
    if (given === undefined) {
      const at = { ...draft.lb.at, path: childPath(draft.lb.at.path, key) };
      f.error(at, `missing required key ${quoteSnippet(key)}: frontend ${quoteSnippet(frontend)} has IPv${family} backends`);
    }
  }
  if (f.errors.length > 0) return { config: undefined, errors: f.errors, warnings: f.warnings };
  return { config: { healthchecker, vpp: { lb }, healthchecks, backends, frontends: fr.frontends }, errors: [], warnings: f.warnings };
}
