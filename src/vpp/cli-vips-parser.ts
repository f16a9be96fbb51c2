// Parses `show lb vips verbose` (vpp-wire.md §8), the only source of a VIP's pool index and its
// src_ip_sticky flag. Defensive by design: unknown lines are ignored, blocks with an unknown
// type are skipped, AS lines are read as whitespace-separated key:value tokens, and the header
// accepts flags in any spacing. Pure: text in, blocks out (removed ones included, flagged).

import type { CliVip } from './lb-api.js';
import type { Encap } from '../shared/lb-vip.js';
import { canonicalIp, ipFamily } from '../shared/ip-address.js';
import { splitPrefix } from './codec.js';

/** One AS line of a block. */
export interface CliAs {
  readonly address: string;
  readonly weight: number;
  readonly buckets: number;
  readonly flows: number;
  readonly removed: boolean;
}

/** A parsed block: the CliVip the sync needs, plus its AS lines. */
export interface CliVipBlock extends CliVip {
  readonly ases: readonly CliAs[];
}

const encaps: readonly Encap[] = ['gre4', 'gre6', 'l3dsr', 'nat4', 'nat6'];
const headerRe = /^ (\S+) \[(\d+)\] (\S+)((?:\s+\S+)*)\s*$/;
const counterNames = {
  'packet from existing sessions': 'next',
  'first session packet': 'first',
  'untracked packet': 'untracked',
  'no server configured': 'noServer',
} as const;

interface Draft {
  index: number;
  prefix: string;
  encap: Encap;
  srcIpSticky: boolean;
  removed: boolean;
  newSize: number;
  protocol: number;
  port: number;
  counters: { next: number; first: number; untracked: number; noServer: number };
  ases: CliAs[];
}

/** Every VIP block of the text, in order. Blocks marked `removed` are kept with removed=true. */
export function parseVipsVerbose(text: string): CliVipBlock[] {
  const out: CliVipBlock[] = [];
  let cur: Draft | undefined;
  const flush = (): void => {
    if (cur !== undefined) out.push({ ...cur, counters: { ...cur.counters } });
    cur = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    const h = headerRe.exec(line);
    if (h !== null) {
      flush();
      cur = parseHeader(h);
      continue;
    }
    if (cur === undefined) continue;
    parseBodyLine(cur, line);
  }
  flush();
  return out;
}

function parseHeader(h: RegExpExecArray): Draft | undefined {
  const [, type = '', index = '', prefix = '', flags = ''] = h;
  const encap = type.slice(type.indexOf('-') + 1) as Encap;
  if (!type.includes('-') || !encaps.includes(encap)) return undefined;
  const canonical = canonicalPrefix(prefix);
  if (canonical === undefined) return undefined;
  const words = flags.trim().split(/\s+/);
  return {
    index: Number(index),
    prefix: canonical,
    encap,
    srcIpSticky: words.includes('src_ip_sticky'),
    removed: words.includes('removed'),
    newSize: 0,
    protocol: 255,
    port: 0,
    counters: { next: 0, first: 0, untracked: 0, noServer: 0 },
    ases: [],
  };
}

function canonicalPrefix(text: string): string | undefined {
  try {
    const { address, len } = splitPrefix(text);
    if (!text.includes('/')) return undefined;
    return `${canonicalIp(address)}/${len}`;
  } catch {
    // Not a prefix: the caller skips the block.
    return undefined;
  }
}

function parseBodyLine(cur: Draft, line: string): void {
  const trimmed = line.trim();
  if (trimmed === '') return;
  const counter = /^([a-z ]+):\s+(\d+)$/.exec(trimmed);
  if (counter !== null) {
    const kind = counterNames[counter[1] as keyof typeof counterNames];
    if (kind !== undefined) cur.counters[kind] = Number(counter[2]);
    return;
  }
  const kv = keyValues(trimmed);
  const first = trimmed.split(/\s+/)[0] ?? '';
  if (ipFamily(first) !== undefined && kv.has('buckets')) {
    const last = trimmed.split(/\s+/).at(-1);
    cur.ases.push({
      address: canonicalIp(first),
      weight: num(kv.get('weight')),
      buckets: num(kv.get('buckets')),
      flows: num(kv.get('flows')),
      removed: last === 'removed',
    });
    return;
  }
  if (kv.has('new_size')) cur.newSize = num(kv.get('new_size'));
  // NAT VIPs glue `type:… port:… target_port:…` onto `counters:`; only `protocol:` marks per-port.
  if (kv.has('protocol') && kv.has('port')) {
    cur.protocol = num(kv.get('protocol'));
    cur.port = num(kv.get('port'));
  }
}

function keyValues(line: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const tok of line.split(/\s+/)) {
    const i = tok.indexOf(':');
    if (i > 0 && i < tok.length - 1) m.set(tok.slice(0, i), tok.slice(i + 1));
  }
  return m;
}

function num(s: string | undefined): number {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}
