// PreviewChange's answer in words, one line per VIP: "moves 23.4 % of web4's new flows: web-1
// 512→0, web-2 512→1024" (only the ASes whose bucket count changes), plus the assumptions the
// preview made. Shared by maglevc, `maglevd --check --preview-against` and the dashboard, so
// the operator reads the same sentence everywhere.

import type { PreviewResponse, VIPPreview } from './maglev-messages.js';

const protocolNames: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 255: 'any' };

/** "192.0.2.1:80/tcp", "[2001:db8::1]:*\/any". */
export function previewVipText(v: Pick<VIPPreview, 'prefix' | 'protocol' | 'port'>): string {
  const addr = v.prefix.replace(/\/\d+$/, '');
  const host = addr.includes(':') ? `[${addr}]` : addr;
  return `${host}:${v.port === 0 ? '*' : v.port}/${protocolNames[v.protocol] ?? String(v.protocol)}`;
}

/** Share of the table that moves, one decimal: "23.4 %". */
export function movedShareText(v: Pick<VIPPreview, 'moved_buckets' | 'flow_table_length'>): string {
  const share = v.flow_table_length === 0 ? 0 : (100 * v.moved_buckets) / v.flow_table_length;
  return `${share.toFixed(1)} %`;
}

/** One line for one VIP. */
export function previewHeadline(v: VIPPreview): string {
  const moves = v.application_servers
    .filter((a) => a.buckets_before !== a.buckets_after)
    .map((a) => `${a.backends.length > 0 ? a.backends.join('/') : a.address} ${a.buckets_before}→${a.buckets_after}`);
  const list = moves.length === 0 ? '' : `: ${moves.join(', ')}`;
  switch (v.change) {
    case 'added':
      return `adds ${v.frontend}'s VIP ${previewVipText(v)}${list}`;
    case 'removed':
      return `removes ${v.frontend}'s VIP ${previewVipText(v)}${list}`;
    default:
      return `moves ${movedShareText(v)} of ${v.frontend}'s new flows${list}`;
  }
}

/** Every VIP's line, then one line per assumption. */
export function previewLines(r: Pick<PreviewResponse, 'vips' | 'assumptions'>): string[] {
  const lines = r.vips.length === 0 ? ['no VIP is affected'] : r.vips.map(previewHeadline);
  return [...lines, ...r.assumptions.map((a) => `assuming ${a}`)];
}
