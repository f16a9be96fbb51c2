// Test harness: the real gRPC server on 127.0.0.1:0 over a FakeControlPlane, plus the one client
// and the e2e helpers (connectE2e).

import type * as grpc from '@grpc/grpc-js';
import type { Test } from 'tap';
import { Registry } from 'prom-client';
import type { MaglevClient } from '../../src/api/maglev-client.js';
import type { Event, WatchRequest__Input } from '../../src/api/maglev-messages.js';
import { startGrpcServer, type GrpcServer } from '../../src/control/grpc-server.js';
import { ManualClock } from './manual-clock.js';
import { createSilentLogger, type Logger } from '../../src/shared/log.js';
import { connectE2e, type E2eClient } from './e2e-grpc-client.js';
import { FakeControlPlane, T0 } from './fake-control-plane.js';

export interface Harness {
  readonly fake: FakeControlPlane;
  readonly server: GrpcServer;
  readonly registry: Registry;
  readonly clock: ManualClock;
  readonly address: string;
  readonly client: MaglevClient;
  readonly call: E2eClient['call'];
  /** Resolves to the error of a call that must fail. */
  readonly fail: E2eClient['fail'];
}

export interface HarnessOptions {
  readonly fake?: FakeControlPlane;
  readonly reflection?: boolean;
  readonly logger?: Logger;
}

export async function startHarness(t: Test, opts: HarnessOptions = {}): Promise<Harness> {
  const fake = opts.fake ?? new FakeControlPlane();
  const registry = new Registry();
  const clock = new ManualClock(T0);
  const server = await startGrpcServer({
    addr: { host: '127.0.0.1', port: 0 },
    control: fake,
    clock,
    logger: opts.logger ?? createSilentLogger(),
    reflection: opts.reflection ?? true,
    registry,
  });
  const address = `127.0.0.1:${server.port}`;
  // The client is closed at teardown before the server shuts down.
  const rpc = connectE2e(t, address);
  t.teardown(() => server.shutdown(500));
  return {
    fake,
    server,
    registry,
    clock,
    address,
    client: rpc.client,
    call: (method, req, opts) => rpc.call(method, req, opts),
    fail: (method, req) => rpc.fail(method, req),
  };
}

/** Collects events of a WatchEvents stream until `count` arrived, the stream ended, or it errored. */
export function watch(
  client: MaglevClient,
  req: WatchRequest__Input,
): { stream: grpc.ClientReadableStream<Event>; events: Event[]; take(n: number): Promise<void>; end: Promise<grpc.StatusObject> } {
  const stream = client.watchEvents(req);
  const events: Event[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  stream.on('data', (ev: Event) => {
    events.push(ev);
    for (const w of [...waiters]) if (events.length >= w.n) w.resolve();
  });
  stream.on('error', () => {});
  const end = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
  return {
    stream,
    events,
    end,
    take: (n) =>
      new Promise<void>((resolve, reject) => {
        if (events.length >= n) return resolve();
        waiters.push({ n, resolve });
        void end.then((s) => reject(new Error(`stream ended (${s.code} ${s.details}) after ${events.length} of ${n} events`)));
      }),
  };
}
