// Typed reads from a parsed YAML document, each with its key path and line:col. This is the
// vocabulary of the structural stage (§2.2 value types): mappings with a fixed key set
// (unknown and duplicate keys are errors), name-keyed maps, lists, and scalars of one type.
// Every problem is collected, never thrown, so one pass reports all of them.

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { parseDurationMs } from '../shared/duration.js';
import { canonicalIp, ipFamily } from '../shared/ip-address.js';
import { childPath, issueAt, type ConfigIssue, type ConfigLocation, type Located } from './issue.js';
import { pathKey, plainSnippet, quoteSnippet } from './snippet.js';

/** Reads one value; `at` is the value's path and position, `keyAt` the position of its key. */
export type FieldReader = (node: Node | null, at: ConfigLocation, keyAt: ConfigLocation) => void;

export interface NamedEntry {
  readonly name: string;
  /** The entry's path, at the position of its key. */
  readonly at: ConfigLocation;
  /** The entry's value, at the position of the value. */
  readonly valueAt: ConfigLocation;
  readonly node: Node | null;
}

export interface ListItem {
  readonly at: ConfigLocation;
  readonly node: Node | null;
}

const intSource = /^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;

/** What a node is, for type errors: `the string "abc"`, `a list`, `null`. */
function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null (an empty value)';
    if (typeof v === 'string') return `the string ${quoteSnippet(v)}`;
    if (typeof v === 'number' || typeof v === 'bigint') return `the number ${plainSnippet(node.source ?? String(v))}`;
    if (typeof v === 'boolean') return `the boolean ${plainSnippet(node.source ?? String(v))}`;
  }
  return 'an unsupported value';
}

function intValue(node: Node | null): number | undefined {
  if (node === null || !isScalar(node) || node.type !== 'PLAIN' || typeof node.value !== 'number') return undefined;
  return intSource.test(node.source ?? '') ? node.value : undefined;
}

export class YamlReader {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #errors: ConfigIssue[] = [];

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  get errors(): readonly ConfigIssue[] {
    return this.#errors;
  }

  fail(at: ConfigLocation, message: string): void {
    this.#errors.push(issueAt(at, message));
  }

  /** The location of a node under a path; falls back to `near` when the node has no range. */
  locate(node: Node | null | undefined, path: string, near: ConfigLocation): ConfigLocation {
    const offset = node?.range?.[0];
    if (offset === undefined) return { path, line: near.line, col: near.col };
    const { line, col } = this.#lines.linePos(offset);
    return { path, line, col };
  }

  #deref(node: Node | null): Node | null {
    if (node !== null && isAlias(node)) return (node.resolve(this.#doc) as Node | undefined) ?? null;
    return node;
  }

  #typeError(node: Node | null, at: ConfigLocation, expected: string): undefined {
    this.fail(at, `expected ${expected}, got ${describe(node)}`);
    return undefined;
  }

