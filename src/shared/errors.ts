// The catalogue of stable error codes. Callers branch on `code`, never on message text.
// Across threads errors travel as plain `{ ok: false, code, detail }` records (ErrorRecord),
// because an Error posted through a MessagePort loses its class and its code.

export const errorCodes = [
  'NOT_FOUND', // unknown frontend, pool, backend or health check
  'INVALID_ARGUMENT', // a request field is out of range or empty
  'FAILED_PRECONDITION', // the object's state forbids the action
  'VPP_DISABLED', // VPP integration switched off by flag
  'VPP_NOT_CONNECTED', // VPP is not connected right now
  'VPP_INCOMPATIBLE', // required messages missing or with another CRC
  'VPP_RETVAL', // VPP answered a non-zero retval
  'VPP_TIMEOUT', // no reply within the request timeout
  'VPP_DISCONNECTED', // the connection closed with requests in flight
  'VPP_PROTOCOL', // a malformed frame or message
  'STATS_SEGMENT', // the stats segment cannot be obtained or read
  'WARMUP_IN_PROGRESS', // VPP writes are gated by the startup warmup
  'NETNS', // the health-check network namespace cannot be entered
  'NATIVE', // the native addon is missing or a native call failed
  'SHUTTING_DOWN', // the daemon is stopping
  'RESOURCE_EXHAUSTED', // a concurrency limit is reached (e.g. one config check or reload at a time)
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** One error class for the whole daemon: a stable code, a message, and an optional cause. */
export class DaemonError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DaemonError';
    this.code = code;
  }
}

/** A result as it crosses a thread boundary. */
export type ErrorRecord = { readonly ok: false; readonly code: ErrorCode; readonly detail: string };

export function isDaemonError(e: unknown, code?: ErrorCode): e is DaemonError {
  return e instanceof DaemonError && (code === undefined || e.code === code);
}

/**
 * NOT_FOUND in the one wording every RPC uses: `pool "x" not found in frontend "web"`. Names are
 * quoted so that an empty or odd name is still visible.
 */
export function notFound(kind: string, name: string, within?: readonly [kind: string, name: string]): DaemonError {
  const where = within === undefined ? '' : ` in ${within[0]} "${within[1]}"`;
  return new DaemonError('NOT_FOUND', `${kind} "${name}" not found${where}`);
}

/** The message of anything thrown, for logs and records. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
