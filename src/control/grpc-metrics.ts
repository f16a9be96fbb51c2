// gRPC server metrics with go-grpc-prometheus names and label values, counted
// by a grpc-js server interceptor so every service (reflection included) is covered:
// grpc_server_started_total, grpc_server_handled_total (+grpc_code) and grpc_server_msg_sent_total.

import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { Counter, type Registry } from 'prom-client';

type GrpcType = 'unary' | 'client_stream' | 'server_stream' | 'bidi_stream';

/** Go's codes.Code.String() spellings, which go-grpc-prometheus puts in grpc_code. */
const goCodeNames: Readonly<Record<number, string>> = {
  [status.OK]: 'OK',
  [status.CANCELLED]: 'Canceled',
  [status.UNKNOWN]: 'Unknown',
  [status.INVALID_ARGUMENT]: 'InvalidArgument',
  [status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [status.NOT_FOUND]: 'NotFound',
  [status.ALREADY_EXISTS]: 'AlreadyExists',
  [status.PERMISSION_DENIED]: 'PermissionDenied',
  [status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [status.ABORTED]: 'Aborted',
  [status.OUT_OF_RANGE]: 'OutOfRange',
  [status.UNIMPLEMENTED]: 'Unimplemented',
  [status.INTERNAL]: 'Internal',
  [status.UNAVAILABLE]: 'Unavailable',
  [status.DATA_LOSS]: 'DataLoss',
  [status.UNAUTHENTICATED]: 'Unauthenticated',
};

export function goCodeName(code: number): string {
  return goCodeNames[code] ?? `Code(${code})`;
}

export interface GrpcMetrics {
  readonly interceptor: ServerInterceptor;
}

/** Registers the grpc_server_* counters in `registry` and returns the interceptor that feeds them. */
export function createGrpcMetrics(registry: Registry): GrpcMetrics {
  const base = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
  const started = new Counter({
    name: 'grpc_server_started_total',
    help: 'Total number of RPCs started on the server.',
    labelNames: base,
    registers: [registry],
  });
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'Total number of RPCs completed on the server, regardless of success or failure.',
    labelNames: [...base, 'grpc_code'] as const,
    registers: [registry],
  });
  const sent = new Counter({
    name: 'grpc_server_msg_sent_total',
    help: 'Total number of gRPC stream messages sent by the server.',
    labelNames: base,
    registers: [registry],
  });

  const interceptor: ServerInterceptor = (method, call) => {
    const slash = method.path.lastIndexOf('/');
    const labels = {
      grpc_type: grpcType(method.requestStream, method.responseStream),
      grpc_service: method.path.slice(1, slash),
      grpc_method: method.path.slice(slash + 1),
    };
    started.inc(labels);
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      handled.inc({ ...labels, grpc_code: goCodeName(code) });
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => finish(status.CANCELLED) }),
      sendMessage: (message, next) => {
        sent.inc(labels);
        next(message);
      },
      sendStatus: (st, next) => {
        finish(st.code);
        next(st);
      },
    });
  };
  return { interceptor };
}

function grpcType(requestStream: boolean, responseStream: boolean): GrpcType {
  if (requestStream) return responseStream ? 'bidi_stream' : 'client_stream';
  return responseStream ? 'server_stream' : 'unary';
}
