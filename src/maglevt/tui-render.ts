// maglevt's screen as a pure function of its state and the terminal size:
// a title bar with the host's FQDN, a settings line, the VIP table (latency p50/p95/p99/max,
// OK %, N, FAIL, LAST and, with -header, the tally: white = seen in the last 5 s, grey =
// drained), then the error panel, newest first, filling the rest of the screen. The result has
// exactly `height` lines of at most `width` visible characters; tui-screen.ts paints it.

import type { Anomaly } from './anomaly-log.js';
import type { VipView } from './json-report.js';
import { formatLatency } from './latency-format.js';
import { fitCell, padPieces, renderLine, sgr, type Piece } from './styled-line.js';
import { anomalyKinds, type AnomalyKind, type TallyEntry } from './vip-stats.js';
import { vipLabel } from './vip-target.js';

export interface TuiState {
  readonly version: string;
  readonly fqdn: string;
  readonly nowMs: number;
  /** The settings line, see settingsSummary. */
  readonly summary: string;
  /** Whether the BACKENDS (tally) column is shown: -header was given. */
  readonly tally: boolean;
  readonly vips: readonly VipView[];
  /** The newest anomalies, oldest first; at least as many as the panel can show. */
  readonly anomalies: readonly Anomaly[];
  /** Lifetime anomalies by kind, over all VIPs. */
  readonly anomalyTotals: Readonly<Record<AnomalyKind, number>>;
  readonly color: boolean;
}

export interface SummaryInput {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly uri: string;
  readonly host: string | undefined;
  readonly header: string | undefined;
  readonly keepalive: boolean;
  readonly insecure: boolean;
}

export function settingsSummary(o: SummaryInput): string {
  return [
    `every ${formatLatency(o.intervalMs)} ±10%`,
    `timeout ${formatLatency(o.timeoutMs)}`,
    `GET ${o.uri}${o.host === undefined ? '' : ` Host: ${o.host}`}`,
    o.keepalive ? 'keepalive' : 'new connection per probe',
    ...(o.insecure ? ['TLS unverified'] : []),
    ...(o.header === undefined ? [] : [`tally ${o.header}`]),
  ].join(' · ');
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time, `HH:MM:SS.mmm`. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

const kindStyle: Readonly<Record<AnomalyKind, string>> = {
  timeout: sgr.yellow,
  'http-err': sgr.red,
  'net-err': sgr.red,
  spike: sgr.magenta,
};

interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly max: number;
  readonly text: (v: VipView) => string;
  readonly style?: (v: VipView) => string | undefined;
}

const lat = (v: number | undefined): string => (v === undefined ? '-' : formatLatency(v));

const columns: readonly Column[] = [
  { title: 'VIP', align: 'left', max: 24, text: (v) => v.target.name },
  { title: 'ADDRESS', align: 'left', max: 45, text: (v) => vipLabel(v.target) },
  { title: 'TYPE', align: 'left', max: 5, text: (v) => v.target.kind },
  { title: 'N', align: 'right', max: 9, text: (v) => (v.stats === undefined ? '' : String(v.stats.n)) },
  {
    title: 'FAIL',
    align: 'right',
    max: 9,
    text: (v) => (v.stats === undefined ? '' : String(v.stats.fail)),
    style: (v) => ((v.stats?.fail ?? 0) > 0 ? sgr.red : undefined),
  },
  {
    title: 'OK%',
    align: 'right',
    max: 6,
    text: (v) => (v.stats?.okPct === undefined ? '' : v.stats.okPct.toFixed(1)),
    style: (v) => (v.stats?.okPct === undefined || v.stats.okPct === 100 ? undefined : v.stats.okPct >= 90 ? sgr.yellow : sgr.red),
  },
  { title: 'P50', align: 'right', max: 8, text: (v) => (v.stats === undefined ? '' : lat(v.stats.p50Ms)) },
  { title: 'P95', align: 'right', max: 8, text: (v) => (v.stats === undefined ? '' : lat(v.stats.p95Ms)) },
  { title: 'P99', align: 'right', max: 8, text: (v) => (v.stats === undefined ? '' : lat(v.stats.p99Ms)) },
  { title: 'MAX', align: 'right', max: 8, text: (v) => (v.stats === undefined ? '' : lat(v.stats.maxMs)) },
  {
    title: 'LAST',
    align: 'left',
    max: 12,
    text: (v) => (v.stats === undefined ? 'n/a' : (v.stats.last ?? '-')),
    style: (v) => (v.stats?.last === undefined || v.stats.last === 'ok' || /^[123]/.test(v.stats.last) ? undefined : sgr.red),
  },
];

