// maglevc layouts of `preview …` and `show vpp lb digest`. A preview prints, per VIP, the
// shared one-line summary ("moves 23.4 % of web4's new flows: …") and a row per pool member
// with its state, configured and effective weight and buckets, each as `before→after` when it
// changes; then the assumptions. A digest prints one line per VIP and, on request, the table.

import type { PreviewResponse, VIPDigest, VIPPreview } from '../api/maglev-messages.js';
import { previewHeadline, previewLines } from '../api/preview-summary.js';
import { label, table, type Style } from './output-style.js';
import { vipAddress } from './output-vpp.js';

/** "a→b", or "a" when nothing changes; '-' stands for "not a member" on either side. */
function change(before: string, after: string): string {
  return before === after ? before : `${before}→${after}`;
}

function memberRows(v: VIPPreview): string[][] {
  const buckets = new Map<string, [number, number]>();
  for (const a of v.application_servers) for (const b of a.backends) buckets.set(b, [a.buckets_before, a.buckets_after]);
  let pool = '';
  return v.members.map((m) => {
    const inBefore = m.state_before !== '';
    const inAfter = m.state_after !== '';
    const side = (inSide: boolean, value: number | string): string => (inSide ? String(value) : '-');
    const [bb, ba] = buckets.get(m.backend) ?? [0, 0];
    const row = [
      m.pool === pool ? '' : `pool ${m.pool}`,
      m.backend,
      change(inBefore ? m.state_before : '-', inAfter ? m.state_after : '-'),
      `weight ${change(side(inBefore, m.weight_before), side(inAfter, m.weight_after))}`,
      `effective ${change(side(inBefore, m.effective_weight_before), side(inAfter, m.effective_weight_after))}`,
      `buckets ${change(String(bb), String(ba))}`,
    ];
    pool = m.pool;
    return row;
  });
}

export function formatPreview(style: Style, r: PreviewResponse): string[] {
  if (!r.ok) return [r.parse_error, r.semantic_error].filter((e) => e !== '');
  const lines: string[] = [];
  for (const v of r.vips) {
    lines.push(`${label(style, v.frontend)} ${previewHeadline(v)}`);
    lines.push(...table(memberRows(v)).map((l) => `  ${l}`));
  }
  // The assumptions (and the "no VIP" line) come from the shared summary.
  const rest = previewLines({ vips: [], assumptions: r.assumptions });
  return r.vips.length === 0 ? rest : [...lines, ...rest.slice(1)];
}

function asText(v: VIPDigest, i: number): string {
  const a = v.application_servers[i];
  return a === undefined ? '-' : a.address;
}

export function formatVppLbDigest(style: Style, vips: readonly VIPDigest[], withTable: boolean): string[] {
  const lines: string[] = [];
  for (const v of vips) {
    lines.push(
      `${label(style, 'vip')} ${vipAddress(v.prefix)} ${label(style, 'protocol')} ${v.protocol} ${label(style, 'port')} ${v.port} ` +
        `${label(style, 'frontend')} ${v.frontend === '' ? '-' : v.frontend} ${label(style, 'digest')} ${v.digest.slice(0, 16)}` +
        `${v.buckets_match ? '' : ' (VPP bucket counts differ from the computed table)'}`,
    );
    for (const a of v.application_servers) lines.push(`  ${label(style, 'as')} ${a.address} ${label(style, 'weight')} ${a.weight} ${label(style, 'buckets')} ${a.buckets}`);
    if (!withTable) continue;
    // Eight buckets a row: `   0: a b c …`.
    for (let i = 0; i < v.table.length; i += 8) {
      const row = v.table.slice(i, i + 8).map((x) => asText(v, x));
      lines.push(`  ${String(i).padStart(5)}: ${row.join(' ')}`);
    }
  }
  return lines;
}
