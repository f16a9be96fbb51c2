// The page's SSE connection: an EventSource on <area>/api/events that remembers the
// last event id, reopens itself (with ?lastEventId=) when the browser gave up on it, and a
// clock-drift watchdog: when the 1 s tick arrives much too late (a laptop woke up), the stream is
// reopened at once rather than trusting a possibly dead half-open socket; the server then replays
// the missed events or answers `resync`.

export type EventHandler = (data: unknown, type: string) => void;

export interface EventStreamOptions {
  readonly url: string;
  readonly types: readonly string[];
  readonly onEvent: EventHandler;
  readonly onStatus: (live: boolean) => void;
  /** Tick gap that counts as "the machine slept". */
  readonly driftMs?: number;
}

export interface EventStream {
  close(): void;
}

export function openEventStream(o: EventStreamOptions): EventStream {
  const driftMs = o.driftMs ?? 5000;
  let es: EventSource | undefined;
  let lastId = '';
  let reopenTimer: number | undefined;
  let closed = false;

  const connect = (): void => {
    es?.close();
    const url = lastId === '' ? o.url : `${o.url}?lastEventId=${encodeURIComponent(lastId)}`;
    const src = new EventSource(url);
    es = src;
    src.onopen = () => o.onStatus(true);
    src.onerror = () => {
      o.onStatus(false);
      // CONNECTING: the browser retries by itself (retry: 2000). CLOSED: it gave up (e.g. a 5xx).
      if (src.readyState === EventSource.CLOSED && !closed) {
        window.clearTimeout(reopenTimer);
        reopenTimer = window.setTimeout(connect, 2000);
      }
    };
    for (const type of o.types) {
      src.addEventListener(type, (ev: MessageEvent<string>) => {
        if (ev.lastEventId !== '') lastId = ev.lastEventId;
        let data: unknown;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return;
        }
        o.onEvent(data, type);
      });
    }
  };

  let lastTick = Date.now();
  const watchdog = window.setInterval(() => {
    const now = Date.now();
    if (now - lastTick > driftMs) connect();
    lastTick = now;
  }, 1000);
  connect();

  return {
    close() {
      closed = true;
      window.clearInterval(watchdog);
      window.clearTimeout(reopenTimer);
      es?.close();
    },
  };
}
