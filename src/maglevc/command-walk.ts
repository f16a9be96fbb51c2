// The pure tree walk of maglevc: tokens against keywords (exact match wins,
// else a unique prefix) and slots (a token that matches no keyword fills the slot; numbers are
// checked here, names by the server). Errors are targeted messages, never a dump of the tree.

import type { CommandNode, KeywordEdge } from './command-tree.js';

export type WalkResult =
  | {
      readonly ok: true;
      readonly node: CommandNode;
      readonly args: ReadonlyMap<string, string>;
      /** The canonical words consumed (keywords in full, slot values as typed). */
      readonly path: readonly string[];
    }
  | { readonly ok: false; readonly error: string; readonly at: number };

/** Splits a command line on whitespace. */
export function tokenize(line: string): string[] {
  return line.split(/\s+/).filter((w) => w !== '');
}

/** Keywords matching a token: the exact one, else every keyword it prefixes. */
export function matchKeywords(node: CommandNode, token: string): KeywordEdge[] {
  const exact = node.keywords.find((k) => k.word === token);
  if (exact !== undefined) return [exact];
  return node.keywords.filter((k) => k.word.startsWith(token));
}

function checkSlot(kind: string, label: string, value: string): string | undefined {
  if (kind === 'weight') {
    return /^\d{1,3}$/.test(value) && Number(value) <= 100 ? undefined : `bad argument "${value}": expected ${label}`;
  }
  if (kind === 'count') {
    return /^\d{1,9}$/.test(value) && Number(value) >= 1 ? undefined : `bad argument "${value}": expected a number of at least 1`;
  }
  return undefined;
}

function after(path: readonly string[]): string {
  return path.length === 0 ? '' : ` after "${path.join(' ')}"`;
}

/** What may come next at a node: keywords, then the slot label. */
export function expectedAt(node: CommandNode): string[] {
  const words = node.keywords.map((k) => k.word);
  return node.slot === undefined ? words : [...words, node.slot.label];
}

/** Walks every token from `root`. */
export function walk(root: CommandNode, tokens: readonly string[]): WalkResult {
  let node = root;
  const args = new Map<string, string>();
  const path: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const matches = matchKeywords(node, token);
    if (matches.length === 1) {
      const edge = matches[0]!;
      if (edge.sets !== undefined) args.set(edge.sets[0], edge.sets[1]);
      path.push(edge.word);
      node = edge.next;
      continue;
    }
    if (node.slot !== undefined) {
      const bad = checkSlot(node.slot.kind, node.slot.label, token);
      if (bad !== undefined) return { ok: false, error: bad, at: i };
      args.set(node.slot.arg, token);
      path.push(token);
      node = node.slot.next;
      continue;
    }
    if (matches.length > 1) {
      const names = matches.map((k) => k.word).sort();
      return { ok: false, error: `ambiguous command "${token}": ${names.join(', ')}`, at: i };
    }
    return { ok: false, error: `unknown command "${token}"${after(path)}`, at: i };
  }
  return { ok: true, node, args, path };
}

/** Walks a whole command: an error unless it ends at a node that runs something. */
export function parseCommand(root: CommandNode, tokens: readonly string[]): WalkResult {
  const r = walk(root, tokens);
  if (!r.ok || r.node.run !== undefined) return r;
  return { ok: false, error: `incomplete command, expected: ${expectedAt(r.node).join(', ')}`, at: tokens.length };
}
