// The pure maglevc tree walk: exact match beats prefix, unique prefixes, slots and their checks,
// and the targeted error texts (ambiguous, unknown, incomplete, bad argument).

import t from 'tap';
import { createCommandTree } from '../../src/maglevc/command-tree.js';
import { expectedAt, parseCommand, tokenize, walk } from '../../src/maglevc/command-walk.js';

const tree = createCommandTree({ interactive: true });
const oneShot = createCommandTree({ interactive: false });

void t.test('commands that parse', (t) => {
  const cases: Array<{ in: string; run: string; args?: Record<string, string>; path?: string }> = [
    { in: 'show version', run: 'show-version', path: 'show version' },
    { in: 'sh fr', run: 'show-frontends', path: 'show frontends' },
    { in: 'sh fr web4', run: 'show-frontends', args: { frontend: 'web4' }, path: 'show frontends web4' },
    { in: 'show f web4', run: 'show-frontends', args: { frontend: 'web4' } },
    { in: 'show backends nginx0-ams', run: 'show-backends', args: { backend: 'nginx0-ams' } },
    { in: 'show h', run: 'show-healthchecks' },
    { in: 'sh healthchecks icmp', run: 'show-healthchecks', args: { healthcheck: 'icmp' } },
    { in: 'show vpp info', run: 'show-vpp-info' },
    { in: 'sh vp i', run: 'show-vpp-info' },
    { in: 'show vpp lb st', run: 'show-vpp-lb-state' },
    { in: 'set backend b1 p', run: 'set-backend', args: { backend: 'b1', action: 'pause' } },
    { in: 'show vpp lb state', run: 'show-vpp-lb-state' },
    { in: 'show vpp lb s web4', run: 'show-vpp-lb-state', args: { frontend: 'web4' } },
    { in: 'show vpp lb c', run: 'show-vpp-lb-counters' },
    { in: 'sy v l s', run: 'sync-vpp-lb-state' },
    { in: 'sync vpp lb state web6', run: 'sync-vpp-lb-state', args: { frontend: 'web6' } },
    { in: 'set backend b1 pause', run: 'set-backend', args: { backend: 'b1', action: 'pause' } },
    { in: 'set b b1 res', run: 'set-backend', args: { backend: 'b1', action: 'resume' } },
    { in: 'se backend b1 e', run: 'set-backend', args: { backend: 'b1', action: 'enable' } },
    { in: 'set backend b1 d', run: 'set-backend', args: { backend: 'b1', action: 'disable' } },
    // a slot takes any token, keywords included: a backend named "pause"
    { in: 'set backend pause pause', run: 'set-backend', args: { backend: 'pause', action: 'pause' } },
    {
      in: 'set frontend web4 pool primary backend nginx0-ams weight 0',
      run: 'set-weight',
      args: { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: '0' },
    },
    {
      in: 'set f web4 p primary b nginx0-ams w 100 f',
      run: 'set-weight',
      args: { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: '100', flush: 'true' },
    },
    { in: 'watch events', run: 'watch-events' },
    { in: 'w e num 5', run: 'watch-events', args: { count: '5' } },
    { in: 'watch events log', run: 'watch-events', args: { log: 'true' } },
    { in: 'watch events log level debug backend', run: 'watch-events', args: { log: 'true', level: 'debug', backend: 'true' } },
    { in: 'watch events backend frontend num 2', run: 'watch-events', args: { backend: 'true', frontend: 'true', count: '2' } },
    { in: 'watch events l l w', run: 'watch-events', args: { log: 'true', level: 'warn' } },
    { in: 'show vpp lb digest', run: 'show-vpp-lb-digest' },
    { in: 'sh vp l d web4', run: 'show-vpp-lb-digest', args: { frontend: 'web4' } },
    { in: 'show vpp lb digest table', run: 'show-vpp-lb-digest', args: { table: 'true' } },
    { in: 'show vpp lb digest web4 table', run: 'show-vpp-lb-digest', args: { frontend: 'web4', table: 'true' } },
    { in: 'preview set backend b1 pause', run: 'preview-backend', args: { backend: 'b1', action: 'pause' }, path: 'preview set backend b1 pause' },
    { in: 'pr s b b1 dis', run: 'preview-backend', args: { backend: 'b1', action: 'disable' } },
    {
      in: 'preview set frontend web4 pool primary backend nginx0-ams weight 0',
      run: 'preview-weight',
      args: { frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: '0' },
    },
    { in: 'preview config /etc/vpp-maglev/new.yaml', run: 'preview-config', args: { file: '/etc/vpp-maglev/new.yaml' } },
    { in: 'config check', run: 'config-check' },
    { in: 'c r', run: 'config-reload' },
    { in: 'quit', run: 'quit' },
    { in: 'exit', run: 'quit' },
    { in: '  show   version  ', run: 'show-version' },
  ];
  for (const c of cases) {
    const r = parseCommand(tree, tokenize(c.in));
    if (!r.ok) {
      t.fail(`${c.in}: ${r.error}`);
      continue;
    }
    t.equal(r.node.run, c.run, `${c.in}: runs ${c.run}`);
    t.same(Object.fromEntries(r.args), c.args ?? {}, `${c.in}: args`);
    if (c.path !== undefined) t.equal(r.path.join(' '), c.path, `${c.in}: canonical path`);
  }
  t.end();
});

