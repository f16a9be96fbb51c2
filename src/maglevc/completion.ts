// Tab completion and `?` help for the maglevc shell (behaviour.md §7.3). Keywords come from the
// command tree; slot values come from the server (List*, and GetFrontend of the frontend named
// earlier on the line for <pool> and <pool-backend>), cached for 5 s so Tab stays snappy.

import type { CommandNode, SlotKind } from './command-tree.js';
import { matchKeywords, tokenize, walk } from './command-walk.js';
import type { MaglevClient } from '../api/maglev-client.js';

/** The RPCs completion needs. */
export type NameSource = Pick<MaglevClient, 'listFrontends' | 'listBackends' | 'listHealthChecks' | 'getFrontend'>;

export const nameCacheMs = 5000;

/** Splits a line into the complete tokens and the word being typed ('' after a space). */
export function splitLine(line: string): { tokens: string[]; partial: string } {
  const tokens = tokenize(line);
  if (line === '' || /\s$/.test(line)) return { tokens, partial: '' };
  const partial = tokens.pop() ?? '';
  return { tokens, partial };
}

export class Completer {
  readonly #root: CommandNode;
  readonly #source: NameSource;
  readonly #now: () => number;
  readonly #cache = new Map<string, { at: number; names: Promise<string[]> }>();

  constructor(root: CommandNode, source: NameSource, now: () => number) {
    this.#root = root;
    this.#source = source;
    this.#now = now;
  }

  /** readline's completer result: candidates (each with a trailing space) and the word completed. */
  async complete(line: string): Promise<[string[], string]> {
    const { tokens, partial } = splitLine(line);
    const r = walk(this.#root, tokens);
    if (!r.ok) return [[], partial];
    const words = r.node.keywords.map((k) => k.word);
    if (r.node.slot !== undefined) words.push(...(await this.#slotValues(r.node.slot.kind, r.args)));
    const hits = [...new Set(words)].filter((w) => w.startsWith(partial)).map((w) => `${w} `);
    return [hits, partial];
  }

  /** `?`: the possible next tokens with one-line help (no server round trip). */
  help(line: string): string[] {
    const { tokens, partial } = splitLine(line);
    const r = walk(this.#root, tokens);
    if (!r.ok) return [`  ${r.error}`];
    const rows: Array<[string, string]> = [];
    const keywords = partial === '' ? r.node.keywords : matchKeywords(r.node, partial);
    for (const k of keywords) rows.push([k.word, k.help]);
    if (r.node.slot !== undefined && (partial === '' || keywords.length === 0)) rows.push([r.node.slot.label, r.node.slot.help]);
    if (r.node.run !== undefined && partial === '') rows.push(['<cr>', 'run the command']);
    if (rows.length === 0) return [`  unknown command "${partial}"`];
    const width = Math.max(...rows.map(([w]) => w.length)) + 2;
    return rows.map(([w, h]) => `  ${w.padEnd(width)}${h}`);
  }

  async #slotValues(kind: SlotKind, args: ReadonlyMap<string, string>): Promise<string[]> {
    const frontend = args.get('frontend');
    switch (kind) {
      case 'frontend':
        return this.#cached('frontends', async () => (await this.#source.listFrontends()).frontend_names);
      case 'backend':
        return this.#cached('backends', async () => (await this.#source.listBackends()).backend_names);
      case 'healthcheck':
        return this.#cached('healthchecks', async () => (await this.#source.listHealthChecks()).names);
      case 'pool':
        if (frontend === undefined) return [];
        return this.#cached(`pools/${frontend}`, async () => (await this.#source.getFrontend({ name: frontend })).pools.map((p) => p.name));
      case 'pool-backend': {
        const pool = args.get('pool');
        if (frontend === undefined || pool === undefined) return [];
        return this.#cached(`members/${frontend}/${pool}`, async () =>
          ((await this.#source.getFrontend({ name: frontend })).pools.find((p) => p.name === pool)?.backends ?? []).map((b) => b.name),
        );
      }
      case 'weight':
      case 'count':
      case 'file':
        return [];
      default: {
        const exhaustive: never = kind;
        return exhaustive;
      }
    }
  }

  /** Names from the cache while fresh; a failed lookup completes nothing and is not cached. */
  #cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
    const hit = this.#cache.get(key);
    const now = this.#now();
    if (hit !== undefined && now - hit.at < nameCacheMs) return hit.names;
    const entry = { at: now, names: Promise.resolve([] as string[]) };
    // The server is unreachable or the name unknown: no candidates, and try again next time.
    entry.names = load().catch(() => {
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
      return [];
    });
    this.#cache.set(key, entry);
    return entry.names;
  }
}
