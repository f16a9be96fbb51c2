// Semantic rules and resolution of the slow-start keys (`slow-start`, `slow-start-steps`), which
// a health check sets for every backend that uses it and a backend sets for itself (the backend's
// keys win, `slow-start: 0` turns it off). Resolved into Backend.slowStart (core/slow-start.ts).

import type { SlowStart } from '../shared/config.js';
import { formatDurationMs } from '../shared/duration.js';
import type { Located } from './issue.js';
import type { IssueCollector } from './issue.js';
import { checkIntRange } from './value-rules.js';

export const slowStartDefaultSteps = 4;
const maxWindowMs = 3_600_000;
const maxSteps = 20;

export interface SlowStartKeys {
  slowStart?: Located<number> | undefined;
  slowStartSteps?: Located<number> | undefined;
}

/** slow-start: 0 (off) or 1s..1h; slow-start-steps: 1..20. */
export function checkSlowStartKeys(f: IssueCollector, d: SlowStartKeys): void {
  const w = d.slowStart;
  if (w !== undefined && w.value !== 0 && (w.value < 1000 || w.value > maxWindowMs)) {
    f.error(w, `must be 0 (off) or from 1s to 1h, got ${formatDurationMs(w.value)}`);
  }
  checkIntRange(f, d.slowStartSteps, 1, maxSteps);
}

/** The backend's own keys, else its health check's; undefined when the window is 0 or unset. */
export function resolveSlowStart(backend: SlowStartKeys, check: SlowStartKeys | undefined): SlowStart | undefined {
  const windowMs = backend.slowStart?.value ?? check?.slowStart?.value ?? 0;
  if (windowMs === 0) return undefined;
  return { windowMs, steps: backend.slowStartSteps?.value ?? check?.slowStartSteps?.value ?? slowStartDefaultSteps };
}
