// Semantic rules and defaults of a health check's `agent` block (the agent check, HAProxy's
// `agent-check`): port, interval, timeout and the optional line to send. Absent: no agent check.

import type { AgentCheck } from '../shared/config.js';
import type { AgentDraft } from './draft.js';
import type { IssueCollector } from './issue.js';
import { checkIntRange, checkMinDuration, missing } from './value-rules.js';

const minIntervalMs = 50;
/** The longest `send` line: the agent's answer must fit one read, so the question stays short too. */
export const maxAgentSendChars = 256;
/** Printable ASCII only: the line goes out as is, followed by a newline. */
const sendPattern = /^[\x20-\x7e]*$/;

/** Checks the block; the resolved check, or undefined when absent or a required key is missing. */
export function checkAgent(f: IssueCollector, d: AgentDraft | undefined, check: { intervalMs: number; timeoutMs: number }): AgentCheck | undefined {
  if (d === undefined) return undefined;
  if (d.port === undefined) missing(f, d.at, 'port');
  checkIntRange(f, d.port, 1, 65535);
  checkMinDuration(f, d.interval, minIntervalMs);
  if (d.timeout !== undefined && d.timeout.value <= 0) f.error(d.timeout, 'must be greater than 0');
  const send = d.send;
  if (send !== undefined && (send.value.length > maxAgentSendChars || !sendPattern.test(send.value))) {
    f.error(send, `must be printable ASCII of at most ${maxAgentSendChars} characters (a newline is appended)`);
  }
  if (d.port === undefined) return undefined;
  return {
    port: d.port.value,
    intervalMs: d.interval?.value ?? check.intervalMs,
    timeoutMs: d.timeout?.value ?? check.timeoutMs,
    send: send?.value,
  };
}
