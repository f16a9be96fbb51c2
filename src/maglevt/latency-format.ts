// How maglevt prints a latency: short and fixed-ish width for a table cell ("0.42ms", "12.3ms",
// "230ms", "1.25s"), since Go's duration format ("12.345678ms") is too wide for a column.

export function formatLatency(ms: number): string {
  if (ms < 9.995) return `${ms.toFixed(2)}ms`;
  if (ms < 99.95) return `${ms.toFixed(1)}ms`;
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}
