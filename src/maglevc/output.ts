// maglevc layouts for frontends, backends, health checks, operator replies and config results.
// Pure: wire messages in, lines out; `nowMs` is passed for relative times.
// Pool member rows keep upstream's regex-friendly `<name> weight <cfg> effective <eff>` form.

import type { BackendInfo, CheckConfigResponse, FrontendInfo, HealthCheckInfo, ReloadConfigResponse } from '../api/maglev-messages.js';
import { ageText, durationText, isoTime, headedTable, kvBlock, kvLine, label, nsToMs, orDash, probeDurationText, type Style } from './output-style.js';

export function formatFrontend(style: Style, f: FrontendInfo): string[] {
  const lines = [
    `${label(style, 'frontend')} ${f.name}`,
    ...kvBlock(style, [
      ['description', orDash(f.description)],
      ['address', f.address],
      ['protocol', f.protocol],
      ['port', String(f.port)],
      ['state', f.state],
      ['src-ip-sticky', String(f.src_ip_sticky)],
      ['flush-on-down', String(f.flush_on_down)],
      // Only with a threshold set: without one the layout stays the upstream one.
      ...(f.panic_threshold === 0 ? [] : [['panic', panicText(f)] as [string, string]]),
    ]),
  ];
  // Fixed width: member names padded to the longest in the frontend.
  const width = Math.max(0, ...f.pools.flatMap((p) => p.backends.map((b) => b.name.length)));
  for (const p of f.pools) {
    lines.push(`  ${label(style, 'pool')} ${p.name}${p.active ? ' (active)' : ''}`);
    for (const b of p.backends) {
      const row = kvLine(style, [
        ['weight', String(b.weight)],
        ['effective', String(b.effective_weight)],
        ['state', b.state],
        ...(b.agent_state === '' ? [] : [['agent', b.agent_state] as [string, string]]),
      ]);
      lines.push(`    ${b.name.padEnd(width)} ${row}${b.state === 'disabled' ? ' [disabled]' : ''}`);
    }
  }
  return lines;
}

function panicText(f: FrontendInfo): string {
  const threshold = `threshold ${f.panic_threshold}%`;
  return f.panic ? `yes (${threshold}): every backend at its configured weight, health ignored` : `no (${threshold})`;
}

/** `drain`, `up 50%`: the agent's verdict (the share only when not 100 %). */
function agentVerdictText(a: NonNullable<BackendInfo['agent']>): string {
  return a.weight_percent === 100 ? a.state : `${a.state} ${a.weight_percent}%`;
}

/** The state column: the health state, and the agent's verdict beside it when there is an agent check. */
function backendStateText(b: BackendInfo): string {
  return b.agent === null ? b.state : `${b.state} (agent ${agentVerdictText(b.agent)})`;
}

function agentText(b: BackendInfo, nowMs: number): string {
  const a = b.agent;
  if (a === null) return '-';
  const at = nsToMs(a.last_answer_unix_ns);
  const answer = at === undefined ? 'no answer yet' : `answer ${JSON.stringify(a.last_answer)} ${ageText(nowMs - at)} ago`;
  const bad = a.bad_answers === 0 ? '' : `, ${a.bad_answers} bad answers`;
  const error = a.last_error === '' ? '' : `, latest: ${a.last_error}`;
  return `${agentVerdictText(a)} (port ${a.port}, ${answer}${bad}${error})`;
}

function lastProbeText(b: BackendInfo, nowMs: number): string {
  const p = b.last_probe;
  if (p === null) return '-';
  const at = nsToMs(p.at_unix_ns);
  const when = at === undefined ? '' : `, ${ageText(nowMs - at)} ago`;
  return `${p.code}${p.detail === '' ? '' : ` ${p.detail}`} (${probeDurationText(p.duration_ns)}${when})`;
}

export function formatBackend(style: Style, b: BackendInfo, nowMs: number): string[] {
  const lines = [
    `${label(style, 'backend')} ${b.name}`,
    ...kvBlock(style, [
      ['address', b.address],
      ['state', b.state],
      ['enabled', String(b.enabled)],
      ['healthcheck', orDash(b.healthcheck)],
      ['health', `${b.health} (rise ${b.rise}, fall ${b.fall})`],
      ...(b.agent === null ? [] : [['agent', agentText(b, nowMs)] as [string, string]]),
      ['last-probe', lastProbeText(b, nowMs)],
      ['frontends', orDash(b.frontends.join(', '))],
      ['transitions', b.transitions.length === 0 ? '-' : ''],
    ]),
  ];
  for (const tr of b.transitions) {
    const at = nsToMs(tr.at_unix_ns);
    const parts = [at === undefined ? '-' : isoTime(at), `${tr.from} -> ${tr.to}`, tr.code, tr.detail].filter((x) => x !== '');
    lines.push(`    ${parts.join('  ')}`);
  }
  return lines;
}

