// The interactive maglevc shell (behaviour.md §7.3) on node:readline: prompt `maglevc> `, Tab
// completion (keywords and live names), `?` help as in birdc (the line is echoed with its `?`,
// the candidates listed, the prompt redrawn without the `?`), history in ~/.maglevc_history
// (1000 entries), Ctrl-C clears the line or stops a running command, Ctrl-D/quit/exit leave.

import { helpLine } from './help-request.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface, type Interface, type Key } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CommandNode } from './command-tree.js';
import { parseCommand, tokenize } from './command-walk.js';
import { runCommand, type CommandContext } from './commands.js';
import type { Completer } from './completion.js';
import { errorText } from '../api/maglev-client.js';
import { red } from './output-style.js';

export const historySize = 1000;
export const prompt = 'maglevc> ';

export interface ShellOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** readline terminal mode: editing, Tab, `?` and history (stdin is a TTY, or a test forces it). */
  readonly terminal: boolean;
  readonly tree: CommandNode;
  readonly completer: Completer;
  /** The command context, minus what the shell provides per command. */
  readonly context: Omit<CommandContext, 'out' | 'stop'>;
  /** undefined: no history file. */
  readonly historyFile: string | undefined;
}

function loadHistory(file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-historySize)
      .reverse();
  } catch {
    return []; // no history yet
  }
}

/** Runs the shell until Ctrl-D, quit or exit; resolves to exit code 0. */
export function runShell(opts: ShellOptions): Promise<number> {
  const { input, output } = opts;
  const write = (line: string): void => void output.write(`${line}\n`);
  const rl: Interface = createInterface({
    input,
    output,
    terminal: opts.terminal,
    // Piped input (a script) gets the output only, no prompts.
    prompt: opts.terminal ? prompt : '',
    historySize,
    history: loadHistory(opts.historyFile),
    completer: (line: string, cb: (err: Error | null, result: [string[], string]) => void) => {
      opts.completer.complete(line).then(
        (r) => cb(null, r),
        () => cb(null, [[], line]),
      );
    },
  });
  if (opts.historyFile !== undefined) {
    const file = opts.historyFile;
    rl.on('history', (h: string[]) => {
      try {
        writeFileSync(file, `${[...h].reverse().join('\n')}\n`, { mode: 0o600 });
      } catch (e) {
        write(red(opts.context.style, `history: ${errorText(e)}`));
      }
    });
  }

  let running: AbortController | undefined;
  let swallow = false;
  let closed = false;
  let quitting = false;
  let chain = Promise.resolve();
  const clearLine = (): void => {
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
  };

  const showHelp = (line: string): void => {
    for (const l of opts.completer.help(line)) write(l);
  };

  const execute = async (line: string): Promise<void> => {
    if (!opts.terminal && line.trimEnd().endsWith('?')) {
      showHelp(line.trimEnd().slice(0, -1));
      return;
    }
    const tokens = tokenize(line);
    if (tokens.length === 0) return;
    const help = helpLine(tokens);
    if (help !== undefined) return showHelp(help);
    const parsed = parseCommand(opts.tree, tokens);
    if (!parsed.ok) return write(red(opts.context.style, parsed.error));
    const name = parsed.node.run;
    if (name === undefined) return;
    if (name === 'quit') {
      quitting = true;
      rl.close();
      return;
    }
    const stop = new AbortController();
    running = stop;
    const onKey = (): void => stop.abort();
    if (name === 'watch-events' && opts.terminal) {
      swallow = true;
      input.once('keypress', onKey);
    }
    try {
      await runCommand({ ...opts.context, out: write, stop: stop.signal }, name, parsed.args);
    } catch (e) {
      write(red(opts.context.style, errorText(e)));
    } finally {
      running = undefined;
      input.off('keypress', onKey);
      if (swallow) {
        swallow = false;
        clearLine();
      }
    }
  };

  rl.on('line', (line: string) => {
    if (swallow) return; // the key that stops `watch events`
    chain = chain.then(() => execute(line)).then(() => {
      if (!closed) rl.prompt();
    });
  });

  rl.on('SIGINT', () => {
    if (running !== undefined) {
      running.abort();
      return;
    }
    output.write('^C\n');
    clearLine();
    rl.prompt();
  });

  if (opts.terminal) {
    // Runs after readline's own keypress handler, which has already inserted the `?`.
    input.on('keypress', (s: string | undefined, _key: Key) => {
      if (s !== '?' || running !== undefined || closed) return;
      const before = rl.line.slice(0, rl.cursor - 1);
      output.write('\n');
      showHelp(before);
      rl.write(null, { name: 'backspace' });
    });
  }

  write(opts.context.version);
  rl.prompt();
  return new Promise<number>((resolve) => {
    rl.on('close', () => {
      closed = true;
      running?.abort();
      void chain.then(() => {
        if (!quitting && opts.terminal) output.write('\n'); // Ctrl-D leaves the cursor after the prompt
        resolve(0);
      });
    });
  });
}