void t.test('errors', (t) => {
  const cases: Array<{ in: string; error: string; at?: number; tree?: typeof tree }> = [
    { in: 's', error: 'ambiguous command "s": set, show, sync', at: 0 },
    { in: 'sh v i', error: 'ambiguous command "v": version, vpp', at: 1 },
    { in: 'frobnicate', error: 'unknown command "frobnicate"', at: 0 },
    { in: 'show frobnicate', error: 'unknown command "frobnicate" after "show"', at: 1 },
    { in: 'sh vpp lb frob', error: 'unknown command "frob" after "show vpp lb"', at: 3 },
    { in: 'show version now', error: 'unknown command "now" after "show version"', at: 2 },
    { in: 'show frontends web4 extra', error: 'unknown command "extra" after "show frontends web4"', at: 3 },
    { in: 'show', error: 'incomplete command, expected: version, frontends, backends, healthchecks, vpp' },
    { in: 'show vpp', error: 'incomplete command, expected: info, lb' },
    { in: 'set backend b1', error: 'incomplete command, expected: pause, resume, enable, disable' },
    { in: 'set frontend web4', error: 'incomplete command, expected: pool' },
    { in: 'set frontend web4 pool p backend b', error: 'incomplete command, expected: weight' },
    { in: 'set frontend web4 pool p backend b weight', error: 'incomplete command, expected: <0-100>' },
    { in: 'set backend', error: 'incomplete command, expected: <backend>' },
    { in: 'set frontend web4 pool p backend b weight 101', error: 'bad argument "101": expected <0-100>', at: 8 },
    { in: 'set frontend web4 pool p backend b weight -1', error: 'bad argument "-1": expected <0-100>' },
    { in: 'set frontend web4 pool p backend b weight 5x', error: 'bad argument "5x": expected <0-100>' },
    { in: 'watch events num 0', error: 'bad argument "0": expected a number of at least 1', at: 3 },
    { in: 'watch events num many', error: 'bad argument "many": expected a number of at least 1' },
    { in: 'watch events log level', error: 'incomplete command, expected: debug, info, warn, error' },
    { in: 'watch events log level verbose', error: 'unknown command "verbose" after "watch events log level"' },
    { in: 'config', error: 'incomplete command, expected: check, reload' },
    { in: 'preview', error: 'incomplete command, expected: set, config' },
    { in: 'preview config', error: 'incomplete command, expected: <file>' },
    { in: 'preview set frontend web4 pool p backend b weight 5 flush', error: 'unknown command "flush" after "preview set frontend web4 pool p backend b weight 5"' },
    { in: 'preview set frontend web4 pool p backend b weight 500', error: 'bad argument "500": expected <0-100>' },
    { in: 'show vpp lb digest web4 table x', error: 'unknown command "x" after "show vpp lb digest web4 table"' },
    { in: 'quit', error: 'unknown command "quit"', tree: oneShot },
  ];
  for (const c of cases) {
    const r = parseCommand(c.tree ?? tree, tokenize(c.in));
    t.notOk(r.ok, `${c.in}: fails`);
    if (r.ok) continue;
    t.equal(r.error, c.error, c.in);
    if (c.at !== undefined) t.equal(r.at, c.at, `${c.in}: at token ${c.at}`);
  }
  t.end();
});

void t.test('an exact match wins over a longer keyword it prefixes', (t) => {
  // A tree where one keyword is a prefix of another: `log` vs `logs`.
  const leaf = { keywords: [], slot: undefined, run: 'show-version' as const };
  const root = {
    keywords: [
      { word: 'log', help: '', next: leaf, sets: ['k', 'log'] as const },
      { word: 'logs', help: '', next: leaf, sets: ['k', 'logs'] as const },
    ],
    slot: undefined,
    run: undefined,
  };
  const cases = [
    { in: 'log', want: 'log' },
    { in: 'logs', want: 'logs' },
  ];
  for (const c of cases) {
    const r = walk(root, [c.in]);
    t.ok(r.ok && r.args.get('k') === c.want, `${c.in} → ${c.want}`);
  }
  const amb = walk(root, ['lo']);
  t.same(amb.ok ? undefined : amb.error, 'ambiguous command "lo": log, logs');
  t.end();
});

void t.test('expectedAt lists keywords then the slot', (t) => {
  t.same(expectedAt(tree), ['show', 'sync', 'set', 'preview', 'watch', 'config', 'quit', 'exit']);
  t.same(expectedAt(oneShot), ['show', 'sync', 'set', 'preview', 'watch', 'config']);
  t.same(tokenize(' a \t b  '), ['a', 'b']);
  t.end();
});
