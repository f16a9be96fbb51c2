// One browser's SSE stream: headers that keep proxies from buffering or compressing, the
// `retry:` hint, the replay or `resync` the broker plans for the Last-Event-ID, then live events,
// each written (and so flushed) on its own, with a `: ping` comment every 15 s. The stream ends
// when the browser goes away, when it falls too far behind, or when the server shuts down.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { BrokerEvent, EventBroker } from './event-broker.js';
import { formatSseComment, formatSseEvent, formatSseRetry } from './sse-format.js';

export interface SseStreamOptions {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly broker: EventBroker;
  /** Admin streams include `log` events. */
  readonly admin: boolean;
  readonly clock: Clock;
  readonly pingMs?: number;
  /** A browser this many bytes behind is cut off; it reconnects and is replayed or resynced. */
  readonly maxBufferedBytes?: number;
}

export interface SseStream {
  /** Ends the response (server shutdown). */
  close(): void;
  readonly closed: Promise<void>;
}

/** The id a reconnecting browser sends: the Last-Event-ID header, or `?lastEventId=` after a manual reopen. */
export function lastEventIdOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['last-event-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader ?? url.searchParams.get('lastEventId') ?? undefined;
}

export function openSseStream(opts: SseStreamOptions, lastEventId: string | undefined): SseStream {
  const { req, res, broker, clock } = opts;
  const pingMs = opts.pingMs ?? 15_000;
  const maxBuffered = opts.maxBufferedBytes ?? 1 << 20;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  req.socket.setNoDelay(true);
  res.flushHeaders();

  let ping: TimerHandle | undefined;
  let done = false;
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const write = (chunk: string): void => {
    if (done) return;
    res.write(chunk);
    if (res.writableLength > maxBuffered) teardown(true);
  };
  const send = (ev: BrokerEvent): void => write(formatSseEvent({ id: ev.id, event: ev.type, data: ev.data }));
  const schedulePing = (): void => {
    ping = clock.setTimeout(() => {
      write(formatSseComment('ping'));
      schedulePing();
    }, pingMs);
  };

  write(formatSseRetry());
  const sub = broker.subscribe({ admin: opts.admin, send }, lastEventId);
  if (sub.plan.kind === 'resync') write(formatSseEvent({ id: broker.lastId, event: 'resync', data: '{}' }));
  else if (sub.plan.kind === 'replay') for (const ev of sub.plan.events) send(ev);
  schedulePing();

  function teardown(destroy: boolean): void {
    if (done) return;
    done = true;
    sub.unsubscribe();
    if (ping !== undefined) clock.clearTimeout(ping);
    if (destroy) res.destroy();
    else res.end();
    resolveClosed();
  }
  // The response closes when the browser goes away (or after our own end()).
  res.on('close', () => teardown(false));
  return { close: () => teardown(false), closed };
}