  #isNull(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.value === null);
  }

  /** The pairs of a mapping, with keys checked to be scalars and unique. Null reads as empty. */
  #pairs(nodeIn: Node | null, at: ConfigLocation): NamedEntry[] | undefined {
    const node = this.#deref(nodeIn);
    if (this.#isNull(node)) return [];
    if (node === null || !isMap(node)) return this.#typeError(node, this.locate(nodeIn, at.path, at), 'a mapping');
    const seen = new Set<string>();
    const out: NamedEntry[] = [];
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const keyNode = this.#deref(key);
      if (keyNode === null || !isScalar(keyNode) || keyNode.value === undefined) {
        this.fail(this.locate(key, at.path, at), 'a mapping key must be a plain name');
        continue;
      }
      const name = typeof keyNode.value === 'string' ? keyNode.value : (keyNode.source ?? '');
      // The path quotes odd keys short: it reaches clients and logs like the message does.
      const keyAt = this.locate(key, childPath(at.path, pathKey(name)), at);
      if (seen.has(name)) {
        this.fail(keyAt, `duplicate key ${quoteSnippet(name)}`);
        continue;
      }
      seen.add(name);
      const value = (pair.value as Node | null) ?? null;
      out.push({ name, at: keyAt, valueAt: this.locate(value, keyAt.path, keyAt), node: value });
    }
    return out;
  }

  /** A mapping with a fixed key set: each present key goes to its reader, others are errors. */
  fields(node: Node | null, at: ConfigLocation, readers: Readonly<Record<string, FieldReader>>): void {
    for (const e of this.#pairs(node, at) ?? []) {
      const read = Object.hasOwn(readers, e.name) ? readers[e.name] : undefined;
      if (read === undefined) {
        this.fail(e.at, `unknown key ${quoteSnippet(e.name)} (expected one of: ${Object.keys(readers).join(', ')})`);
      } else {
        read(e.node, e.valueAt, e.at);
      }
    }
  }

  /** A mapping keyed by names, in file order. Null reads as empty; a non-mapping as undefined. */
  entries(node: Node | null, at: ConfigLocation): NamedEntry[] | undefined {
    return this.#pairs(node, at);
  }

  /** A list, items located as `path[i]`. */
  list(nodeIn: Node | null, at: ConfigLocation): ListItem[] | undefined {
    const node = this.#deref(nodeIn);
    if (node === null || !isSeq(node)) return this.#typeError(node, this.locate(nodeIn, at.path, at), 'a list');
    return node.items.map((item, i) => {
      const n = (item as Node | null) ?? null;
      return { at: this.locate(n, `${at.path}[${i}]`, at), node: n };
    });
  }

  /** A YAML integer (decimal, 0o or 0x; no floats, no quoted numbers). */
  int(nodeIn: Node | null, at: ConfigLocation): Located<number> | undefined {
    const node = this.#deref(nodeIn);
    const value = intValue(node);
    return value === undefined ? this.#typeError(node, at, 'an integer') : { ...at, value };
  }

  /** YAML `true` or `false`, spelled exactly so. */
  bool(nodeIn: Node | null, at: ConfigLocation): Located<boolean> | undefined {
    const node = this.#deref(nodeIn);
    if (node !== null && isScalar(node) && typeof node.value === 'boolean') {
      if (node.source === 'true' || node.source === 'false') return { ...at, value: node.value };
    }
    return this.#typeError(node, at, 'true or false');
  }

  /** Any non-null scalar as text (Go's yaml also reads `port: 80` into a string field). */
  string(nodeIn: Node | null, at: ConfigLocation): Located<string> | undefined {
    const node = this.#deref(nodeIn);
    if (node !== null && isScalar(node) && node.value !== null) {
      const v = node.value;
      if (typeof v === 'string') return { ...at, value: v };
      if (typeof v === 'number' || typeof v === 'boolean') return { ...at, value: node.source ?? String(v) };
    }
    return this.#typeError(node, at, 'a string');
  }

  /** A Go duration string, or the bare number 0; the value is in milliseconds. */
  duration(nodeIn: Node | null, at: ConfigLocation): Located<number> | undefined {
    const node = this.#deref(nodeIn);
    if (node !== null && isScalar(node)) {
      if (typeof node.value === 'number' && node.value === 0 && node.source === '0') return { ...at, value: 0 };
      if (typeof node.value === 'string') {
        const ms = parseDurationMs(node.value);
        if (ms !== undefined) return { ...at, value: ms };
        this.fail(at, `invalid duration ${quoteSnippet(node.value)}: expected Go syntax such as 500ms, 1.5s or 1m30s`);
        return undefined;
      }
    }
    return this.#typeError(node, at, 'a duration such as 500ms or 2s');
  }

  /** An IPv4 or IPv6 literal (no hostname, prefix or zone), in canonical form. */
  ip(node: Node | null, at: ConfigLocation): Located<string> | undefined {
    const text = this.string(node, at);
    if (text === undefined) return undefined;
    if (ipFamily(text.value) === undefined) {
      this.fail(at, `expected an IP address literal, got ${quoteSnippet(text.value)}`);
      return undefined;
    }
    return { ...at, value: canonicalIp(text.value) };
  }

  /** One of a fixed set of words. */
  oneOf<T extends string>(node: Node | null, at: ConfigLocation, words: readonly T[]): Located<T> | undefined {
    const text = this.string(node, at);
    if (text === undefined) return undefined;
    if (!(words as readonly string[]).includes(text.value)) {
      this.fail(at, `unknown value ${quoteSnippet(text.value)} (expected one of: ${words.join(', ')})`);
      return undefined;
    }
    return { ...at, value: text.value as T };
  }

  /** A string or an integer, as text (for `response-code: 200`). */
  stringOrInt(nodeIn: Node | null, at: ConfigLocation): Located<string> | undefined {
    const node = this.#deref(nodeIn);
    if (node !== null && isScalar(node) && typeof node.value === 'string') return { ...at, value: node.value };
    const value = intValue(node);
    return value === undefined ? this.#typeError(node, at, 'a string or an integer') : { ...at, value: String(value) };
  }
}
