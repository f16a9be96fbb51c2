import t from 'tap';
import { formatFlagUsage, parseFlags, parseGoBool, type FlagSpec, type FlagValues } from '../../src/shared/go-flags.js';

const specs = [
  { name: 'config', kind: 'string', env: 'X_CONFIG', default: '/etc/x.yaml', usage: 'config path' },
  { name: 'server', kind: 'string', env: 'X_SERVER' },
  { name: 'color', kind: 'bool', env: 'X_COLOR' },
  { name: 'check', kind: 'bool', default: false },
  { name: 'reflection', kind: 'bool', default: true },
  { name: 'interval', kind: 'duration', env: 'X_INTERVAL', default: 100 },
  { name: 'timeout', kind: 'duration' },
  { name: 'file', kind: 'repeat', env: 'X_FILE' },
  { name: 'help', aliases: ['h'], kind: 'bool', default: false },
] as const satisfies readonly FlagSpec[];

// Also pins the value types: string/bool/duration without default may be undefined, repeat never is.
const defaults: FlagValues<typeof specs> = {
  config: '/etc/x.yaml',
  server: undefined,
  color: undefined,
  check: false,
  reflection: true,
  interval: 100,
  timeout: undefined,
  file: [],
  help: false,
};

t.test('accepted command lines', async (t) => {
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; want: Partial<FlagValues<typeof specs>>; args?: string[] }> = [
    { name: 'nothing: defaults, undefined without default, [] for repeat', argv: [], want: {} },
    { name: '-name value', argv: ['-config', '/a.yaml'], want: { config: '/a.yaml' } },
    { name: '-name=value', argv: ['-config=/a.yaml'], want: { config: '/a.yaml' } },
    { name: '--name value', argv: ['--config', '/a.yaml'], want: { config: '/a.yaml' } },
    { name: '--name=value', argv: ['--config=/a.yaml'], want: { config: '/a.yaml' } },
    { name: 'value may contain =', argv: ['--server=a=b'], want: { server: 'a=b' } },
    { name: 'empty value with =', argv: ['--server='], want: { server: '' } },
    { name: 'separate value may start with a dash', argv: ['-server', '-x'], want: { server: '-x' } },
    { name: 'last string wins', argv: ['-server', 'a', '-server', 'b'], want: { server: 'b' } },
    { name: 'bool alone is true', argv: ['-check'], want: { check: true } },
    { name: 'bool --name alone', argv: ['--color'], want: { color: true } },
    { name: 'bool =false', argv: ['--reflection=false'], want: { reflection: false } },
    { name: 'bool =true', argv: ['-color=true'], want: { color: true } },
    { name: 'bool Go spellings', argv: ['-color=0', '-check=T'], want: { color: false, check: true } },
    {
      name: 'bool takes no separate value: the next word is positional',
      argv: ['-check', 'false'],
      want: { check: true },
      args: ['false'],
    },
    { name: 'alias', argv: ['-h'], want: { help: true } },
    { name: 'duration in ms', argv: ['-interval', '1m30s', '--timeout=250ms'], want: { interval: 90_000, timeout: 250 } },
    { name: 'duration 0', argv: ['-timeout=0'], want: { timeout: 0 } },
    { name: 'repeat keeps order', argv: ['-file', 'a', '--file=b', '-file', 'c'], want: { file: ['a', 'b', 'c'] } },
    { name: 'stops at first positional', argv: ['-check', 'show', '-color'], want: { check: true }, args: ['show', '-color'] },
    { name: 'single dash is positional', argv: ['-', '-check'], want: {}, args: ['-', '-check'] },
    { name: '-- ends flags', argv: ['-check', '--', '-color', 'x'], want: { check: true }, args: ['-color', 'x'] },
    { name: 'env when flag absent', argv: [], env: { X_CONFIG: '/env.yaml', X_SERVER: 's:1' }, want: { config: '/env.yaml', server: 's:1' } },
    { name: 'flag beats env', argv: ['-config', '/flag.yaml'], env: { X_CONFIG: '/env.yaml' }, want: { config: '/flag.yaml' } },
    { name: 'empty env counts as set', argv: [], env: { X_CONFIG: '' }, want: { config: '' } },
    { name: 'env bool and duration', argv: [], env: { X_COLOR: 'false', X_INTERVAL: '2s' }, want: { color: false, interval: 2000 } },
    { name: 'env gives one repeat value', argv: [], env: { X_FILE: 'a,b' }, want: { file: ['a,b'] } },
    { name: 'repeat flags replace env', argv: ['-file', 'x'], env: { X_FILE: 'a' }, want: { file: ['x'] } },
  ];
  for (const c of cases) {
    const r = parseFlags(specs, c.argv, c.env ?? {});
    if (!r.ok) {
      t.fail(`${c.name}: ${r.message}`);
      continue;
    }
    t.same(r.values, { ...defaults, ...c.want }, c.name);
    t.same(r.args, c.args ?? [], `${c.name} (args)`);
  }
});

