// Test helper for config fuzzing (issue 7): derives malformed maglev.yaml texts from a valid one,
// reproducibly from a seed. Structured mutations edit the parsed value and re-serialise it
// (delete keys, wrong types, out-of-range numbers, bad addresses and durations, unknown keys, bad
// names, huge strings, deep nesting); textual ones edit the bytes (duplicate keys, truncation,
// random bytes, tabs, aliases, extra documents, whole-file noise).

import { parse, stringify } from 'yaml';
import { seededRandom, type Rng } from './seeded-random.js';

export const mutationKinds = [
  'delete-key',
  'wrong-type',
  'out-of-range',
  'bad-address',
  'bad-duration',
  'unknown-key',
  'bad-name',
  'duplicate-key',
  'truncate',
  'random-bytes',
  'tab-indent',
  'alias',
  'extra-document',
  'deep-nesting',
  'huge-string',
  'random-file',
] as const;

export type MutationKind = (typeof mutationKinds)[number];

export interface Mutant {
  readonly kind: MutationKind;
  readonly seed: number;
  readonly text: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = ReadonlyArray<string | number>;

/** Every path to a value in the tree (containers and leaves), root excluded. */
function paths(v: Json, prefix: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [];
  const entries: Array<[string | number, Json]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...prefix, k], ...paths(x, [...prefix, k])]);
}

function parentOf(root: Json, path: Path): { parent: Json[] | { [k: string]: Json }; key: string | number } {
  let cur: Json = root;
  for (const k of path.slice(0, -1)) cur = (cur as Record<string | number, Json>)[k] as Json;
  return { parent: cur as Json[] | { [k: string]: Json }, key: path[path.length - 1] as string | number };
}

function setAt(root: Json, path: Path, value: Json): void {
  const { parent, key } = parentOf(root, path);
  (parent as Record<string | number, Json>)[key] = value;
}

function deleteAt(root: Json, path: Path): void {
  const { parent, key } = parentOf(root, path);
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key as string];
}

function lastKey(p: Path): string {
  return String(p[p.length - 1]);
}

/** Paths whose key matches one of the names (falls back to any path). */
function pathsNamed(all: Path[], names: readonly string[]): Path[] {
  const hits = all.filter((p) => names.includes(lastKey(p)));
  return hits.length > 0 ? hits : all;
}

const numericKeys = ['port', 'weight', 'rise', 'fall', 'transition-history', 'sticky-buckets-per-core'];
const addressKeys = ['address', 'ipv4-src-address', 'ipv6-src-address', 'probe-ipv4-src', 'probe-ipv6-src'];
const durationKeys = ['interval', 'fast-interval', 'down-interval', 'timeout', 'sync-interval', 'flow-timeout', 'startup-min-delay', 'startup-max-delay'];

const wrongValues: Json[] = [[], {}, true, false, 'str', 42, -7, null, 1.5, [1, 2], { a: { b: 1 } }, '', 'yes'];
const badNumbers: Json[] = [-1, 0, 65536, 101, 1001, 2 ** 31, 2 ** 53, 1e308, -0.5, 3.25, 2 ** 31 + 1, 99999999999];
const badAddresses: Json[] = ['300.1.1.1', '::ffff:1.2.3.4', 'fe80::1%eth0', '10.0.0.0/8', 'example.com', '', '1.2.3', '2001:db8::1::2', ' 1.2.3.4', '1.2.3.4\n', '0x7f.1', '::g', 127001];
const badDurations: Json[] = ['5', '-1s', '1x', '1.5.5s', '', 'ms', '9999999999999999999h', '1e3s', ' 1s', 5, '1s ', 'P1D', '1..5s', true];
const badNames = ['bad name', '-leading', 'a'.repeat(65), 'ünïcode', 'semi;colon', '', '.dot'];

