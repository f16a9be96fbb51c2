// The operator reference in docs/ against the code: every metric family, log event, config key,
// command-line flag and maglevc command that the code has is documented, and everything the
// reference documents still exists. Each failure names the items.
//
// What the code has, and how it is found:
// - metric families: a scrape of the built maglevd (VPP integration on, so maglev_vpp_* and
//   maglev_vip_* are registered; `# TYPE` lines give name and type), and the dashboard's
//   registry (startDashboard in-process, no maglevd);
// - log events: every call `<x>.debug|info|warn|error('<event>', …)` in src/ (not the browser
//   app), found in the TypeScript syntax tree. The convention: the event name is the first
//   argument, a kebab-case string literal (or `cond ? 'a' : 'b'`); the method is the level;
//   console.* is not the structured log;
// - config keys: the structure rules answer for themselves. A key `zzz` at each mapping gets
//   `unknown key "zzz" (expected one of: …)`, which lists that mapping's keys; the walk descends
//   into each key, into name-keyed maps (`<name>`) and lists (`[]`);
// - flags: the FlagSpec tables of maglevd, maglevc, maglevt and maglevd-frontend (names and
//   aliases), and the `options` of the node:util parseArgs call of the other programs;
// - maglevc commands: every node of the command tree that runs something, named by its
//   shortest word path from the root; every keyword and slot label must appear in the
//   commands section too (the `watch events` options loop back, so they are not paths).
//
// What the docs document: table rows whose first cell holds code spans; the first span is the
// item (a second and further spans are aliases, for flags). docs/metrics.md: name, type in the
// second cell, `prefix_*` rows cover prom-client's default families. docs/log-events.md: event,
// levels in the second cell. docs/configuration.md: the key path (`maglev.backends.<name>.address`).
// docs/commands.md: under `## \`program\``, `### Flags` rows and maglevc's `### Commands` rows.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import ts from 'typescript';
import { parseConfig } from '../../src/config/loader.js';
import { maglevdFlags } from '../../src/daemon/maglevd-options.js';
import { createCommandTree, type CommandNode } from '../../src/maglevc/command-tree.js';
import { maglevcFlags } from '../../src/maglevc/maglevc-flags.js';
import { maglevtFlags } from '../../src/maglevt/maglevt-options.js';
import { createRealClock } from '../../src/shared/clock.js';
import type { FlagSpec } from '../../src/shared/go-flags.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { startDashboard } from '../../src/web/dashboard.js';
import { frontendFlags } from '../../src/web/frontend-options.js';
import { spawnMaglevd } from '../support/maglevd-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readDoc = (name: string): string => readFileSync(join(root, 'docs', name), 'utf8');

// ---- the docs side ----------------------------------------------------------------------------

interface DocRow {
  /** The `## ` heading's first code span ('' when none), and the `### ` heading above the row. */
  readonly section: string;
  readonly subsection: string;
  /** The code spans of the first cell: the item, then its aliases. */
  readonly names: readonly string[];
  readonly cells: readonly string[];
}

const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** Splits a table row on unescaped pipes (`a\|b` stays in its cell). */
function tableCells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** Every reference row of a markdown file: a table row whose first cell holds a code span. */
function docRows(markdown: string): DocRow[] {
  const rows: DocRow[] = [];
  let section = '';
  let subsection = '';
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    if (line.startsWith('## ')) [section, subsection] = [codeSpans(line)[0] ?? '', ''];
    else if (line.startsWith('### ')) subsection = line.slice(4).trim();
    else if (line.startsWith('|')) {
      const cells = tableCells(line);
      const names = codeSpans(cells[0] ?? '');
      if (names.length > 0) rows.push({ section, subsection, names, cells });
    }
  }
  return rows;
}

void t.test('docRows', async (t) => {
  const md = ['## `maglevc`', '### Flags', '| Flag | Default |', '|---|---|', '| `--help`, `-h` | a \\| b |', '```', '| `x` | y |', '```', 'text `y`'].join('\n');
  t.same(docRows(md), [{ section: 'maglevc', subsection: 'Flags', names: ['--help', '-h'], cells: ['`--help`, `-h`', 'a \\| b'] }]);
});

