// Semantic rules and defaults for `maglev.backends` (§2.6): names, address literal rules, the
// health check reference, and the warning for backends that no frontend uses (§2.8 rule 15).

import type { Backend } from '../shared/config.js';
import type { BackendDraft, HealthCheckDraft } from './draft.js';
import { checkSlowStartKeys, resolveSlowStart } from './slow-start-rules.js';
import type { IssueCollector } from './issue.js';
import { checkAddress, checkVppAddress, checkName, missing } from './value-rules.js';
import { quoteSnippet } from './snippet.js';

/**
 * Checks every backend against the drafted health checks (so a health check with its own errors
 * does not also make its backends fail). The map holds the resolvable backends.
 */
export function checkBackends(
  f: IssueCollector,
  drafts: readonly BackendDraft[],
  healthChecks: ReadonlyMap<string, HealthCheckDraft>,
): Map<string, Backend> {
  const out = new Map<string, Backend>();
  for (const d of drafts) {
    checkName(f, 'backend', d.name, d.at);
    if (d.address === undefined) missing(f, d.at, 'address');
    const family = checkVppAddress(f, d.address, checkAddress(f, d.address));
    const hc = d.healthcheck;
    if (hc !== undefined && !healthChecks.has(hc.value)) f.error(hc, `unknown health check ${quoteSnippet(hc.value)}`);
    checkSlowStartKeys(f, d);
    if (d.address === undefined || family === undefined) continue;
    const slowStart = resolveSlowStart(d, hc === undefined ? undefined : healthChecks.get(hc.value));
    out.set(d.name, {
      name: d.name,
      address: d.address.value,
      family,
      healthcheck: hc?.value,
      enabled: d.enabled?.value ?? true,
      ...(slowStart === undefined ? {} : { slowStart }),
    });
  }
  return out;
}

/** Warns about each backend that no pool of any frontend names: it is neither probed nor listed. */
export function warnUnreferencedBackends(f: IssueCollector, drafts: readonly BackendDraft[], referenced: ReadonlySet<string>): void {
  for (const d of drafts) {
    if (!referenced.has(d.name)) f.warn(d.at, `backend ${quoteSnippet(d.name)} is not used by any frontend; it is not probed`);
  }
}
