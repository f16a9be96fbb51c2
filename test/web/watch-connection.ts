// The reconnect backoff table, and the stream's lifecycle against a scripted api: first data
// fires onConnected once, an ended stream is reopened after the backoff (which grows while
// streams fail and resets after data), retryNow cuts the wait short, stop cancels for good.

import { EventEmitter } from 'node:events';
import type { ClientReadableStream } from '@grpc/grpc-js';
import t from 'tap';
import type { Event } from '../../src/api/maglev-messages.js';
import { ManualClock } from '../support/manual-clock.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { reconnectDelay, WatchConnection } from '../../src/web/watch-connection.js';

t.test('reconnect backoff: 1 s doubling to 30 s', async (t) => {
  const cases = [
    { attempt: 0, want: 1000 },
    { attempt: 1, want: 2000 },
    { attempt: 2, want: 4000 },
    { attempt: 4, want: 16_000 },
    { attempt: 5, want: 30_000 },
    { attempt: 500, want: 30_000 },
  ];
  for (const c of cases) t.equal(reconnectDelay(c.attempt, 1000, 30_000), c.want, `attempt ${c.attempt}`);
});

class FakeStream extends EventEmitter {
  cancelled = false;
  cancel(): void {
    this.cancelled = true;
  }
  end(code = 14): void {
    this.emit('status', { code, details: 'gone' });
  }
}

t.test('stream lifecycle with backoff', async (t) => {
  const clock = new ManualClock(0);
  const streams: FakeStream[] = [];
  const opened: number[] = [];
  let connected = 0;
  const events: Event[] = [];
  const w = new WatchConnection({
    api: {
      watchEvents: (req) => {
        t.same(req, { log: true, log_level: 'debug', backend: true, frontend: true });
        const s = new FakeStream();
        streams.push(s);
        opened.push(clock.now());
        return s as unknown as ClientReadableStream<Event>;
      },
    },
    clock,
    logger: createSilentLogger(),
    reconnectMinMs: 1000,
    reconnectMaxMs: 30_000,
    onConnected: () => connected++,
    onEvent: (ev) => events.push(ev),
  });
  w.start();
  t.equal(streams.length, 1);
  streams[0]!.end();
  clock.advance(999);
  t.equal(streams.length, 1, 'waits 1 s');
  clock.advance(1);
  t.equal(streams.length, 2);
  streams[1]!.end();
  clock.advance(2000);
  t.same(opened, [0, 1000, 3000], 'then 2 s');
  streams[2]!.emit('data', { log: null });
  streams[2]!.emit('data', { log: null });
  t.equal(connected, 1, 'onConnected once per stream');
  t.equal(events.length, 2);
  streams[2]!.end();
  clock.advance(1000);
  t.equal(streams.length, 4, 'backoff reset after data');
  streams[3]!.end();
  w.retryNow();
  t.equal(streams.length, 5, 'retryNow skips the wait');
  w.retryNow();
  t.equal(streams.length, 5, 'retryNow with a live stream does nothing');
  w.stop();
  t.ok(streams[4]!.cancelled, 'stop cancels the stream');
  streams[4]!.end(1);
  clock.advance(60_000);
  t.equal(streams.length, 5, 'no reconnect after stop');
  t.equal(clock.pending, 0);
});