/** The names in `code` that `docs` lacks, and the names in `docs` that `code` lacks. */
function compare(t: Test, what: string, where: string, code: Iterable<string>, docs: Iterable<string>): void {
  const inCode = new Set(code);
  const inDocs = new Set(docs);
  const missing = [...inCode].filter((n) => !inDocs.has(n)).sort();
  const stale = [...inDocs].filter((n) => !inCode.has(n)).sort();
  t.strictSame(missing, [], `${what} in the code but not in ${where}: ${missing.join(', ') || 'none'}`);
  t.strictSame(stale, [], `${what} in ${where} but not in the code: ${stale.join(', ') || 'none'}`);
}

// ---- metrics ----------------------------------------------------------------------------------

const daemonConfig = `maglev:
  vpp: { lb: { ipv4-src-address: 127.0.0.1 } }
  backends: { s1: { address: 127.0.0.1 } }
  frontends:
    fe: { address: 127.0.9.9, protocol: tcp, port: 80, pools: [{ name: p, backends: { s1: {} } }] }
`;

/** Families of a Prometheus text scrape, by name, with their type. */
function scrapedFamilies(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

void t.test('docs/metrics.md documents every metric family of maglevd and maglevd-frontend, with its type', async (t) => {
  // VPP integration on (sockets nobody listens on): the VPP families are registered meanwhile.
  const dir = mkdtempSync(join(tmpdir(), 'maglev-reference-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const d = await spawnMaglevd({ config: daemonConfig, vppApi: join(dir, 'api.sock'), vppStats: join(dir, 'stats.sock') });
  t.teardown(() => d.stop('SIGKILL'));
  const families = scrapedFamilies(await (await fetch(`http://${d.metricsAddr}/metrics`)).text());
  t.ok(families.has('maglev_vpp_connected'), 'the VPP families are registered');
  const dash = await startDashboard({ servers: [], listen: { host: '127.0.0.1', port: 0 }, clock: createRealClock(), logger: createSilentLogger(), admin: undefined });
  t.teardown(() => dash.stop());
  for (const m of await dash.registry.getMetricsAsJSON()) families.set(m.name, String(m.type));

  const rows = docRows(readDoc('metrics.md'));
  const prefixes = rows.map((r) => r.names[0]!).filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1));
  const covered = (name: string): string | undefined => prefixes.find((p) => name.startsWith(p));
  const documented = rows.filter((r) => !r.names[0]!.endsWith('*'));
  compare(t, 'metric families', 'docs/metrics.md', [...families.keys()].filter((n) => covered(n) === undefined), documented.map((r) => r.names[0]!));
  const unusedPrefixes = prefixes.filter((p) => ![...families.keys()].some((n) => n.startsWith(p)));
  t.strictSame(unusedPrefixes, [], `prefix rows in docs/metrics.md that match no family: ${unusedPrefixes.join(', ') || 'none'}`);
  for (const r of documented) {
    const type = families.get(r.names[0]!);
    if (type !== undefined) t.equal(r.cells[1], type, `${r.names[0]} is a ${type}`);
  }
});

// ---- log events -------------------------------------------------------------------------------

type Level = 'debug' | 'info' | 'warn' | 'error';
const levels: readonly string[] = ['debug', 'info', 'warn', 'error'];
const eventName = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => !relative(root, p).startsWith(join('src', 'web', 'ui')) && !relative(root, p).startsWith(join('src', 'generated')));
}

/** The string literals an event-name argument can evaluate to; undefined when it is not literal. */
function literalNames(e: ts.Expression): string[] | undefined {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isParenthesizedExpression(e)) return literalNames(e.expression);
  if (ts.isConditionalExpression(e)) {
    const a = literalNames(e.whenTrue);
    const b = literalNames(e.whenFalse);
    return a === undefined || b === undefined ? undefined : [...a, ...b];
  }
  return undefined;
}

