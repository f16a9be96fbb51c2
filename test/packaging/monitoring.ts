// packaging/prometheus/maglev-alerts.yml and packaging/grafana/maglev-dashboard.json: every PromQL
// expression parses (Prometheus's own lezer grammar) and names only metrics that a started
// maglevd exports (its /metrics, VPP integration on, scraped once); the dashboard shows every
// maglev_* family; promtool accepts the rules and passes their unit tests.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parser } from '@prometheus-io/lezer-promql';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { spawnMaglevd } from '../support/maglevd-process.js';

const run = promisify(execFile);
const packaging = (path: string): string => fileURLToPath(new URL(`../../packaging/${path}`, import.meta.url));
const alertsPath = packaging('prometheus/maglev-alerts.yml');
const alertTestsPath = packaging('prometheus/maglev-alerts.test.yml');
const dashboardPath = packaging('grafana/maglev-dashboard.json');

/** Series Prometheus makes itself for every target; not maglevd's to export. */
const prometheusSynthetic = new Set(['up']);

/** Metric names an expression selects; throws on a syntax error. Grafana's interval variables become 5m. */
function promqlMetricNames(expr: string): string[] {
  const text = expr.replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, '5m');
  const tree = parser.parse(text);
  const names: string[] = [];
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error ??= node.from;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(text.slice(node.from, node.to));
      // {__name__="x"} selects by name too.
      if (node.name === 'UnquotedLabelMatcher' && /^__name__\s*=\s*"([^"]+)"$/.test(text.slice(node.from, node.to))) {
        names.push(/"([^"]+)"/.exec(text.slice(node.from, node.to))![1]!);
      }
    },
  });
  if (error !== undefined) throw new Error(`PromQL syntax error at offset ${error}: ${text}`);
  return names;
}

void t.test('promqlMetricNames', async (t) => {
  const cases: Array<{ name: string; in: string; want: string[] | RegExp }> = [
    { name: 'bare selector', in: 'up', want: ['up'] },
    { name: 'matchers and a range', in: 'rate(maglev_probe_total{result="discarded"}[5m])', want: ['maglev_probe_total'] },
    { name: 'Grafana interval', in: 'increase(a_total{instance=~"$instance"}[$__rate_interval])', want: ['a_total'] },
    { name: 'histogram suffixes', in: 'histogram_quantile(0.99, sum by (le) (rate(d_seconds_bucket[5m])))', want: ['d_seconds_bucket'] },
    { name: 'binary with vector matching', in: 'a == 0 and on (job, instance) count by (job) (b) > 0', want: ['a', 'b'] },
    { name: 'label names are not metrics', in: 'sum by (backend, to) (c{from=~"up|down"})', want: ['c'] },
    { name: 'function without selector', in: 'count(d == 0) or vector(0)', want: ['d'] },
    { name: 'selection by __name__', in: '{__name__="e", job="x"}', want: ['e'] },
    { name: 'syntax error', in: 'sum(rate(a[5m])', want: /syntax error/ },
  ];
  for (const c of cases) {
    if (c.want instanceof RegExp) t.throws(() => promqlMetricNames(c.in), c.want, c.name);
    else t.same(promqlMetricNames(c.in), c.want, c.name);
  }
});

interface AlertRule {
  alert: string;
  expr: string;
}
const alertRules = (parseYaml(readFileSync(alertsPath, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }).groups.flatMap((g) => g.rules);

interface Panel {
  type: string;
  id: number;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: string | { query: string } }> };
}
const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as Dashboard;

/** Every expression of the dashboard, named by where it is: panel targets and variable queries. */
function dashboardExprs(d: Dashboard): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const p of d.panels) for (const tg of p.targets ?? []) out.push({ where: `panel "${p.title}"`, expr: tg.expr });
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    // Grafana's variable functions wrap a selector (label_values) or a whole query (query_result).
    const labelValues = /^label_values\((.+),\s*[A-Za-z_][A-Za-z0-9_]*\)$/.exec(q);
    const queryResult = /^query_result\((.+)\)$/.exec(q);
    const expr = labelValues?.[1] ?? queryResult?.[1];
    if (expr === undefined) throw new Error(`variable ${v.name}: unsupported query ${q}`);
    out.push({ where: `variable ${v.name}`, expr });
  }
  return out;
}

/** Names a scrape exports: each family from its # TYPE line, histograms with _bucket, _sum, _count. */
function exportedNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const m of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

const daemonConfig = `maglev:
  vpp: { lb: { ipv4-src-address: 127.0.0.1 } }
  backends: { s1: { address: 127.0.0.1 } }
  frontends:
    fe: { address: 127.0.9.9, protocol: tcp, port: 80, pools: [{ name: p, backends: { s1: {} } }] }
`;

