// The simulator's lb CLI text, in VPP master's format: `show lb vips verbose`
// (the block maglevd parses for pool indices and sticky flags), `show lb vips` and `show lb`.
// Quirks kept on purpose: NAT VIPs glue their type line onto `counters:`, a removed AS gets two
// spaces before `removed`, and `#as:` counts removed ASes.

import type { LbModel, SimVip } from './lb-model.js';
import { vipPrefix } from './lb-model.js';

/** VPP's internal VIP type name: `<vip family>-<encap>`, e.g. ip4-gre4, ip6-nat6. */
export function vipTypeName(vip: SimVip): string {
  return `ip${vip.family}-${vip.encap}`;
}

function srvTypeName(t: number): string {
  return t === 0 ? 'clusterip' : 'nodeport';
}

function renderVipBlock(model: LbModel, vip: SimVip): string {
  const lines: string[] = [];
  const flags = `${vip.srcIpSticky ? ' src_ip_sticky' : ''}${vip.used ? '' : ' removed'}`;
  lines.push(` ${vipTypeName(vip)} [${vip.index}] ${vipPrefix(vip)}${flags}`);
  lines.push(`  new_size:${vip.newSize}`);
  if (vip.port !== 0) lines.push(`  protocol:${vip.protocol} port:${vip.port}`);
  let countersHead = '  counters:';
  if (vip.encap === 'l3dsr') lines.push(`  dscp:${vip.dscp}`);
  else if (vip.encap === 'nat4' || vip.encap === 'nat6') {
    // VPP prints this without a newline, so it lands in front of `counters:`.
    countersHead = `  type:${srvTypeName(vip.srvType)} port:${vip.port} target_port:${vip.targetPort}${countersHead}`;
  }
  lines.push(countersHead);
  const c = model.stats.totals(vip.index);
  lines.push(`    packet from existing sessions: ${c.next}`);
  lines.push(`    first session packet: ${c.first}`);
  lines.push(`    untracked packet: ${c.untracked}`);
  lines.push(`    no server configured: ${c.noServer}`);
  lines.push(`  #as:${vip.ases.length}`);
  for (const as of vip.ases) {
    const state = as.used ? 'used' : ' removed';
    lines.push(`    ${as.address} weight:${as.weight} buckets:${model.buckets(vip, as)} flows:${model.flows(as)} dpo:${as.poolIndex} ${state}`);
  }
  return lines.join('\n') + '\n';
}

/** `show lb vips verbose`: every VIP in the pool (removed ones marked), blocks separated by an empty line. */
export function renderVipsVerbose(model: LbModel): string {
  return model
    .allVips()
    .map((v) => renderVipBlock(model, v))
    .join('\n');
}

/** `show lb vips`: one line per VIP, without its index. */
export function renderVips(model: LbModel): string {
  return model
    .allVips()
    .map((v) => {
      const port = v.port !== 0 ? `  protocol:${v.protocol} port:${v.port} ` : '';
      return ` ${vipTypeName(v)} ${vipPrefix(v)} new_size:${v.newSize} #as:${v.ases.length}${v.used ? '' : ' removed'}${port}\n`;
    })
    .join('');
}

/** `show lb`: the global configuration. */
export function renderLbMain(model: LbModel): string {
  const c = model.conf;
  const ases = model.allVips().reduce((n, v) => n + v.ases.length, 0);
  return [
    `lb_main ip4-src-address: ${c.ip4SrcAddress} `,
    ` ip6-src-address: ${c.ip6SrcAddress} `,
    ` #vips: ${model.allVips().length + 1}`,
    ` #ass: ${ases}`,
    ` sticky-buckets-per-core: ${c.stickyBucketsPerCore}`,
    ` flow-timeout: ${c.flowTimeoutS}s`,
    '',
  ].join('\n');
}