/** Every log event of the source texts, with the levels it is logged at and where. */
function logEvents(files: ReadonlyArray<{ path: string; text: string }>): Map<string, { levels: Set<Level>; at: string[] }> {
  const out = new Map<string, { levels: Set<Level>; at: string[] }>();
  for (const f of files) {
    const sf = ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && levels.includes(n.expression.name.text)) {
        const receiver = n.expression.expression.getText(sf);
        const first = n.arguments[0];
        const names = first === undefined ? undefined : literalNames(first);
        if (receiver !== 'console' && names !== undefined && names.every((x) => eventName.test(x))) {
          const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
          for (const name of names) {
            const e = out.get(name) ?? { levels: new Set<Level>(), at: [] };
            e.levels.add(n.expression.name.text as Level);
            e.at.push(`${f.path}:${line}`);
            out.set(name, e);
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

void t.test('logEvents', async (t) => {
  const cases: Array<{ name: string; in: string; want: Record<string, Level[]> }> = [
    { name: 'a literal, level from the method', in: "log.info('backend-start', { backend });", want: { 'backend-start': ['info'] } },
    { name: 'a private field receiver', in: "this.#log.warn('vpp-connect-error', { err });", want: { 'vpp-connect-error': ['warn'] } },
    { name: 'both arms of a conditional', in: "this.#log.debug(multi ? 'vpp-api-send-multi' : 'vpp-api-send', {});", want: { 'vpp-api-send-multi': ['debug'], 'vpp-api-send': ['debug'] } },
    { name: 'one event at two levels', in: "l.info('x-done'); l.debug('x-done');", want: { 'x-done': ['info', 'debug'] } },
    { name: 'config issues are not log events', in: "f.error(at, 'must list at least one pool'); f.warn(v.at, `x`);", want: {} },
    { name: 'console is not the log', in: "console.error('oops-there');", want: {} },
    { name: 'a message that is not an event name', in: "x.error('Something failed');", want: {} },
  ];
  for (const c of cases) {
    const got = Object.fromEntries([...logEvents([{ path: 'x.ts', text: c.in }])].map(([k, v]) => [k, [...v.levels]]));
    t.same(got, c.want, c.name);
  }
});

void t.test('docs/log-events.md documents every log event with its levels', async (t) => {
  const events = logEvents(sourceFiles(join(root, 'src')).map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') })));
  t.ok(events.size >= 50, `${events.size} events found`);
  const rows = docRows(readDoc('log-events.md'));
  compare(t, 'log events', 'docs/log-events.md', events.keys(), rows.map((r) => r.names[0]!));
  for (const r of rows) {
    const e = events.get(r.names[0]!);
    if (e === undefined) continue;
    const documented = (r.cells[1] ?? '').toLowerCase().match(/\b(debug|info|warn|error)\b/g) ?? [];
    t.strictSame(new Set(documented), e.levels, `${r.names[0]} is logged at ${[...e.levels].join(', ')} (${e.at.join(', ')})`);
  }
});

// ---- config keys ------------------------------------------------------------------------------

/** Builds a whole config (as JSON, which is YAML) with `value` at the place being explored. */
type Place = (value: unknown) => unknown;

const probeKey = 'zzz-not-a-key';

/**
 * Every key path of the schema under `path` (the path in the file, with the probe's names) as
 * documented: names of name-keyed maps as `<name>`, list items as `[]`.
 */
function configKeys(place: Place, path: string, docPath: string, out: string[] = []): string[] {
  const load = parseConfig(JSON.stringify(place({ [probeKey]: 1 })));
  const errors = load.ok ? [] : load.errors;
  const at = errors.find((e) => e.path === `${path}.${probeKey}`);
  const unknown = at === undefined ? null : /^unknown key .* \(expected one of: (.*)\)$/.exec(at.message);
  if (unknown !== null) {
    // A mapping with a fixed key set.
    for (const key of unknown[1]!.split(', ')) {
      out.push(`${docPath}.${key}`);
      configKeys((v) => place({ [key]: v }), `${path}.${key}`, `${docPath}.${key}`, out);
    }
  } else if (at !== undefined) {
    // A map keyed by names: the probe key was taken as a name and its value read.
    configKeys((v) => place({ n1: v }), `${path}.n1`, `${docPath}.<name>`, out);
  } else if (errors.some((e) => e.path === path && /^expected a list/.test(e.message))) {
    configKeys((v) => place([v]), `${path}[0]`, `${docPath}[]`, out);
  }
  return out;
}

void t.test('docs/configuration.md documents every key of maglev.yaml', async (t) => {
  // The top level has one key, which a file without it is told about ("missing the top-level key maglev").
  t.match(parseConfig('other: 1'), { ok: false, errors: [{ message: /missing the top-level key maglev/ }] });
  const keys = ['maglev', ...configKeys((v) => ({ maglev: v }), 'maglev', 'maglev')];
  // The walk itself: the deepest keys of each kind of level are found.
  for (const k of ['maglev.vpp.lb.flow-timeout', 'maglev.healthchecks.<name>.params.response-code', 'maglev.frontends.<name>.pools[].backends.<name>.weight']) {
    t.ok(keys.includes(k), `the walk finds ${k}`);
  }
  const rows = docRows(readDoc('configuration.md')).filter((r) => r.names[0]!.startsWith('maglev'));
  compare(t, 'config keys', 'docs/configuration.md', keys, rows.map((r) => r.names[0]!));
});

// ---- flags and commands -----------------------------------------------------------------------

/** The `options` keys of the parseArgs call in a source file (programs without a FlagSpec table). */
function parseArgsOptions(path: string): string[] {
  const sf = ts.createSourceFile(path, readFileSync(join(root, path), 'utf8'), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.expression.getText(sf) === 'parseArgs' && n.arguments[0] !== undefined && ts.isObjectLiteralExpression(n.arguments[0])) {
      const options = n.arguments[0].properties.find((p) => p.name?.getText(sf) === 'options');
      if (options !== undefined && ts.isPropertyAssignment(options) && ts.isObjectLiteralExpression(options.initializer)) {
        for (const p of options.initializer.properties) if (p.name !== undefined) names.push(p.name.getText(sf).replace(/^'|'$/g, ''));
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  if (names.length === 0) throw new Error(`${path}: no parseArgs({ options }) found`);
  return names;
}

const specNames = (specs: readonly FlagSpec[]): string[] => specs.flatMap((s) => [s.name, ...(s.aliases ?? [])]);

/** Each program of package.json "bin", with the flags its parser knows. */
const programFlags: Readonly<Record<string, () => string[]>> = {
  maglevd: () => specNames(maglevdFlags),
  maglevc: () => specNames(maglevcFlags),
  maglevt: () => specNames(maglevtFlags),
  'maglevd-frontend': () => specNames(frontendFlags),
  'maglev-vppsim': () => parseArgsOptions('src/vpp/sim/vppsim-main.ts'),
  'maglev-fleet': () => parseArgsOptions('src/fleet/fleet-main.ts'),
  'maglev-demo': () => parseArgsOptions('src/demo/demo-main.ts'),
};

void t.test('docs/commands.md documents every flag of every program', async (t) => {
  const bins = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin);
  t.strictSame(bins.sort(), Object.keys(programFlags).sort(), 'every program of package.json "bin" has its flags checked here');
  const rows = docRows(readDoc('commands.md')).filter((r) => r.subsection === 'Flags');
  compare(t, 'programs with flags', 'docs/commands.md', Object.keys(programFlags), rows.map((r) => r.section));
  for (const [program, flags] of Object.entries(programFlags)) {
    const documented = rows.filter((r) => r.section === program).flatMap((r) => r.names.map((n) => n.replace(/^--?/, '').replace(/[ =].*$/, '')));
    compare(t, `${program} flags`, `docs/commands.md (## \`${program}\`)`, flags(), documented);
  }
});

/** Every node that runs a command, by its shortest path of words (slots as their labels). */
function commandPaths(tree: CommandNode): { paths: string[]; words: Set<string> } {
  const seen = new Set<CommandNode>([tree]);
  const paths: string[] = [];
  const words = new Set<string>();
  let level: Array<{ node: CommandNode; path: string[] }> = [{ node: tree, path: [] }];
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { node, path } of level) {
      if (node.run !== undefined) paths.push(path.join(' '));
      const edges = [...node.keywords.map((k) => ({ word: k.word, to: k.next })), ...(node.slot === undefined ? [] : [{ word: node.slot.label, to: node.slot.next }])];
      for (const e of edges) {
        words.add(e.word);
        if (seen.has(e.to)) continue;
        seen.add(e.to);
        next.push({ node: e.to, path: [...path, e.word] });
      }
    }
    level = next;
  }
  return { paths, words };
}

void t.test('docs/commands.md documents every maglevc command', async (t) => {
  const { paths, words } = commandPaths(createCommandTree({ interactive: true }));
  t.ok(paths.includes('watch events') && paths.includes('set frontend <frontend> pool <pool> backend <pool-backend> weight <0-100> flush'), 'the walk finds deep commands');
  const md = readDoc('commands.md');
  const rows = docRows(md).filter((r) => r.section === 'maglevc' && r.subsection === 'Commands');
  compare(t, 'maglevc commands', 'docs/commands.md (### Commands)', paths, rows.map((r) => r.names[0]!));
  const documentedWords = new Set(rows.flatMap((r) => r.cells.flatMap(codeSpans)).flatMap((s) => s.split(/[\s|\\[\]]+/)));
  const undocumented = [...words].filter((w) => !documentedWords.has(w)).sort();
  t.strictSame(undocumented, [], `maglevc keywords and slots that no command row shows in a code span: ${undocumented.join(', ') || 'none'}`);
});
