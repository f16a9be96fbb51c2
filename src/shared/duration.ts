// Go duration syntax: parsing config values ("1m30s") and printing durations in logs and the
// CLI exactly as Go's time.Duration.String() does ("1m30s", "500ms", "1.2ms", "0s").

const unitNs: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const termRe = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a Go duration into nanoseconds. Returns undefined when it is not one. Negative values are refused. */
export function parseDurationNs(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  let rest = text;
  let total = 0;
  while (rest.length > 0) {
    const m = termRe.exec(rest);
    if (m === null) return undefined;
    const [whole, num, unit] = m as unknown as [string, string, string];
    total += Number(num) * (unitNs[unit] ?? NaN);
    rest = rest.slice(whole.length);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Parses a Go duration into milliseconds (fractional below 1ms). */
export function parseDurationMs(text: string): number | undefined {
  const ns = parseDurationNs(text);
  return ns === undefined ? undefined : ns / 1e6;
}

function fraction(value: number, unitScale: number, unit: string): string {
  // value is in ns; print with up to 9 significant fraction digits, trailing zeros trimmed.
  const whole = Math.trunc(value / unitScale);
  const rem = Math.round(value - whole * unitScale);
  if (rem === 0) return `${whole}${unit}`;
  const digits = String(unitScale).length - 1;
  const frac = String(rem).padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${frac}${unit}`;
}

/** Formats nanoseconds like Go's time.Duration.String(). */
export function formatDurationNs(nsIn: number): string {
  let ns = Math.round(nsIn);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return sign + fraction(ns, 1e3, 'µs');
  if (ns < 1e9) return sign + fraction(ns, 1e6, 'ms');
  const h = Math.floor(ns / 3600e9);
  const m = Math.floor((ns - h * 3600e9) / 60e9);
  const sNs = ns - h * 3600e9 - m * 60e9;
  const s = fraction(sNs, 1e9, 's');
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return sign + s;
}

/** Formats milliseconds like Go's time.Duration.String(). */
export function formatDurationMs(ms: number): string {
  return formatDurationNs(ms * 1e6);
}