function structured(kind: MutationKind, rng: Rng, base: Json): string {
  const root = structuredClone(base);
  const all = paths(root);
  switch (kind) {
    case 'delete-key':
      deleteAt(root, rng.pick(all));
      break;
    case 'wrong-type':
      setAt(root, rng.pick(all), rng.pick(wrongValues));
      break;
    case 'out-of-range':
      setAt(root, rng.pick(pathsNamed(all, numericKeys)), rng.pick(badNumbers));
      break;
    case 'bad-address':
      setAt(root, rng.pick(pathsNamed(all, addressKeys)), rng.pick(badAddresses));
      break;
    case 'bad-duration':
      setAt(root, rng.pick(pathsNamed(all, durationKeys)), rng.pick(badDurations));
      break;
    case 'unknown-key': {
      const maps = all.filter((p) => {
        const { parent, key } = parentOf(root, p);
        const v = (parent as Record<string | number, Json>)[key];
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      });
      const target = maps.length > 0 ? rng.pick(maps) : [];
      let obj: Json = root;
      for (const k of target) obj = (obj as Record<string | number, Json>)[k] as Json;
      (obj as Record<string, Json>)[rng.pick(['bogus', 'Address', 'adress', 'port2', 'x-extra', '0'])] = rng.pick(wrongValues);
      break;
    }
    case 'bad-name': {
      // Rename an entry of a name-keyed map (health checks, backends, frontends).
      const named = all.filter((p) => p.length === 3 && ['healthchecks', 'backends', 'frontends'].includes(String(p[1])));
      const p = named.length > 0 ? rng.pick(named) : rng.pick(all);
      const { parent, key } = parentOf(root, p);
      if (!Array.isArray(parent)) {
        const value = parent[key as string] as Json;
        delete parent[key as string];
        parent[rng.pick(badNames)] = value;
      }
      break;
    }
    case 'deep-nesting': {
      let v: Json = 'leaf';
      for (let depth = rng.pick([20, 64, 200, 600]); depth > 0; depth--) v = rng.chance(0.5) ? [v] : { a: v };
      setAt(root, rng.pick(all), v);
      break;
    }
    case 'huge-string': {
      const size = rng.pick([10_000, 100_000, 1_000_000]);
      const p = rng.pick(all);
      if (rng.chance(0.5)) setAt(root, p, 'x'.repeat(size));
      else {
        const { parent, key } = parentOf(root, p);
        if (!Array.isArray(parent)) {
          const value = parent[key as string] as Json;
          delete parent[key as string];
          parent['k'.repeat(size)] = value;
        }
      }
      break;
    }
    default:
      throw new Error(`not a structured mutation: ${kind}`);
  }
  return stringify(root, { lineWidth: 0 });
}

/** A random character: mostly ASCII (controls included), sometimes YAML syntax or non-ASCII. */
function noiseChar(rng: Rng): string {
  const r = rng.next();
  if (r < 0.6) return String.fromCharCode(rng.int(128));
  if (r < 0.85) return rng.pick([':', '-', '[', ']', '{', '}', '&', '*', '!', '|', '>', '#', '%', '@', '`', '"', "'", '\t', '\n', '?', ',']);
  return String.fromCodePoint(rng.pick([0xfeff, 0xfffd, 0x00e9, 0x1f600, 0x202e, 0x0085, 0x2028, rng.between(0x80, 0xffff)]));
}

function textual(kind: MutationKind, rng: Rng, text: string): string {
  const lines = text.split('\n');
  switch (kind) {
    case 'duplicate-key': {
      const keyed = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[A-Za-z0-9_.-]+:/.test(l));
      const [line, i] = rng.pick(keyed);
      lines.splice(i + 1, 0, line.replace(/:.*$/, ': 1'));
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, rng.int(text.length));
    case 'random-bytes': {
      const at = rng.int(text.length);
      const noise = Array.from({ length: rng.between(1, 24) }, () => noiseChar(rng)).join('');
      return text.slice(0, at) + noise + text.slice(at + rng.int(8));
    }
    case 'tab-indent': {
      const indented = lines.map((l, i) => [l, i] as const).filter(([l]) => /^ +\S/.test(l));
      const [line, i] = rng.pick(indented);
      lines[i] = line.replace(/^ +/, (s) => '\t'.repeat(Math.max(1, s.length / 2)));
      return lines.join('\n');
    }
    case 'alias': {
      const choice = rng.int(3);
      if (choice === 0) return text.replace(/^maglev:/m, 'maglev: *nowhere\nx:');
      if (choice === 1) {
        // A nested alias bomb in a place the schema reads (the backends map).
        const bomb = ['  a0: &a0 [x, x, x, x, x, x, x, x]'];
        for (let k = 1; k < 8; k++) bomb.push(`  a${k}: &a${k} [${Array.from({ length: 8 }, () => `*a${k - 1}`).join(', ')}]`);
        return text.replace(/^maglev:\n/m, `maglev:\n  backends: &self\n    loop: *self\n${bomb.map((l) => `  ${l}`).join('\n')}\n`);
      }
      return text.replace(/^( +)(address: .*)$/m, '$1address: &addr\n$1  deep: *addr');
    }
    case 'extra-document':
      return `${text}\n---\n${rng.pick(['maglev: {}', 'x: 1', '- 1', ''])}\n`;
    case 'random-file':
      return Array.from({ length: rng.int(400) }, () => noiseChar(rng)).join('');
    default:
      throw new Error(`not a textual mutation: ${kind}`);
  }
}

const structuredKinds: ReadonlySet<MutationKind> = new Set([
  'delete-key',
  'wrong-type',
  'out-of-range',
  'bad-address',
  'bad-duration',
  'unknown-key',
  'bad-name',
  'deep-nesting',
  'huge-string',
]);

/** One mutant of `base` (a valid config text); the same kind and seed always give the same text. */
export function mutateConfig(base: string, kind: MutationKind, seed: number): Mutant {
  const rng = seededRandom(seed);
  const text = structuredKinds.has(kind) ? structured(kind, rng, parse(base) as Json) : textual(kind, rng, base);
  return { kind, seed, text };
}

/** `count` mutants, cycling through every kind; mutant i uses seed `seed + i`. */
export function configMutants(base: string, count: number, seed: number): Mutant[] {
  return Array.from({ length: count }, (_, i) => mutateConfig(base, mutationKinds[i % mutationKinds.length] as MutationKind, seed + i));
}
