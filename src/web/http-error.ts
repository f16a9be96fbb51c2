// gRPC failures as HTTP answers for the dashboard API (our choice): NOT_FOUND → 404,
// INVALID_ARGUMENT → 400, FAILED_PRECONDITION → 409, UNAVAILABLE → 503, anything else → 500,
// with the body `{"error": "<message>"}`. Only the server's message is shown, never grpc-js's
// `14 UNAVAILABLE: …` prefix.

import { status as grpcStatus } from '@grpc/grpc-js';

/** An HTTP status with the message to show. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

export function httpStatusForGrpc(code: number | undefined): number {
  switch (code) {
    case grpcStatus.NOT_FOUND:
      return 404;
    case grpcStatus.INVALID_ARGUMENT:
      return 400;
    case grpcStatus.FAILED_PRECONDITION:
      return 409;
    case grpcStatus.UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

function grpcParts(e: unknown): { code: number | undefined; details: string | undefined } {
  if (typeof e !== 'object' || e === null) return { code: undefined, details: undefined };
  const code = 'code' in e && typeof e.code === 'number' ? e.code : undefined;
  const details = 'details' in e && typeof e.details === 'string' && e.details !== '' ? e.details : undefined;
  return { code, details };
}

/** Any thrown value as an HTTP status and message. */
export function httpErrorOf(e: unknown): { readonly status: number; readonly error: string } {
  if (e instanceof HttpError) return { status: e.status, error: e.message };
  const { code, details } = grpcParts(e);
  const error = details ?? (e instanceof Error ? e.message : String(e));
  return { status: httpStatusForGrpc(code), error };
}
