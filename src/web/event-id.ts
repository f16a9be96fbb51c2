// Event ids of the dashboard's SSE stream: `<epoch>-<seq>`, where epoch is the frontend process's
// start in unix ms and seq counts events from 1. A browser that reconnects sends the last
// id back; parsing is strict so that anything odd is treated as "unknown" and answered with resync.

export interface EventId {
  readonly epoch: number;
  readonly seq: number;
}

export function formatEventId(id: EventId): string {
  return `${id.epoch}-${id.seq}`;
}

/** undefined unless the text is exactly two non-negative decimal integers joined by `-`. */
export function parseEventId(text: string): EventId | undefined {
  const m = /^(\d{1,16})-(\d{1,16})$/.exec(text.trim());
  if (m === null) return undefined;
  const epoch = Number(m[1]);
  const seq = Number(m[2]);
  if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(seq)) return undefined;
  return { epoch, seq };
}
