// The maglevc entry point (behaviour.md §1.7, §7): flags, then the interactive shell (no command
// words) or one command. Returns the exit code (§1.6: 0 ok, 1 RPC/server failure or a not-ok
// config result, 2 usage), so bin/maglevc.js stays a one-liner and tests run it in-process.

import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { buildInfo } from '../generated/build-info.js';
import { createCommandTree } from './command-tree.js';
import { parseCommand } from './command-walk.js';
import { runCommand } from './commands.js';
import { Completer, type NameSource } from './completion.js';
import { errorText, MaglevClient } from '../api/maglev-client.js';
import { maglevcExitCodes, maglevcUsage, parseMaglevcOptions, useColor } from './maglevc-flags.js';
import { red } from './output-style.js';
import { runShell } from './shell.js';
import { helpLine } from './help-request.js';

/** Where maglevc reads and writes; the process's streams by default. */
export interface MaglevcIo {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Force readline terminal mode (tests); default: stdin is a TTY. */
  readonly terminal?: boolean;
  /** The clock for relative times; default Date.now. */
  readonly now?: () => number;
}

/** One-shot help lists keywords and slot labels only; it never asks the server for names. */
const noNames: NameSource = {
  listFrontends: () => Promise.reject(new Error('no server for help')),
  listBackends: () => Promise.reject(new Error('no server for help')),
  listHealthChecks: () => Promise.reject(new Error('no server for help')),
  getFrontend: () => Promise.reject(new Error('no server for help')),
};

/** Unary calls give up after this long (a sync waits for its VPP run). */
const unaryDeadlineMs = 30_000;

function processIo(): MaglevcIo {
  // `maglevc … | head`: once the reader is gone, stop quietly instead of dying with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(maglevcExitCodes.ok);
    throw e;
  });
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

export function versionLine(): string {
  return `maglevc ${buildInfo.version} (commit ${buildInfo.commit}, built ${buildInfo.date})`;
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: MaglevcIo = processIo()): Promise<number> {
  const errLine = (l: string): void => void io.stderr.write(`${l}\n`);
  const outLine = (l: string): void => void io.stdout.write(`${l}\n`);
  const parsed = parseMaglevcOptions(argv, env);
  if (!parsed.ok) {
    errLine(`maglevc: ${parsed.message}`);
    errLine("run 'maglevc --help' for usage");
    return maglevcExitCodes.usage;
  }
  const o = parsed.options;
  if (o.help) {
    outLine(maglevcUsage());
    return maglevcExitCodes.ok;
  }
  if (o.version) {
    outLine(versionLine());
    return maglevcExitCodes.ok;
  }
  const interactive = o.words.length === 0;
  const style = { color: useColor(o.color, interactive, env) };
  const now = io.now ?? Date.now;
  const tree = createCommandTree({ interactive });

  if (interactive) {
    const client = new MaglevClient(o.server, { deadlineMs: unaryDeadlineMs });
    try {
      const home = env.HOME ?? homedir();
      return await runShell({
        input: io.stdin,
        output: io.stdout,
        terminal: io.terminal ?? io.stdin.isTTY === true,
        tree,
        completer: new Completer(tree, client, now),
        context: { client, style, now, version: versionLine() },
        historyFile: home === '' ? undefined : join(home, '.maglevc_history'),
      });
    } finally {
      client.close();
    }
  }

  const help = helpLine(o.words);
  if (help !== undefined) {
    // Help needs no server: the completer only reads the tree here.
    for (const l of new Completer(tree, noNames, now).help(help)) outLine(l);
    return maglevcExitCodes.ok;
  }
  const cmd = parseCommand(tree, o.words);
  if (!cmd.ok) {
    errLine(red(style, cmd.error));
    return maglevcExitCodes.usage;
  }
  const name = cmd.node.run;
  if (name === undefined || name === 'quit') return maglevcExitCodes.usage; // parseCommand only stops at runnable nodes
  const client = new MaglevClient(o.server, { deadlineMs: unaryDeadlineMs });
  const stop = new AbortController();
  const release = name === 'watch-events' ? stopOnKeyOrInterrupt(io, stop) : () => {};
  try {
    return await runCommand({ client, style, now, version: versionLine(), out: outLine, stop: stop.signal }, name, cmd.args);
  } catch (e) {
    errLine(red(style, errorText(e)));
    return maglevcExitCodes.failed;
  } finally {
    release();
    client.close();
  }
}

/**
 * `watch events` stops on Ctrl-C and, on a terminal, on any key. Node has no cbreak mode: raw
 * mode is used, where Ctrl-C arrives as a byte and stops the watch like any other key.
 */
function stopOnKeyOrInterrupt(io: MaglevcIo, stop: AbortController): () => void {
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  const tty = io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
  const onData = (): void => stop.abort();
  if (tty) {
    io.stdin.setRawMode?.(true);
    io.stdin.on('data', onData);
    io.stdin.resume();
  }
  return () => {
    process.off('SIGINT', onSignal);
    if (tty) {
      io.stdin.off('data', onData);
      io.stdin.setRawMode?.(false);
      io.stdin.pause();
    }
  };
}
