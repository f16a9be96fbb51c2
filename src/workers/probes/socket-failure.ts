// Translates socket errors into probe codes and details at the layer where they happened
//: local problems before anything was sent are SOCKERR, refusals and
// unreachables at connect are L4CON, TLS failures L6RSP, and anything later L7RSP. An errno
// travels as its number (the detail kinds of src/shared/probe-detail.ts); anything else as text.

import { localShortage, type LocalShortage } from '../../shared/discard-reason.js';
import type { ProbeCode } from '../../shared/health.js';
import { detailKind, errnoOf, type DetailKind } from '../../shared/probe-detail.js';

export interface Failure {
  readonly code: ProbeCode;
  readonly detail: DetailKind;
  readonly arg: number;
  readonly text: string | undefined;
  /** Set when the error is the prober's own shortage: the outcome is then discarded. */
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

/** `<prefix>: <name>` as an errno kind when the name is an errno's, else as text. */
export function errnoFailure(code: ProbeCode, kind: DetailKind, prefix: string, err: unknown): Failure {
  const name = errorName(err);
  const errno = errnoOf(name);
  return errno === undefined ? { code, detail: detailKind.text, arg: 0, text: `${prefix}: ${name}` } : { code, detail: kind, arg: errno, text: undefined };
}

function syscallOf(err: unknown): string | undefined {
  const syscall = (err as { syscall?: unknown } | null)?.syscall;
  return typeof syscall === 'string' ? syscall : undefined;
}

/** The prober's own shortage this error names (EMFILE …), if any; `syscall` when the error has none. */
export function shortageOf(err: unknown, syscall?: string): LocalShortage | undefined {
  return localShortage(errorName(err), syscallOf(err) ?? syscall);
}

/** A socket that could not even be opened (thrown by openConnection): SOCKERR, discarded when a shortage. */
export function openFailure(err: unknown): Failure {
  const f = errnoFailure('SOCKERR', detailKind.connectError, 'connect', err);
  const shortage = shortageOf(err, 'connect');
  return shortage === undefined ? f : { ...f, shortage };
}

/** A failure while binding the source address or connecting. */
export function connectFailure(err: unknown, sourceAddress: string | undefined): Failure {
  const shortage = shortageOf(err, 'connect');
  let f: Failure;
  if (syscallOf(err) === 'bind') {
    f = errnoFailure('SOCKERR', detailKind.bindError, `bind ${sourceAddress ?? ''}`, err);
    if (f.detail === detailKind.bindError) f = { ...f, text: sourceAddress ?? '' };
  } else {
    f = errnoFailure(localErrors.has(errorName(err)) ? 'SOCKERR' : 'L4CON', detailKind.connectError, 'connect', err);
  }
  return shortage === undefined ? f : { ...f, shortage };
}

/** A failure during the TLS handshake (alert, verification, reset, close). */
export function tlsFailure(err: unknown): Failure {
  return { code: 'L6RSP', detail: detailKind.text, arg: 0, text: `tls: ${errorName(err)}` };
}