function tallyPieces(tally: readonly TallyEntry[], color: boolean): Piece[] {
  return tally.flatMap((e, i) => {
    const text = `${e.value} ${e.count}`;
    // Without colour, drained values are told apart by parentheses.
    const shown = color || e.receiving ? text : `(${text})`;
    return [...(i > 0 ? [{ text: '  ' }] : []), { text: shown, style: e.receiving ? sgr.white : sgr.grey }];
  });
}

function tableLines(s: TuiState, width: number): { head: string; rows: string[] } {
  const widths = columns.map((c) => Math.min(c.max, Math.max(c.title.length, ...s.vips.map((v) => c.text(v).length))));
  const headPieces: Piece[] = columns.map((c, i) => ({ text: `${fitCell(c.title, widths[i]!, c.align)}  `, style: sgr.bold }));
  if (s.tally) headPieces.push({ text: 'BACKENDS', style: sgr.bold });
  const rows = s.vips.map((v) => {
    const pieces: Piece[] = columns.flatMap((c, i) => [{ text: fitCell(c.text(v), widths[i]!, c.align), style: c.style?.(v) }, { text: '  ' }]);
    if (s.tally && v.stats !== undefined) pieces.push(...tallyPieces(v.stats.tally, s.color));
    return renderLine(pieces, width, s.color);
  });
  return { head: renderLine(headPieces, width, s.color), rows };
}

function anomalyLine(a: Anomaly, vipWidth: number, width: number, color: boolean): string {
  return renderLine(
    [
      { text: `${clockTime(a.atMs)}  ` },
      { text: `${fitCell(a.vip, vipWidth)}  ` },
      { text: fitCell(a.kind, 8), style: kindStyle[a.kind] },
      { text: `  ${a.detail}` },
    ],
    width,
    color,
  );
}

/** The fixed lines: title, settings, blank, table head, blank, error panel head. */
const chromeLines = 6;
/** Error lines kept visible when the table is long. */
const minErrorLines = 3;

export function render(s: TuiState, width: number, height: number): string {
  const w = Math.max(1, width);
  const title = padPieces(
    [{ text: ` maglevt ${s.version} on ${s.fqdn}`, style: sgr.inverse }, { text: `  ${clockTime(s.nowMs)}  q quits`, style: sgr.inverse }],
    w,
    sgr.inverse,
  );
  const table = tableLines(s, w);
  const roomForRows = Math.max(0, height - chromeLines - minErrorLines);
  let rows = table.rows;
  if (rows.length > roomForRows) {
    const kept = Math.max(0, roomForRows - 1);
    const more = renderLine([{ text: `… ${rows.length - kept} more VIPs (narrow with -filter)` }], w, s.color);
    rows = roomForRows === 0 ? [] : [...rows.slice(0, kept), more];
  }
  const totals = anomalyKinds.map((k) => `${k} ${s.anomalyTotals[k]}`).join(' · ');
  const lines = [
    renderLine(title, w, s.color),
    renderLine([{ text: ` ${s.vips.length} VIPs · ${s.summary}` }], w, s.color),
    '',
    table.head,
    ...rows,
    '',
    renderLine([{ text: 'ERRORS', style: sgr.bold }, { text: `  ${totals}  (newest first)` }], w, s.color),
  ];
  const errorRoom = Math.max(0, height - lines.length);
  const vipWidth = Math.min(24, Math.max(3, ...s.vips.map((v) => v.target.name.length)));
  if (errorRoom > 0) for (const a of s.anomalies.slice(-errorRoom).reverse()) lines.push(anomalyLine(a, vipWidth, w, s.color));
  while (lines.length < height) lines.push('');
  return lines.slice(0, Math.max(0, height)).join('\n');
}
