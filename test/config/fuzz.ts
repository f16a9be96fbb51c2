// Config fuzzing (issue 7): 320 mutants of a valid config (over 300 of them malformed), made
// reproducibly from a seed by test/support/config-mutator.ts: deleted keys, wrong types,
// out-of-range numbers, bad addresses and durations, unknown and duplicate keys, bad names,
// truncation, random bytes, tabs, aliases, extra documents, deep nesting, huge strings, noise.
// parseConfig never throws, and every failure has at least one issue with a path and a 1-based
// line:col. The 16 MiB size limit is checked on text and on files (a huge file and /dev/zero are
// not read whole). A daemon-level check reloads (SIGHUP) ten of them and keeps the running config.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfigFile, maxConfigBytes, parseConfig, type ConfigLoad } from '../../src/config/loader.js';
import { configMutants, mutationKinds, type Mutant } from '../support/config-mutator.js';
import { connectE2e } from '../support/e2e-grpc-client.js';
import { spawnMaglevd } from '../support/maglevd-process.js';

/** Every section and value type of the schema (plus tcp/icmp checks). */
const richConfig = `maglev:
  healthchecker:
    transition-history: 10
    netns: dataplane
  vpp:
    lb:
      sync-interval: 30s
      ipv4-src-address: 192.0.2.254
      ipv6-src-address: 2001:db8::fe
      sticky-buckets-per-core: 65536
      flow-timeout: 40s
      startup-min-delay: 5s
      startup-max-delay: 30s
  healthchecks:
    http-healthz:
      type: http
      port: 80
      interval: 2s
      fast-interval: 500ms
      down-interval: 10s
      timeout: 1s
      rise: 2
      fall: 3
      probe-ipv4-src: 192.0.2.254
      params:
        path: /.well-known/ipng/healthz
        host: www.example.com
        response-code: "200-399"
        response-regexp: "ok"
    smtp-tls:
      type: tcp
      port: 465
      params:
        ssl: true
        server-name: mail.example.com
    ping:
      type: icmp
      interval: 1s
      timeout: 500ms
  backends:
    nginx0-ams: { address: 192.0.2.10, healthcheck: http-healthz }
    nginx0-fra: { address: 192.0.2.11, healthcheck: http-healthz }
    nginx1-zrh: { address: 192.0.2.12, healthcheck: ping, enabled: true }
    nginx6-ams: { address: 2001:db8:1::10, healthcheck: smtp-tls }
    static-1: { address: 192.0.2.20 }
  frontends:
    web4:
      description: "public web, IPv4"
      address: 198.51.100.1
      protocol: tcp
      port: 80
      src-ip-sticky: false
      flush-on-down: true
      pools:
        - name: primary
          backends:
            nginx0-ams: { weight: 100 }
            nginx0-fra: {}
        - name: fallback
          backends:
            nginx1-zrh: { weight: 50 }
    web6:
      address: 2001:db8::1
      protocol: tcp
      port: 443
      pools:
        - name: primary
          backends:
            nginx6-ams: {}
    anycast-all:
      address: 198.51.100.0
      pools:
        - name: only
          backends:
            static-1: {}
`;

/** A config the daemon can run without VPP or probes: static backends and a disabled one. */
const runnableConfig = `maglev:
  vpp:
    lb:
      ipv4-src-address: 192.0.2.254
  healthchecks:
    hc:
      type: tcp
      port: 9
      interval: 1s
  backends:
    s1: { address: 127.0.30.1 }
    s2: { address: 127.0.30.2 }
    off: { address: 127.0.30.3, healthcheck: hc, enabled: false }
  frontends:
    fe:
      description: fuzz target
      address: 192.0.2.30
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { s1: {}, s2: { weight: 20 } }
        - name: q
          backends: { off: {} }
`;

const seed = 7_000_000;

/** Messages of whole-document problems, which have no key path. */
const documentMessages = /^(YAML: |the file is empty|missing the top-level key maglev|the config file is larger than|expected a mapping, got)/;

/** '' when the result is well-formed, else what is wrong with it. */
function problem(r: ConfigLoad, lineCount: number): string {
  if (r.ok) return r.config === undefined ? 'ok without a config' : '';
  if (r.stage !== 'parse' && r.stage !== 'semantic') return `unknown stage ${String(r.stage)}`;
  if (r.errors.length === 0) return 'a failure without issues';
  for (const e of r.errors) {
    if (typeof e.message !== 'string' || e.message === '') return 'an issue without a message';
    if (!Number.isInteger(e.line) || e.line < 1 || e.line > lineCount + 1) return `line ${e.line} outside 1..${lineCount + 1}: ${e.message}`;
    if (!Number.isInteger(e.col) || e.col < 1) return `col ${e.col}: ${e.message}`;
    if (typeof e.path !== 'string') return 'a path that is not a string';
    if (e.path === '' && !documentMessages.test(e.message)) return `an issue without a path: ${e.message}`;
  }
  return '';
}

function runAll(mutants: readonly Mutant[]): { failures: number; byKind: Map<string, number>; bad: string[]; slowest: number } {
  const byKind = new Map<string, number>();
  const bad: string[] = [];
  let failures = 0;
  let slowest = 0;
  for (const m of mutants) {
    const t0 = performance.now();
    let r: ConfigLoad;
    try {
      r = parseConfig(m.text);
    } catch (e) {
      bad.push(`${m.kind} seed ${m.seed}: parseConfig threw ${String(e)}`);
      continue;
    }
    slowest = Math.max(slowest, performance.now() - t0);
    const p = problem(r, m.text.split('\n').length);
    if (p !== '') bad.push(`${m.kind} seed ${m.seed}: ${p}`);
    if (!r.ok) {
      failures++;
      byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
    }
  }
  return { failures, byKind, bad, slowest };
}

