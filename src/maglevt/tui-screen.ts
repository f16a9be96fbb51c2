// Paints maglevt's terminal UI with plain ANSI: the alternate screen buffer,
// a hidden cursor, a redraw about 4 times a second and on resize, and raw keyboard input where
// `q` or Ctrl-C quits. Every line is placed with a cursor move and cleared whole first, so a line
// that fills the last column is not clipped by a trailing erase. The terminal is restored on
// stop, and on process exit should something throw past it.

import type { Readable, Writable } from 'node:stream';

export interface TerminalIo {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stdout: Writable & { columns?: number; rows?: number };
}

export interface TuiScreenOptions {
  readonly io: TerminalIo;
  /** The screen text for a size: exactly `height` lines joined by '\n' (tui-render.ts). */
  readonly frame: (width: number, height: number) => string;
  readonly redrawMs: number;
  readonly onQuit: () => void;
}

const enter = '\x1b[?1049h\x1b[?25l';
const leave = '\x1b[0m\x1b[?25h\x1b[?1049l';
const quitKeys = new Set(['q', 'Q', '\x03']);

/** A pty whose size was never set reports 0 × 0. */
function sizeOr(n: number | undefined, fallback: number): number {
  return n !== undefined && n > 0 ? n : fallback;
}

/** Cursor-addressed paint of a frame: row i at line i+1, column 1, after clearing the line. */
export function paint(frame: string): string {
  return frame
    .split('\n')
    .map((line, i) => `\x1b[${i + 1};1H\x1b[2K${line}`)
    .join('');
}

export class TuiScreen {
  readonly #o: TuiScreenOptions;
  #timer: NodeJS.Timeout | undefined;
  #active = false;
  readonly #onKey = (chunk: Buffer | string): void => {
    if ([...chunk.toString()].some((c) => quitKeys.has(c))) this.#o.onQuit();
  };
  readonly #redraw = (): void => this.draw();
  readonly #restoreOnExit = (): void => this.stop();

  constructor(options: TuiScreenOptions) {
    this.#o = options;
  }

  start(): void {
    const { stdin, stdout } = this.#o.io;
    this.#active = true;
    stdout.write(enter);
    if (stdin.isTTY === true && stdin.setRawMode !== undefined) stdin.setRawMode(true);
    stdin.on('data', this.#onKey);
    stdin.resume();
    stdout.on('resize', this.#redraw);
    process.once('exit', this.#restoreOnExit);
    this.#timer = setInterval(this.#redraw, this.#o.redrawMs);
    this.draw();
  }

  draw(): void {
    if (!this.#active) return;
    const { stdout } = this.#o.io;
    stdout.write(paint(this.#o.frame(sizeOr(stdout.columns, 80), sizeOr(stdout.rows, 24))));
  }

  /** Restores the terminal; safe to call twice. */
  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    const { stdin, stdout } = this.#o.io;
    clearInterval(this.#timer);
    stdout.off('resize', this.#redraw);
    stdin.off('data', this.#onKey);
    process.off('exit', this.#restoreOnExit);
    if (stdin.isTTY === true && stdin.setRawMode !== undefined) stdin.setRawMode(false);
    stdin.pause();
    stdout.write(leave);
  }
}