void t.test('dashboard and alert rules use only metrics maglevd exports', async (t) => {
  // VPP integration on (an API socket nobody listens on): the maglev_vpp_* and maglev_vip_*
  // families are registered while maglevd keeps trying to connect.
  const dir = mkdtempSync(join(tmpdir(), 'maglev-monitoring-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const d = await spawnMaglevd({ config: daemonConfig, vppApi: join(dir, 'api.sock'), vppStats: join(dir, 'stats.sock') });
  t.teardown(() => d.stop('SIGKILL'));
  const exported = exportedNames(await (await fetch(`http://${d.metricsAddr}/metrics`)).text());
  t.ok(exported.has('maglev_vpp_connected') && exported.has('maglev_probe_duration_seconds_bucket'), 'VPP and histogram families are in the scrape');

  const exprs = [...alertRules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })), ...dashboardExprs(dashboard)];
  t.ok(exprs.length >= 40, `${exprs.length} expressions`);
  const used = new Set<string>();
  for (const { where, expr } of exprs) {
    const names = promqlMetricNames(expr);
    t.ok(names.length > 0, `${where}: selects a metric`);
    for (const name of names) {
      used.add(name);
      t.ok(exported.has(name) || prometheusSynthetic.has(name), `${where}: ${name} is exported`);
    }
  }
  // A family the daemon exports but the dashboard never shows is a gap in the dashboard.
  const dashboardNames = new Set(dashboardExprs(dashboard).flatMap((e) => promqlMetricNames(e.expr)));
  const families = [...exported].filter((n) => n.startsWith('maglev_') && !/_(bucket|sum|count)$/.test(n));
  t.ok(families.length >= 20, `${families.length} maglev_* families`);
  for (const family of families) {
    const shown = [family, `${family}_bucket`, `${family}_sum`, `${family}_count`].some((n) => dashboardNames.has(n));
    t.ok(shown, `${family} has a panel (add one to packaging/grafana/maglev-dashboard.json)`);
  }
  t.ok(used.has('maglev_vpp_connected') && used.has('maglev_frontend_state'));
});

void t.test('the alert rules cover what operators page on', async (t) => {
  const names = alertRules.map((r) => r.alert);
  for (const want of ['MaglevdDown', 'MaglevVppDisconnected', 'MaglevFrontendDown', 'MaglevBackendFlapping', 'MaglevProberDegraded', 'MaglevVppSyncFailures']) {
    t.ok(names.includes(want), want);
  }
  t.equal(new Set(names).size, names.length, 'alert names are unique');
});

void t.test('dashboard structure: unique panel ids, panels inside the 24-column grid and apart, one data source variable', async (t) => {
  const ids = dashboard.panels.map((p) => p.id);
  t.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const p of dashboard.panels) {
    t.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `panel "${p.title}" fits the grid`);
    for (const tg of p.targets ?? []) t.equal(tg.datasource?.uid, '${datasource}', `panel "${p.title}" queries the selected data source`);
  }
  // Two merges that each added a panel once left two panels on the same cells.
  const owner = new Map<string, string>();
  const overlaps: string[] = [];
  for (const p of dashboard.panels) {
    const g = p.gridPos;
    for (let y = g.y; y < g.y + g.h; y++) {
      for (let x = g.x; x < g.x + g.w; x++) {
        const other = owner.get(`${x},${y}`);
        if (other !== undefined && !overlaps.includes(`${other} / ${p.title}`)) overlaps.push(`${other} / ${p.title}`);
        owner.set(`${x},${y}`, p.title);
      }
    }
  }
  t.same(overlaps, [], 'no two panels share a cell');
  t.same(
    dashboard.templating.list.map((v) => [v.name, v.type]),
    [
      ['datasource', 'datasource'],
      ['instance', 'query'],
    ],
  );
});

void t.test('promtool: the rules load and their unit tests pass', async (t) => {
  const promtool = async (args: string[]): Promise<{ code: number; out: string }> =>
    run('promtool', args, { timeout: 60_000 }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code?: number | string; stdout?: string; stderr?: string }) => ({
        code: typeof e.code === 'number' ? e.code : -1,
        out: e.code === 'ENOENT' ? "promtool not found: install Debian's prometheus package (.ci/run does)" : `${e.stdout ?? ''}${e.stderr ?? ''}`,
      }),
    );
  const check = await promtool(['check', 'rules', alertsPath]);
  t.equal(check.code, 0, check.out);
  t.match(check.out, new RegExp(`SUCCESS: ${alertRules.length} rules found`));
  const unit = await promtool(['test', 'rules', alertTestsPath]);
  t.equal(unit.code, 0, unit.out);
  t.match(unit.out, /SUCCESS/);
});
