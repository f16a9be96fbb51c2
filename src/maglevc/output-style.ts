// Text building blocks of maglevc output (behaviour.md §7.4): colour on or off, dark-blue field
// labels whose escapes have the same length for every label (so columns survive colouring),
// red errors, aligned key/value blocks and tables, and time/duration rendering.

import { formatDurationNs } from '../shared/duration.js';

export interface Style {
  readonly color: boolean;
}

const blue = '\x1b[34m';
const redOn = '\x1b[31m';
const reset = '\x1b[0m';

/** A static field label: dark blue when colour is on. */
export function label(style: Style, text: string): string {
  return style.color ? `${blue}${text}${reset}` : text;
}

export function red(style: Style, text: string): string {
  return style.color ? `${redOn}${text}${reset}` : text;
}

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ansi, '');
}

/** Label/value rows with the values in one column: label width + 2 spaces. */
export function kvBlock(style: Style, rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => (v === '' ? `${indent}${label(style, k)}` : `${indent}${label(style, k)}${' '.repeat(width - k.length)}${v}`));
}

/** `key value key value ...` on one line, keys as labels. */
export function kvLine(style: Style, pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${label(style, k)} ${v}`).join(' ');
}

/**
 * Aligned columns separated by two spaces; `right` marks right-aligned columns. Widths are
 * measured without escapes, so coloured cells (e.g. a header) align too.
 */
export function table(rows: ReadonlyArray<readonly string[]>, right: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, stripAnsi(c).length)));
  return rows.map((row) =>
    row
      .map((c, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - stripAnsi(c).length);
        if (right.has(i)) return pad + c;
        return i === row.length - 1 ? c : c + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** A table under a header row (labelled like the other keys). */
export function headedTable(style: Style, header: readonly string[], rows: ReadonlyArray<readonly string[]>, right?: ReadonlySet<number>): string[] {
  return table([header.map((h) => label(style, h)), ...rows], right);
}

/** '-' for an empty value. */
export function orDash(v: string): string {
  return v === '' ? '-' : v;
}

/** int64 unix ns (decimal string) → unix ms; undefined for 0. */
export function nsToMs(ns: string | number): number | undefined {
  const n = BigInt(ns);
  return n === 0n ? undefined : Number(n / 1000n) / 1000;
}

/** RFC 3339 UTC with milliseconds, e.g. 2026-04-12T14:07:39.123Z. */
export function isoTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

/** A Go duration rounded to whole seconds ("3s", "1h7m39s"). */
export function ageText(ms: number): string {
  return formatDurationNs(Math.max(0, Math.round(ms / 1000)) * 1e9);
}

/** A probe duration: "12.5ms" below a second, "1.0s" above. */
export function probeDurationText(ns: string | number): string {
  const ms = Number(BigInt(ns)) / 1e6;
  if (ms < 1) return `${(ms * 1000).toFixed(0)}µs`;
  return ms < 1000 ? `${ms.toFixed(1)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** A Go duration from int64 ns. */
export function durationText(ns: string | number): string {
  return formatDurationNs(Number(BigInt(ns)));
}
