// response-regexp speed: re2js (RE2, linear time) against V8's RegExp (backtracking) on a
// 64 KiB body, the most the http prober reads. Prints µs per match and appends to RESULTS.md.
// Run: node --import tsx bench/response-regexp.ts

import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { compileResponseRegexp } from '../src/shared/response-regexp.js';

const body = `${'x'.repeat(65_536 - 40)}"status": "ok", "healthy": true\n`;
const hostile = `${'a'.repeat(30)}b`;
const patterns = ['healthy', '"status":\\s*"ok"', 'healthy": true$', '(?i)HEALTHY', '^x+"status"', 'nomatch[0-9]+'];

function perCallUs(fn: () => unknown, minMs = 300): number {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    n++;
  }
  return ((performance.now() - t0) * 1000) / n;
}

const rows: string[] = [];
for (const p of patterns) {
  const re2 = compileResponseRegexp(p);
  let js: RegExp | undefined;
  try {
    js = new RegExp(p);
  } catch {
    js = undefined;
  }
  const r = perCallUs(() => re2.test(body));
  const j = js === undefined ? undefined : perCallUs(() => js.test(body));
  rows.push(`| \`${p}\` | ${re2.test(body)} | ${r.toFixed(1)} | ${j === undefined ? 'not JS syntax' : j.toFixed(1)} |`);
}
const redos = compileResponseRegexp('(a+)+$');
rows.push(`| \`(a+)+$\` on 30 a + b | ${redos.test(hostile)} | ${perCallUs(() => redos.test(hostile)).toFixed(1)} | seconds (exponential; not run) |`);

const out = [
  `\n## response-regexp: re2js vs RegExp on a 64 KiB body (${new Date().toISOString()})\n`,
  `Node ${process.version}; load average at start: ${loadavg()[0]?.toFixed(1)}.\n`,
  '| pattern | matches | re2js µs | RegExp µs |',
  '|---|---|---|---|',
  ...rows,
  '',
].join('\n');
process.stdout.write(out);
appendFileSync(new URL('RESULTS.md', import.meta.url), out);
