// Command-line flags in Go `flag` syntax, shared by every binary: `-name value`,
// `-name=value`, `--name value`, `--name=value`; a bool is set by `-name` alone or
// `-name=<bool>` and never takes a separate argument. Parsing stops at the first non-flag
// argument or after `--`. An explicit flag beats its environment variable, which beats the
// default. Pure: argv and env are passed in, and problems come back as data naming the flag.

import { formatDurationMs, parseDurationMs } from './duration.js';

interface FlagBase {
  readonly name: string;
  /** Other spellings, e.g. `h` for `help`. */
  readonly aliases?: readonly string[];
  /** Environment variable read when the flag is not given. */
  readonly env?: string;
  readonly usage?: string;
}

export type FlagSpec =
  | (FlagBase & { readonly kind: 'string'; readonly default?: string })
  | (FlagBase & { readonly kind: 'bool'; readonly default?: boolean })
  /** Go duration syntax; the value (and default) in milliseconds. */
  | (FlagBase & { readonly kind: 'duration'; readonly default?: number })
  /** May be given many times; every value is kept, in order. The env variable gives one value. */
  | (FlagBase & { readonly kind: 'repeat'; readonly default?: readonly string[] });

interface KindValue {
  string: string;
  bool: boolean;
  duration: number;
  repeat: readonly string[];
}

/** Parsed values by flag name; `undefined` when a flag without default was not given (repeat: []). */
export type FlagValues<S extends readonly FlagSpec[]> = {
  readonly [F in S[number] as F['name']]: F extends { readonly kind: 'repeat' }
    ? readonly string[]
    : F extends { readonly default: unknown }
      ? KindValue[F['kind']]
      : KindValue[F['kind']] | undefined;
};

/** `flag` is the flag's name (or the offending argument for bad syntax). */
export type FlagFailure = { readonly ok: false; readonly flag: string; readonly message: string };

export type FlagParse<S extends readonly FlagSpec[]> =
  | { readonly ok: true; readonly values: FlagValues<S>; readonly args: readonly string[] }
  | FlagFailure;

type Env = Readonly<Record<string, string | undefined>>;

/** Go's strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** Converts one textual value of a flag; a message when it does not parse. */
function convert(spec: FlagSpec, text: string): { value: string | boolean | number } | { error: string } {
  switch (spec.kind) {
    case 'string':
    case 'repeat':
      return { value: text };
    case 'bool': {
      const b = parseGoBool(text);
      return b === undefined ? { error: 'expected true or false' } : { value: b };
    }
    case 'duration': {
      const ms = parseDurationMs(text);
      return ms === undefined ? { error: 'expected a Go duration such as 500ms or 2s' } : { value: ms };
    }
    default: {
      const exhaustive: never = spec;
      return exhaustive;
    }
  }
}

function failure(flag: string, message: string): FlagFailure {
  return { ok: false, flag, message };
}

/** Parses argv (without the program name) against the specs, then fills in env and defaults. */
export function parseFlags<const S extends readonly FlagSpec[]>(specs: S, argv: readonly string[], env: Env = {}): FlagParse<S> {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of [s.name, ...(s.aliases ?? [])]) byName.set(n, s);
  const values = new Map<string, unknown>();
  const set = (spec: FlagSpec, text: string, source: string): FlagFailure | undefined => {
    const c = convert(spec, text);
    if ('error' in c) return failure(spec.name, `invalid value ${JSON.stringify(text)} for ${source}: ${c.error}`);
    if (spec.kind === 'repeat') values.set(spec.name, [...((values.get(spec.name) as string[] | undefined) ?? []), text]);
    else values.set(spec.name, c.value);
    return undefined;
  };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg.length < 2 || !arg.startsWith('-')) break;
    i++;
    if (arg === '--') break;
    const body = arg.slice(arg.startsWith('--') ? 2 : 1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) return failure(arg, `bad flag syntax: ${arg}`);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = byName.get(name);
    if (spec === undefined) return failure(name, `flag provided but not defined: -${name}`);
    let text: string;
    if (eq >= 0) text = body.slice(eq + 1);
    else if (spec.kind === 'bool') text = 'true';
    else if (i < argv.length) text = argv[i++]!;
    else return failure(spec.name, `flag needs an argument: -${name}`);
    const bad = set(spec, text, `flag -${name}`);
    if (bad !== undefined) return bad;
  }
  for (const spec of specs) {
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    if (values.has(spec.name) || fromEnv === undefined) continue;
    const bad = set(spec, fromEnv, `environment variable ${spec.env} (flag -${spec.name})`);
    if (bad !== undefined) return bad;
  }
  for (const spec of specs) {
    if (!values.has(spec.name)) values.set(spec.name, spec.kind === 'repeat' ? (spec.default ?? []) : spec.default);
  }
  return { ok: true, values: Object.fromEntries(values) as FlagValues<S>, args: argv.slice(i) };
}

function describeDefault(spec: FlagSpec): string | undefined {
  switch (spec.kind) {
    case 'string':
      return spec.default === undefined || spec.default === '' ? undefined : JSON.stringify(spec.default);
    case 'bool':
      return spec.default === true ? 'true' : undefined;
    case 'duration':
      return spec.default === undefined ? undefined : formatDurationMs(spec.default);
    case 'repeat':
      return spec.default === undefined || spec.default.length === 0 ? undefined : spec.default.map((d) => JSON.stringify(d)).join(', ');
    default: {
      const exhaustive: never = spec;
      return exhaustive;
    }
  }
}

/** Usage lines in the layout of Go's flag.PrintDefaults, with the env variable named. */
export function formatFlagUsage(specs: readonly FlagSpec[], dash: '-' | '--' = '-'): string {
  return specs
    .map((spec) => {
      const type = spec.kind === 'bool' ? '' : spec.kind === 'repeat' ? ' value' : ` ${spec.kind}`;
      const notes = [spec.usage ?? ''];
      if (spec.kind === 'repeat') notes.push('(repeatable)');
      if (spec.env !== undefined) notes.push(`(env ${spec.env})`);
      const def = describeDefault(spec);
      if (def !== undefined) notes.push(`(default ${def})`);
      return `  ${dash}${spec.name}${type}\n    \t${notes.filter((n) => n !== '').join(' ')}\n`;
    })
    .join('');
}
