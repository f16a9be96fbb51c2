// The last-transition age of the pool table: two units, `now` under one second —
// `45s`, `10m30s`, `1h12m`, `1d16h`. Pure; the table re-renders it from a 1 s ticker.

/** Milliseconds since the unix epoch for an int64 nanosecond string; undefined for "0" or junk. */
export function nsToMs(ns: string | undefined): number | undefined {
  if (ns === undefined || !/^\d+$/.test(ns) || /^0+$/.test(ns)) return undefined;
  // Drop the last 6 digits instead of dividing: the value exceeds 2^53.
  return ns.length <= 6 ? 0 : Number(ns.slice(0, -6));
}

export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 1000) return 'now';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${m % 60}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/** The age of an event at `atNs` seen at `nowMs`; '' when the time is unknown. */
export function ageSince(atNs: string | undefined, nowMs: number): string {
  const at = nsToMs(atNs);
  return at === undefined ? '' : formatAge(nowMs - at);
}
