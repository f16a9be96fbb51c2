import t from 'tap';
import { maglevtUsage, parseMaglevtOptions, parsePortList, type MaglevtOptions } from '../../src/maglevt/maglevt-options.js';

t.test('parsePortList', async (t) => {
  const cases: { in: string; want: number[] | undefined }[] = [
    { in: '80', want: [80] },
    { in: '80,8080', want: [80, 8080] },
    { in: ' 80 , 8080 ', want: [80, 8080] },
    { in: '', want: [] },
    { in: '0', want: undefined },
    { in: '65536', want: undefined },
    { in: '80,', want: undefined },
    { in: 'http', want: undefined },
    { in: '8e1', want: undefined },
  ];
  for (const c of cases) t.same(parsePortList(c.in), c.want, JSON.stringify(c.in));
});

t.test('defaults', async (t) => {
  const r = parseMaglevtOptions([], {});
  t.ok(r.ok);
  if (!r.ok) return;
  t.match(r.options, {
    configs: ['/etc/vpp-maglev/maglev.yaml'],
    intervalMs: 100,
    timeoutMs: 1000,
    host: undefined,
    uri: '/.well-known/ipng/healthz',
    header: undefined,
    insecure: false,
    keepalive: false,
    filter: undefined,
    ports: { http: [80], https: [443] },
    json: undefined,
    reportIntervalMs: 1000,
    durationMs: 0,
    version: false,
    help: false,
  } satisfies MaglevtOptions);
});

t.test('flags', async (t) => {
  const cases: { name: string; argv: string[]; want: Partial<Record<keyof MaglevtOptions, unknown>> }[] = [
    { name: 'repeatable -config replaces the default', argv: ['-config', 'a.yaml', '--config=b.yaml'], want: { configs: ['a.yaml', 'b.yaml'] } },
    { name: 'durations', argv: ['-interval', '250ms', '-timeout=2s', '-report-interval', '500ms', '-duration', '1m'], want: { intervalMs: 250, timeoutMs: 2000, reportIntervalMs: 500, durationMs: 60000 } },
    { name: 'strings', argv: ['-host', 'www.example.com', '-uri', '/healthz', '-header', 'X-Backend'], want: { host: 'www.example.com', uri: '/healthz', header: 'X-Backend' } },
    { name: 'bools', argv: ['-insecure', '-keepalive', '-json=false'], want: { insecure: true, keepalive: true, json: false } },
    { name: 'filter compiles', argv: ['-filter', '^web[46]$'], want: { filter: /^web[46]$/ } },
    { name: 'port lists', argv: ['-http-ports', '80,8080', '-https-ports', '443,8443'], want: { ports: { http: [80, 8080], https: [443, 8443] } } },
    { name: 'empty port list', argv: ['-http-ports='], want: { ports: { http: [], https: [443] } } },
    { name: 'empty -host and -header mean unset', argv: ['-host=', '-header='], want: { host: undefined, header: undefined } },
    { name: '-h is help', argv: ['-h'], want: { help: true } },
  ];
  for (const c of cases) {
    const r = parseMaglevtOptions(c.argv, {});
    t.ok(r.ok, `${c.name}: ok`);
    if (r.ok) t.match(r.options, c.want, c.name);
  }
});

t.test('usage errors', async (t) => {
  const cases: { name: string; argv: string[]; want: RegExp }[] = [
    { name: 'unknown flag', argv: ['-bogus'], want: /flag provided but not defined: -bogus/ },
    { name: 'bad duration', argv: ['-interval', 'fast'], want: /invalid value "fast" for flag -interval/ },
    { name: 'zero interval', argv: ['-interval', '0'], want: /-interval: must be more than 0s/ },
    { name: 'zero timeout', argv: ['-timeout=0s'], want: /-timeout: must be more than 0s/ },
    { name: 'bad regexp', argv: ['-filter', '(web'], want: /invalid value "\(web" for flag -filter/ },
    { name: 'bad port list', argv: ['-http-ports', '80,x'], want: /-http-ports: expected ports/ },
    { name: 'port in both lists', argv: ['-http-ports', '80,443'], want: /port 443 is in both/ },
    { name: 'relative uri', argv: ['-uri', 'healthz'], want: /-uri: must start with \// },
    { name: 'positional argument', argv: ['extra'], want: /unexpected argument "extra"/ },
    { name: 'missing value', argv: ['-config'], want: /flag needs an argument: -config/ },
  ];
  for (const c of cases) {
    const r = parseMaglevtOptions(c.argv, {});
    t.notOk(r.ok, `${c.name}: refused`);
    if (!r.ok) t.match(r.message, c.want, c.name);
  }
});

t.test('usage names every flag', async (t) => {
  const u = maglevtUsage();
  for (const f of ['config', 'interval', 'timeout', 'host', 'uri', 'header', 'insecure', 'keepalive', 'filter', 'http-ports', 'https-ports', 'json', 'report-interval', 'duration', 'version']) {
    t.match(u, new RegExp(`\\n  -${f}\\b`), f);
  }
});
