// Maps daemon failures to gRPC statuses (behaviour.md §6.1: standard codes, the plain message,
// no prefix). DaemonError codes decide the status; anything else is INTERNAL.

import { status, type StatusObject } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { errorMessage, isDaemonError, type ErrorCode } from '../shared/errors.js';

const codeStatus: Readonly<Record<ErrorCode, status>> = {
  NOT_FOUND: status.NOT_FOUND,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  VPP_DISABLED: status.UNAVAILABLE,
  VPP_NOT_CONNECTED: status.UNAVAILABLE,
  VPP_INCOMPATIBLE: status.UNAVAILABLE,
  VPP_RETVAL: status.INTERNAL,
  // A request timeout or a dropped connection tears the VPP unit down: retry later.
  VPP_TIMEOUT: status.UNAVAILABLE,
  VPP_DISCONNECTED: status.UNAVAILABLE,
  VPP_PROTOCOL: status.INTERNAL,
  STATS_SEGMENT: status.INTERNAL,
  WARMUP_IN_PROGRESS: status.FAILED_PRECONDITION,
  NETNS: status.INTERNAL,
  NATIVE: status.INTERNAL,
  SHUTTING_DOWN: status.UNAVAILABLE,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
};

/** The gRPC status code for a daemon error code. */
export function grpcCodeOf(code: ErrorCode): status {
  return codeStatus[code];
}

/** A status object for anything a handler threw or rejected with. */
export function statusFromError(e: unknown): Partial<StatusObject> & { code: status; details: string } {
  const code = isDaemonError(e) ? grpcCodeOf(e.code) : status.INTERNAL;
  return { code, details: errorMessage(e), metadata: new Metadata() };
}

/** A status object for an error the API layer decides itself (validation, VPP state). */
export function grpcError(code: status, details: string): Partial<StatusObject> & { code: status; details: string } {
  return { code, details, metadata: new Metadata() };
}
