// One WatchEvents server stream: the snapshot and the live subscription are
// taken in the same tick (nothing lost or doubled), the snapshot is written, then live events are
// pulled from the subscription's bounded queue at the pace call.write() allows ('drain').
// The queue cut-off ends the stream with RESOURCE_EXHAUSTED "subscriber too slow"; shutdown ends
// it with UNAVAILABLE "server shutting down"; a client cancel just closes the subscription.

import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { ControlPlane, ControlPlaneEvent } from './control-plane.js';
import type { Subscription } from './event-subscribers.js';
import type { Event, WatchRequest__Input } from '../api/maglev-messages.js';
import { grpcError, statusFromError } from './grpc-status.js';
import { liveEventMsg, snapshotEvents, watchOptions, type WatchOptions } from './grpc-watch-events.js';
import type { Clock } from '../shared/clock.js';

/** The open streams, so shutdown can end them even if the daemon's hub is not closed. */
export class WatchSessions {
  readonly #subs = new Set<Subscription<ControlPlaneEvent>>();
  #shuttingDown = false;

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  get size(): number {
    return this.#subs.size;
  }

  add(sub: Subscription<ControlPlaneEvent>): () => void {
    this.#subs.add(sub);
    return () => this.#subs.delete(sub);
  }

  /** Ends every open stream with UNAVAILABLE "server shutting down". */
  closeAll(): void {
    this.#shuttingDown = true;
    for (const sub of [...this.#subs]) sub.close();
  }
}

export interface WatchStreamDeps {
  readonly control: ControlPlane;
  readonly clock: Clock;
  readonly sessions: WatchSessions;
}

type WatchCall = ServerWritableStream<WatchRequest__Input, Event>;

const wakeEvents = ['drain', 'cancelled', 'close', 'finish'] as const;

/** Resolves when the call can take more writes, can take none ever again, or `closed` settles. */
function writable(call: WatchCall, closed: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      for (const ev of wakeEvents) call.off(ev, done);
      resolve();
    };
    for (const ev of wakeEvents) call.once(ev, done);
    void closed.then(done);
  });
}

/** The WatchEvents handler body for one call. */
export function serveWatchStream(call: WatchCall, deps: WatchStreamDeps): void {
  if (deps.sessions.shuttingDown) {
    call.emit('error', grpcError(status.UNAVAILABLE, 'server shutting down'));
    return;
  }
  let opts: WatchOptions;
  let snapshot: Event[];
  let sub: Subscription<ControlPlaneEvent>;
  let onClosed = (): void => {};
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  try {
    const o = watchOptions(call.request);
    opts = o;
    snapshot = snapshotEvents(deps.control, o, deps.clock.now());
    sub = deps.control.watchEvents({
      peer: call.getPeer(),
      logLevel: o.log ? o.logLevel : undefined,
      accept: (ev) => liveEventMsg(ev, o) !== undefined,
      onClosed,
    });
  } catch (e) {
    call.emit('error', statusFromError(e));
    return;
  }
  const forget = deps.sessions.add(sub);
  let cancelled = false;
  call.once('cancelled', () => {
    cancelled = true;
    sub.close();
  });
  void pump(call, opts, snapshot, sub, closed, () => cancelled).finally(forget);
}

async function pump(
  call: WatchCall,
  opts: WatchOptions,
  snapshot: readonly Event[],
  sub: Subscription<ControlPlaneEvent>,
  closed: Promise<void>,
  cancelled: () => boolean,
): Promise<void> {
  for (const msg of snapshot) call.write(msg);
  for await (const ev of sub) {
    const msg = liveEventMsg(ev, opts);
    if (msg === undefined || cancelled()) continue;
    if (!call.write(msg)) await writable(call, closed);
  }
  if (cancelled()) return;
  if (sub.closedReason === 'too-slow') call.emit('error', grpcError(status.RESOURCE_EXHAUSTED, 'subscriber too slow'));
  else call.emit('error', grpcError(status.UNAVAILABLE, 'server shutting down'));
}
