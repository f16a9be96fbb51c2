// Translates socket errors into probe codes and details at the layer where they happened
// (behaviour.md §3.5): local problems before anything was sent are SOCKERR, refusals and
// unreachables at connect are L4CON, TLS failures L6RSP, and anything later L7RSP. An errno
// travels as its number (the detail kinds of src/shared/probe-detail.ts); anything else as text.

import type { ProbeCode } from '../../shared/health.js';
import { detailKind, errnoOf, type DetailKind } from '../../shared/probe-detail.js';

export interface Failure {
  readonly code: ProbeCode;
  readonly detail: DetailKind;
  readonly arg: number;
  readonly text: string | undefined;
}

/** Errors of our own host, not of the path to the backend. */
const localErrors = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL', 'EADDRINUSE', 'EAFNOSUPPORT', 'EACCES', 'EPERM', 'EINVAL']);

/** The errno name (ECONNREFUSED) or, failing that, the message. */
export function errorName(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return err instanceof Error ? err.message : String(err);
}

/** `<prefix>: <name>` as an errno kind when the name is an errno's, else as text. */
export function errnoFailure(code: ProbeCode, kind: DetailKind, prefix: string, err: unknown): Failure {
  const name = errorName(err);
  const errno = errnoOf(name);
  return errno === undefined ? { code, detail: detailKind.text, arg: 0, text: `${prefix}: ${name}` } : { code, detail: kind, arg: errno, text: undefined };
}

/** A failure while binding the source address or connecting. */
export function connectFailure(err: unknown, sourceAddress: string | undefined): Failure {
  const syscall = (err as { syscall?: unknown } | null)?.syscall;
  if (syscall === 'bind') {
    const f = errnoFailure('SOCKERR', detailKind.bindError, `bind ${sourceAddress ?? ''}`, err);
    return f.detail === detailKind.bindError ? { ...f, text: sourceAddress ?? '' } : f;
  }
  return errnoFailure(localErrors.has(errorName(err)) ? 'SOCKERR' : 'L4CON', detailKind.connectError, 'connect', err);
}

/** A failure during the TLS handshake (alert, verification, reset, close). */
export function tlsFailure(err: unknown): Failure {
  return { code: 'L6RSP', detail: detailKind.text, arg: 0, text: `tls: ${errorName(err)}` };
}