void t.test('the base configs are valid', async (t) => {
  for (const text of [richConfig, runnableConfig]) {
    const r = parseConfig(text);
    t.ok(r.ok, r.ok ? 'valid' : r.errors.map((e) => e.message).join('; '));
  }
});

void t.test(`320 mutants: parseConfig never throws and every failure is positioned (seed ${seed})`, async (t) => {
  const mutants = configMutants(richConfig, 320, seed);
  t.same(
    configMutants(richConfig, 32, seed).map((m) => m.text),
    mutants.slice(0, 32).map((m) => m.text),
    'reproducible from the seed',
  );
  const { failures, byKind, bad, slowest } = runAll(mutants);
  t.same(bad, [], 'no throw, every issue well-formed');
  t.ok(failures >= 200, `at least 200 malformed (${failures} of ${mutants.length} fail to load)`);
  for (const kind of mutationKinds) t.ok((byKind.get(kind) ?? 0) > 0, `${kind} produced failures (${byKind.get(kind) ?? 0})`);
  t.comment(`failures by kind: ${JSON.stringify(Object.fromEntries(byKind))}; slowest parse ${Math.round(slowest)} ms`);
});

void t.test('the 16 MiB limit: text and files over it are refused, positioned where they cross it', async (t) => {
  t.equal(maxConfigBytes, 16 * 1024 * 1024);
  const head = 'maglev:\n  frontends:\n    fe:\n      description: "';
  const over = `${head}${'x'.repeat(maxConfigBytes)}"\n`;
  const r = parseConfig(over);
  t.notOk(r.ok);
  if (!r.ok) {
    t.equal(r.stage, 'parse');
    t.match(r.errors, [{ path: '', line: 4, col: maxConfigBytes - head.lastIndexOf('\n'), message: /larger than 16777216 bytes/ }]);
  }
  const under = `maglev:\n  frontends: {}\n# ${'y'.repeat(maxConfigBytes - 40)}\n`;
  t.ok(parseConfig(under).ok, 'a file just under the limit still loads');
  // The limit counts UTF-8 bytes: 8.8 M two-byte characters are 8.8 M UTF-16 units but 17.6 MB.
  const wide = parseConfig(`maglev: {}\n# ${'é'.repeat(8_800_000)}\n`);
  t.match(wide, { ok: false, stage: 'parse', errors: [{ message: /larger than/ }] });

  const dir = mkdtempSync(join(tmpdir(), 'config-fuzz-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.yaml');
  writeFileSync(big, over);
  const fromFile = await loadConfigFile(big);
  t.match(fromFile, { ok: false, stage: 'parse', errors: [{ line: 4, message: /larger than/ }] });
  const t0 = performance.now();
  const zero = await loadConfigFile('/dev/zero');
  t.match(zero, { ok: false, stage: 'parse', errors: [{ line: 1, message: /larger than/ }] }, '/dev/zero is refused, not read forever');
  t.ok(performance.now() - t0 < 5000, 'promptly');
  t.match(await loadConfigFile(dir), { ok: false, stage: 'parse', errors: [{ line: 0, message: /^cannot read config file/ }] }, 'a directory is a read error');
});

void t.test('SIGHUP with ten malformed configs keeps the running config', async (t) => {
  // One failing mutant of each of ten kinds, plus the stage it must be reported with.
  const candidates = configMutants(runnableConfig, 160, seed + 100_000)
    .map((m) => ({ m, r: parseConfig(m.text) }))
    .filter((x) => !x.r.ok);
  const sample: Array<{ m: Mutant; stage: string }> = [];
  for (const { m, r } of candidates) {
    if (sample.length < 10 && !r.ok && !sample.some((s) => s.m.kind === m.kind)) sample.push({ m, stage: r.stage });
  }
  t.equal(sample.length, 10, `kinds: ${sample.map((s) => s.m.kind).join(', ')}`);

  const d = await spawnMaglevd({ config: runnableConfig, metrics: false });
  t.teardown(() => d.stop('SIGKILL'));
  const rpc = connectE2e(t, d.grpcAddr);
  const state = async (): Promise<unknown> => ({
    frontends: await rpc.call('ListFrontends'),
    fe: await rpc.call('GetFrontend', { name: 'fe' }),
    backends: await rpc.call('ListBackends'),
    hc: await rpc.call('GetHealthCheck', { name: 'hc' }),
  });
  const before = await state();

  const errorLines = (): typeof d.logs => d.logs.filter((l) => l.msg === 'config-reload-error');
  for (const [i, { m, stage }] of sample.entries()) {
    d.writeConfig(m.text);
    d.child.kill('SIGHUP');
    const line = await d.waitForLog((l) => l.msg === 'config-reload-error' && errorLines().indexOf(l) === i);
    const key = stage === 'parse' ? 'parse_error' : 'semantic_error';
    t.ok(typeof line[key] === 'string' && line[key] !== '', `${m.kind} seed ${m.seed}: logged with ${key}`);
  }
  t.same(await state(), before, 'frontends, backends and health checks unchanged');
  t.equal(d.logs.filter((l) => l.msg === 'config-reload').length, 0, 'nothing was applied');

  d.writeConfig(runnableConfig.replace('fuzz target', 'fuzz target, reloaded'));
  d.child.kill('SIGHUP');
  await d.waitForLog((l) => l.msg === 'config-reload');
  t.match(await rpc.call('GetFrontend', { name: 'fe' }), { description: 'fuzz target, reloaded' }, 'a good config still applies afterwards');
  t.equal(await d.stop('SIGTERM'), 0);
});
