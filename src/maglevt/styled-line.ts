// One line of maglevt's screen as styled pieces, cut to the terminal width by visible characters
// (escape codes take no columns), with plain ANSI SGR codes: no curses, so it works over any SSH
// terminal. Pure.

/** SGR parameters, e.g. '1' bold, '7' inverse, '31' red, '90' grey, '97' bright white. */
export const sgr = {
  bold: '1',
  inverse: '7',
  red: '31',
  yellow: '33',
  magenta: '35',
  grey: '90',
  white: '97',
} as const;

export interface Piece {
  readonly text: string;
  readonly style?: string;
}

/** Code points are the unit: close enough for names and addresses, which are ASCII. */
export function visibleLength(text: string): number {
  return [...text].length;
}

function cut(text: string, n: number): string {
  return [...text].slice(0, n).join('');
}

/** Pads (left-aligned) or right-aligns text to exactly `width`, cutting it when longer. */
export function fitCell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const len = visibleLength(text);
  if (len > width) return width <= 1 ? cut(text, width) : `${cut(text, width - 1)}…`;
  const pad = ' '.repeat(width - len);
  return align === 'left' ? text + pad : pad + text;
}

/** Joins the pieces and cuts them at `width` visible characters; styles only when `color`. */
export function renderLine(pieces: readonly Piece[], width: number, color: boolean): string {
  let left = width;
  let out = '';
  for (const p of pieces) {
    if (left <= 0) break;
    const text = visibleLength(p.text) > left ? cut(p.text, left) : p.text;
    left -= visibleLength(text);
    out += color && p.style !== undefined && text !== '' ? `\x1b[${p.style}m${text}\x1b[0m` : text;
  }
  return out;
}

/** A whole-line style (e.g. an inverse title bar) needs the text padded to the full width. */
export function padPieces(pieces: readonly Piece[], width: number, style?: string): Piece[] {
  const used = pieces.reduce((n, p) => n + visibleLength(p.text), 0);
  return used >= width ? [...pieces] : [...pieces, { text: ' '.repeat(width - used), style }];
}
