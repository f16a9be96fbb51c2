// maglevc layouts of the VPP commands (behaviour.md §7.4): `show vpp info`, `show vpp lb state`
// (conf line, one line per VIP, one indented line per AS) and the `show vpp lb counters` table.
// VIP addresses drop /32 and /128; other prefix lengths stay.

import type { FrontendInfo, VPPInfo, VPPLBCounters, VPPLBState, VPPLBVIP } from '../api/maglev-messages.js';
import { ageText, isoTime, kvBlock, kvLine, headedTable, label, nsToMs, orDash, type Style } from './output-style.js';

/** 198.51.100.1/32 → 198.51.100.1; 2001:db8::1/128 → 2001:db8::1; 10.0.0.0/24 stays. */
export function vipAddress(prefix: string): string {
  const [addr = prefix, len] = prefix.split('/');
  const host = addr.includes(':') ? '128' : '32';
  return len === host ? addr : prefix;
}

const protocolNumbers: Readonly<Record<string, number>> = { tcp: 6, udp: 17, any: 255 };

/** Whether a VIP is the one a frontend programs (address, protocol, port). */
export function vipOfFrontend(v: VPPLBVIP, f: FrontendInfo): boolean {
  return vipAddress(v.prefix) === f.address && v.protocol === protocolNumbers[f.protocol] && v.port === f.port;
}

export function formatVppInfo(style: Style, i: VPPInfo, nowMs: number): string[] {
  const boot = nsToMs(i.boottime_ns);
  const conn = nsToMs(i.connecttime_ns);
  return kvBlock(
    style,
    [
      ['version', orDash(i.version)],
      ['build-date', orDash(i.build_date)],
      ['build-dir', orDash(i.build_directory)],
      ['vpp-pid', String(i.pid)],
      ['vpp-boottime', boot === undefined ? 'unknown' : `${isoTime(boot)} (up ${ageText(nowMs - boot)})`],
      ['connected', conn === undefined ? '-' : `${isoTime(conn)} (for ${ageText(nowMs - conn)})`],
    ],
    '',
  );
}

export function formatVppLbState(style: Style, s: VPPLBState, onlyVip?: (v: VPPLBVIP) => boolean): string[] {
  const lines: string[] = [];
  if (s.conf !== null) {
    lines.push(
      `${label(style, 'conf')} ${kvLine(style, [
        ['ip4-src-address', orDash(s.conf.ip4_src_address)],
        ['ip6-src-address', orDash(s.conf.ip6_src_address)],
        ['sticky-buckets-per-core', String(s.conf.sticky_buckets_per_core)],
        ['flow-timeout', String(s.conf.flow_timeout)],
      ])}`,
    );
  }
  for (const v of s.vips) {
    if (onlyVip !== undefined && !onlyVip(v)) continue;
    lines.push(
      `${label(style, 'vip')} ${vipAddress(v.prefix)} ${kvLine(style, [
        ['protocol', String(v.protocol)],
        ['port', String(v.port)],
        ['encap', v.encap],
        ['index', String(v.index)],
        ['flow-table-length', String(v.flow_table_length)],
        ['src-ip-sticky', String(v.src_ip_sticky)],
      ])}`,
    );
    for (const a of v.application_servers) {
      lines.push(
        `  ${label(style, 'as')} ${a.address} ${kvLine(style, [
          ['weight', String(a.weight)],
          ['buckets', String(a.num_buckets)],
          ['flags', (a.flags & 1) === 1 ? 'used' : 'removed'],
        ])}`,
      );
    }
  }
  return lines;
}

const counterHeader = ['vip', 'protocol', 'port', 'first', 'next', 'untracked', 'no-server', 'fib-packets', 'fib-bytes'];

export function formatVppLbCounters(style: Style, c: VPPLBCounters): string[] {
  const rows = c.vips.map((v) => [
    vipAddress(v.prefix),
    String(v.protocol),
    String(v.port),
    v.first_packets,
    v.next_packets,
    v.untracked_packets,
    v.no_server_packets,
    v.fib_packets,
    v.fib_bytes,
  ]);
  return headedTable(style, counterHeader, rows, new Set([3, 4, 5, 6, 7, 8]));
}
