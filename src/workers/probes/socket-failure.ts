// Translates socket errors into probe codes and short, stable details at the layer where they
// happened: local problems before anything was sent are SOCKERR, refusals
// and unreachables at connect are L4CON, TLS failures L6RSP, and anything later L7RSP.

import { localShortage, type LocalShortage } from '../../shared/discard-reason.js';
import type { ProbeCode } from '../../shared/health.js';

export interface Failure {
  readonly code: ProbeCode;
  readonly detail: string;
  /** Set when the error is the prober's own shortage: the result is then discarded. */
  readonly shortage?: LocalShortage;
}

/** Errors of our own host, not of the path to the backend. */
const localErrors = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL', 'EADDRINUSE', 'EAFNOSUPPORT', 'EACCES', 'EPERM', 'EINVAL']);

/** The errno name (ECONNREFUSED) or, failing that, the message. */
export function errorName(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return err instanceof Error ? err.message : String(err);
}

function syscallOf(err: unknown): string | undefined {
  const syscall = (err as { syscall?: unknown } | null)?.syscall;
  return typeof syscall === 'string' ? syscall : undefined;
}

/** The prober's own shortage this error names (EMFILE …), if any; `syscall` when the error has none. */
export function shortageOf(err: unknown, syscall?: string): LocalShortage | undefined {
  return localShortage(errorName(err), syscallOf(err) ?? syscall);
}

/** A failure while binding the source address or connecting. */
export function connectFailure(err: unknown, sourceAddress: string | undefined): Failure {
  const syscall = syscallOf(err);
  const name = errorName(err);
  const shortage = shortageOf(err, 'connect');
  const f: Failure =
    syscall === 'bind' ? { code: 'SOCKERR', detail: `bind ${sourceAddress ?? ''}: ${name}` } : { code: localErrors.has(name) ? 'SOCKERR' : 'L4CON', detail: `connect: ${name}` };
  return shortage === undefined ? f : { ...f, shortage };
}

/** A failure during the TLS handshake (alert, verification, reset, close). */
export function tlsFailure(err: unknown): Failure {
  return { code: 'L6RSP', detail: `tls: ${errorName(err)}` };
}
