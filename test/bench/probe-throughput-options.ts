// probe-throughput's flags: lists of types and sizes, Go durations, the interval rule (5 s from
// 50 000 backends), and clear errors for values it cannot run.

import t from 'tap';
import { intervalFor, parseProbeThroughputArgs } from '../../bench/probe-throughput-options.js';

t.test('accepted', async (t) => {
  const d = parseProbeThroughputArgs([]);
  t.same([d.types, d.sizes, d.intervalMs, d.timeoutMs, d.durationMs, d.warmupMs, d.checkers, d.fleet, d.detection, d.help], [['http'], [10000], undefined, 1000, 60000, 10000, ['maglevd', 'maglevd-reuse', 'haproxy', 'floor'], 'auto', false, false], 'defaults');
  t.match(d.resultsFile, /bench\/RESULTS\.md$/);
  const cases = [
    { name: 'lists', in: ['--type', 'http,tcp,https', '--backends', '2000,10000'], want: { types: ['http', 'tcp', 'https'], sizes: [2000, 10000] } },
    { name: 'durations', in: ['--duration', '20s', '--warmup', '5s', '--interval', '2s', '--timeout', '500ms'], want: { durationMs: 20000, warmupMs: 5000, intervalMs: 2000, timeoutMs: 500 } },
    { name: 'a subset of checkers, in order', in: ['--checkers', 'floor,maglevd'], want: { checkers: ['floor', 'maglevd'] } },
    { name: 'no results', in: ['--no-results'], want: { resultsFile: undefined } },
    { name: 'own results file', in: ['--results', '/tmp/r.md'], want: { resultsFile: '/tmp/r.md' } },
    { name: 'fleet', in: ['--fleet', 'maglev-fleet'], want: { fleet: 'maglev-fleet' } },
    { name: 'detection', in: ['--detection'], want: { detection: true } },
  ];
  for (const c of cases) t.match(parseProbeThroughputArgs(c.in), c.want, c.name);
});

t.test('refused', async (t) => {
  const cases = [
    { name: 'unknown type', in: ['--type', 'icmp'], want: /--type takes http, tcp, https/ },
    { name: 'size zero', in: ['--backends', '0'], want: /--backends takes integers in 1\.\.60000/ },
    { name: 'size not a number', in: ['--backends', '2k'], want: /--backends/ },
    { name: 'bare number duration', in: ['--duration', '60'], want: /--duration must be a duration/ },
    { name: 'window too short', in: ['--duration', '12s', '--warmup', '10s'], want: /exceed --warmup by at least 5s/ },
    { name: 'timeout over interval', in: ['--interval', '1s', '--timeout', '2s'], want: /--timeout must not exceed --interval/ },
    { name: 'unknown checker', in: ['--checkers', 'maglevd,envoy'], want: /--checkers takes maglevd, maglevd-reuse, haproxy, floor/ },
    { name: 'two fleets', in: ['--fleet', 'nginx,auto'], want: /--fleet takes one of/ },
    { name: 'unknown flag', in: ['--threads', '2'], want: /Unknown option '--threads'/ },
  ];
  for (const c of cases) t.throws(() => parseProbeThroughputArgs(c.in), c.want, c.name);
});

t.test('interval by size', async (t) => {
  const cases = [
    { name: '2000: 1 s', in: { flag: undefined, backends: 2000 }, want: 1000 },
    { name: '49 999: 1 s', in: { flag: undefined, backends: 49_999 }, want: 1000 },
    { name: '50 000: 5 s', in: { flag: undefined, backends: 50_000 }, want: 5000 },
    { name: 'the flag wins', in: { flag: 2000, backends: 50_000 }, want: 2000 },
  ];
  for (const c of cases) t.equal(intervalFor({ intervalMs: c.in.flag }, c.in.backends), c.want, c.name);
});
