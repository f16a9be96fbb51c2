// A probe's detail text as numbers: a kind, a number (HTTP status, errno, timeout in ms, ...)
// and, for the few kinds that need it, a text. Probers report details this way (the native
// prober in native/probe-engine.c uses the same kind numbers), results cross threads this way,
// and the checker keeps the latest one this way; the text (`HTTP 503`, `connect:
// ECONNREFUSED`, `timeout after 1s during connect`) is made only when something reads it: a
// transition or an API view.

import { constants as osConstants } from 'node:os';
import { getSystemErrorName } from 'node:util';
import { formatDurationMs } from './duration.js';

/** The detail kinds. The numbers are a wire format shared with native/ (probe-engine.c, http-reader.h). */
export const detailKind = {
  /** `text` is the whole detail. */
  text: 0,
  connected: 1,
  httpStatus: 2,
  connectError: 3,
  /** `text`: the source address. */
  bindError: 4,
  readError: 5,
  writeError: 6,
  timeoutConnect: 7,
  timeoutTls: 8,
  timeoutHeaders: 9,
  timeoutBody: 10,
  timeoutEcho: 11,
  malformedStatusLine: 12,
  malformedHeader: 13,
  headersTooLarge: 14,
  closedBeforeHeaders: 15,
  closedDuringBody: 16,
  malformedContentLength: 17,
  malformedChunkedBody: 18,
  /** `text`: the response-regexp. */
  bodyMismatch: 19,
  /** arg: an index into tlsProtocols. */
  tlsEstablished: 20,
  /** arg: the round trip in tenths of a millisecond. */
  echoReply: 21,
} as const;

export type DetailKind = (typeof detailKind)[keyof typeof detailKind];

/** The texts of the kinds that take no argument. */
const fixedTexts: Readonly<Record<number, string>> = {
  [detailKind.connected]: 'connected',
  [detailKind.malformedStatusLine]: 'malformed status line',
  [detailKind.malformedHeader]: 'malformed header',
  [detailKind.headersTooLarge]: 'headers exceed 16 KiB',
  [detailKind.closedBeforeHeaders]: 'connection closed before headers',
  [detailKind.closedDuringBody]: 'connection closed during body',
  [detailKind.malformedContentLength]: 'malformed content-length',
  [detailKind.malformedChunkedBody]: 'malformed chunked body',
};

const timeoutPhases: Readonly<Record<number, string>> = {
  [detailKind.timeoutConnect]: 'connect',
  [detailKind.timeoutTls]: 'TLS handshake',
  [detailKind.timeoutHeaders]: 'response headers',
  [detailKind.timeoutBody]: 'response body',
  [detailKind.timeoutEcho]: 'echo',
};

/** The protocol names Node's TLSSocket.getProtocol() returns, in tlsEstablished's arg order. */
export const tlsProtocols = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** The kind for a fixed text, if it has one (the response reader's verdicts). */
export function detailKindOfText(text: string): DetailKind | undefined {
  for (const [kind, t] of Object.entries(fixedTexts)) if (t === text) return Number(kind) as DetailKind;
  return undefined;
}

const errnoNames = new Map<number, string>();

/** libuv's name of a (positive) errno: 111 → ECONNREFUSED. */
export function errnoName(errno: number): string {
  let name = errnoNames.get(errno);
  if (name === undefined) {
    name = getSystemErrorName(-errno);
    errnoNames.set(errno, name);
  }
  return name;
}

/** The errno of an error name Node reports (ECONNREFUSED → 111); undefined for other names (ERR_INVALID_IP_ADDRESS). */
export function errnoOf(name: string): number | undefined {
  const n = (osConstants.errno as Readonly<Record<string, number>>)[name];
  return n !== undefined && errnoName(n) === name ? n : undefined;
}

/** The detail text. */
export function formatProbeDetail(kind: DetailKind, arg: number, text: string | undefined): string {
  switch (kind) {
    case detailKind.text:
      return text ?? '';
    case detailKind.httpStatus:
      return `HTTP ${arg}`;
    case detailKind.connectError:
      return `connect: ${errnoName(arg)}`;
    case detailKind.bindError:
      return `bind ${text ?? ''}: ${errnoName(arg)}`;
    case detailKind.readError:
      return `read: ${errnoName(arg)}`;
    case detailKind.writeError:
      return `write: ${errnoName(arg)}`;
    case detailKind.timeoutConnect:
    case detailKind.timeoutTls:
    case detailKind.timeoutHeaders:
    case detailKind.timeoutBody:
    case detailKind.timeoutEcho:
      return `timeout after ${formatDurationMs(arg)} during ${timeoutPhases[kind] ?? ''}`;
    case detailKind.bodyMismatch:
      return `body did not match ${text ?? ''}`;
    case detailKind.tlsEstablished:
      return `TLS ${tlsProtocols[arg] ?? 'handshake'} established`;
    case detailKind.echoReply:
      return `echo reply in ${formatDurationMs(arg / 10)}`;
    default:
      return fixedTexts[kind] ?? `detail ${kind}`;
  }
}
