// `watch events [num <n>] [log [level L]] [backend] [frontend] [json]`: the
// WatchEvents request for the words given, and the stream printed one line per event (readable,
// output-events.ts; with `json`, protojson for scripts) until `num` events, the caller's stop
// signal (a key, Ctrl-C) or the end of the stream.

import { status, type ServiceError } from '@grpc/grpc-js';
import type { MaglevClient } from '../api/maglev-client.js';
import type { Event, WatchRequest__Input } from '../api/maglev-messages.js';
import { formatEvent } from './output-events.js';
import type { Style } from './output-style.js';
import { toProtoJson } from './protojson.js';

/** None of log/backend/frontend → everything at info; any of them → only those kinds. */
export function watchRequest(args: ReadonlyMap<string, string>): WatchRequest__Input {
  const named = ['log', 'backend', 'frontend'].filter((k) => args.has(k));
  const level = args.get('level') ?? '';
  if (named.length === 0) return level === '' ? {} : { log_level: level };
  return { log: args.has('log'), backend: args.has('backend'), frontend: args.has('frontend'), log_level: level };
}

/** Streams events to `out`; resolves when done, rejects with the stream's error. */
export function watchEvents(client: MaglevClient, style: Style, args: ReadonlyMap<string, string>, out: (line: string) => void, stop: AbortSignal): Promise<void> {
  const limit = args.has('count') ? Number(args.get('count')) : Infinity;
  const json = (ev: Event): string => toProtoJson(client.pkg, 'maglev.Event', ev);
  const line = args.has('json') ? json : (ev: Event): string => formatEvent(style, ev) ?? json(ev);
  const stream = client.watchEvents(watchRequest(args));
  let seen = 0;
  let cancelled = false;
  return new Promise<void>((resolve, reject) => {
    const cancel = (): void => {
      cancelled = true;
      stream.cancel();
      resolve();
    };
    if (stop.aborted) return cancel();
    stop.addEventListener('abort', cancel, { once: true });
    const done = (): void => stop.removeEventListener('abort', cancel);
    stream.on('data', (ev: Event) => {
      if (cancelled) return;
      out(line(ev));
      if (++seen >= limit) {
        done();
        cancel();
      }
    });
    stream.on('error', (e: ServiceError) => {
      done();
      if (cancelled && e.code === status.CANCELLED) resolve();
      else reject(e);
    });
    stream.on('end', () => {
      done();
      resolve();
    });
  });
}