export function formatHealthCheck(style: Style, h: HealthCheckInfo): string[] {
  const rows: Array<[string, string]> = [
    ['type', h.type],
    ['port', String(h.port)],
    ['interval', durationText(h.interval_ns)],
    ['fast-interval', durationText(h.fast_interval_ns)],
    ['down-interval', durationText(h.down_interval_ns)],
    ['timeout', durationText(h.timeout_ns)],
    ['rise', String(h.rise)],
    ['fall', String(h.fall)],
    ['probe-ipv4-src', orDash(h.probe_ipv4_src)],
    ['probe-ipv6-src', orDash(h.probe_ipv6_src)],
  ];
  if (h.http !== null) {
    rows.push(
      ['path', h.http.path],
      ['host', orDash(h.http.host)],
      ['response-code', `${h.http.response_code_min}-${h.http.response_code_max}`],
      ['response-regexp', orDash(h.http.response_regexp)],
      ['server-name', orDash(h.http.server_name)],
      ['insecure-skip-verify', String(h.http.insecure_skip_verify)],
      ['reuse-connection', String(h.reuse_connection)],
    );
  }
  if (h.tcp !== null) {
    rows.push(['ssl', String(h.tcp.ssl)], ['server-name', orDash(h.tcp.server_name)], ['insecure-skip-verify', String(h.tcp.insecure_skip_verify)]);
  }
  if (h.agent !== null) {
    rows.push(['agent', `port ${h.agent.port}, interval ${durationText(h.agent.interval_ns)}, timeout ${durationText(h.agent.timeout_ns)}${h.agent.send === '' ? '' : `, send ${JSON.stringify(h.agent.send)}`}`]);
  }
  return [`${label(style, 'healthcheck')} ${h.name}`, ...kvBlock(style, rows)];
}

/** `show frontends`: name address protocol port state. */
export function formatFrontendList(style: Style, fs: readonly FrontendInfo[]): string[] {
  return headedTable(style, ['name', 'address', 'protocol', 'port', 'state'], fs.map((f) => [f.name, f.address, f.protocol, String(f.port), f.state]));
}

/** `show backends`: name address state enabled healthcheck. */
export function formatBackendList(style: Style, bs: readonly BackendInfo[]): string[] {
  return headedTable(style, ['name', 'address', 'state', 'enabled', 'healthcheck'], bs.map((b) => [b.name, b.address, backendStateText(b), String(b.enabled), orDash(b.healthcheck)]));
}

/** `show healthchecks`: name type port interval timeout rise fall, and a `connection` column (reuse or new) once some check has reuse-connection. */
export function formatHealthCheckList(style: Style, hs: readonly HealthCheckInfo[]): string[] {
  const reuse = hs.some((h) => h.reuse_connection);
  const header = ['name', 'type', 'port', 'interval', 'timeout', 'rise', 'fall', ...(reuse ? ['connection'] : [])];
  return headedTable(
    style,
    header,
    hs.map((h) => {
      const row = [h.name, h.type, String(h.port), durationText(h.interval_ns), durationText(h.timeout_ns), String(h.rise), String(h.fall)];
      return reuse ? [...row, h.reuse_connection ? 'reuse' : h.http === null ? '-' : 'new'] : row;
    }),
  );
}

/** `set backend … <action>`. */
export function formatBackendAction(style: Style, b: BackendInfo): string[] {
  return [
    `${label(style, 'backend')} ${b.name} ${kvLine(style, [
      ['state', backendStateText(b)],
      ['enabled', String(b.enabled)],
    ])}`,
  ];
}

function problems(title: string, text: string): string[] {
  if (text === '') return [];
  return [`${title}:`, ...text.split('\n').filter((l) => l !== '').map((l) => `  ${l}`)];
}

export function formatConfigCheck(r: CheckConfigResponse): string[] {
  if (r.ok) return ['config ok'];
  return [...problems('parse error', r.parse_error), ...problems('semantic error', r.semantic_error)];
}

export function formatConfigReload(r: ReloadConfigResponse): string[] {
  if (r.ok) return ['config reloaded'];
  return [...problems('parse error', r.parse_error), ...problems('semantic error', r.semantic_error), ...problems('reload error', r.reload_error)];
}