t.test('rejected command lines name the flag', async (t) => {
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; flag: string; message: RegExp }> = [
    { name: 'unknown flag', argv: ['-nope'], flag: 'nope', message: /^flag provided but not defined: -nope$/ },
    { name: 'unknown flag with value', argv: ['--nope=1'], flag: 'nope', message: /not defined: -nope/ },
    { name: 'missing value', argv: ['-config'], flag: 'config', message: /^flag needs an argument: -config$/ },
    { name: 'bad bool', argv: ['-check=yes'], flag: 'check', message: /invalid value "yes" for flag -check/ },
    { name: 'bad duration', argv: ['-interval', '5'], flag: 'interval', message: /invalid value "5" for flag -interval: expected a Go duration/ },
    { name: 'negative duration', argv: ['-timeout=-1s'], flag: 'timeout', message: /invalid value "-1s"/ },
    { name: 'three dashes', argv: ['---config', 'x'], flag: '---config', message: /^bad flag syntax: ---config$/ },
    { name: 'dash equals', argv: ['-=x'], flag: '-=x', message: /bad flag syntax/ },
    { name: 'bad env value names env and flag', argv: [], env: { X_INTERVAL: 'soon' }, flag: 'interval', message: /environment variable X_INTERVAL \(flag -interval\)/ },
    { name: 'bad env bool', argv: [], env: { X_COLOR: 'maybe' }, flag: 'color', message: /X_COLOR/ },
  ];
  for (const c of cases) {
    const r = parseFlags(specs, c.argv, c.env ?? {});
    if (r.ok) {
      t.fail(`${c.name}: accepted`);
      continue;
    }
    t.equal(r.flag, c.flag, `${c.name} (flag)`);
    t.match(r.message, c.message, `${c.name} (message)`);
  }
});

t.test('Go ParseBool', async (t) => {
  const cases: Array<{ in: string; want: boolean | undefined }> = [
    { in: '1', want: true },
    { in: 't', want: true },
    { in: 'TRUE', want: true },
    { in: 'True', want: true },
    { in: '0', want: false },
    { in: 'F', want: false },
    { in: 'false', want: false },
    { in: 'yes', want: undefined },
    { in: 'tRuE', want: undefined },
    { in: '', want: undefined },
  ];
  for (const c of cases) t.equal(parseGoBool(c.in), c.want, JSON.stringify(c.in));
});

t.test('usage lists flags with env and non-empty defaults', async (t) => {
  const usage = formatFlagUsage(specs);
  t.match(usage, /^ {2}-config string\n {4}\tconfig path \(env X_CONFIG\) \(default "\/etc\/x\.yaml"\)\n/);
  t.match(usage, /\n {2}-check\n/, 'bool has no type word');
  t.notMatch(usage, /-check\n[^\n]*default/, 'false default not shown');
  t.match(usage, /-reflection\n[^\n]*\(default true\)/);
  t.match(usage, /-interval duration\n[^\n]*\(default 100ms\)/);
  t.match(usage, /-file value\n[^\n]*\(repeatable\)/);
  t.match(formatFlagUsage(specs, '--'), /^ {2}--config string/);
});
