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

/**
 * Every VIP block of the text, in order. Blocks marked `removed` are kept with removed=true.
 * With `ases: false` the AS lines are skipped unread (blocks get no ases): the sync and the
 * counter scrape need only the VIP lines, and AS lines are most of the text.
 */
export function parseVipsVerbose(text: string, opts: { readonly ases?: boolean } = {}): CliVipBlock[] {
  const withAses = opts.ases ?? true;
  const out: CliVipBlock[] = [];
  let cur: Draft | undefined;
  const flush = (): void => {
    if (cur !== undefined) out.push({ ...cur, counters: { ...cur.counters } });
    cur = undefined;
  };
  // Walked with indexOf rather than split and a regex per line: at 1000 VIPs the text is about
  // 800 kB, and the counter scrape reads it every 5 s on the main thread.
  let nextAs = -1;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (!withAses && cur !== undefined) {
      // An AS line is skipped before it is even cut out of the text.
      if (nextAs < start) {
        const i = text.indexOf('buckets:', start);
        nextAs = i < 0 ? Infinity : i;
      }
      if (nextAs < end) {
        start = end + 1;
        continue;
      }
    }
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    // Only a header has exactly one leading space.
    const h = line.charCodeAt(0) === 32 && line.charCodeAt(1) !== 32 ? headerRe.exec(line) : null;
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
  const c0 = trimmed.charCodeAt(0);
  // Counter lines are lowercase words, a colon and a number.
  if (c0 >= 0x61 && c0 <= 0x7a) {
    const counter = /^([a-z ]+):\s+(\d+)$/.exec(trimmed);
    if (counter !== null) {
      const kind = counterNames[counter[1] as keyof typeof counterNames];
      if (kind !== undefined) cur.counters[kind] = Number(counter[2]);
      return;
    }
  }
  const tokens = words(trimmed);
  const kv = keyValues(tokens);
  const first = tokens[0] ?? '';
  if (kv.has('buckets') && ipFamily(first) !== undefined) {
    cur.ases.push({
      address: canonicalIp(first),
      weight: num(kv.get('weight')),
      buckets: num(kv.get('buckets')),
      flows: num(kv.get('flows')),
      removed: tokens.at(-1) === 'removed',
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

/** Whitespace-separated words (a hand loop: a regex split costs more than the rest of the parse). */
function words(s: string): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i >= n) break;
    let j = i + 1;
    while (j < n && !isSpace(s.charCodeAt(j))) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function keyValues(tokens: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const tok of tokens) {
    const i = tok.indexOf(':');
    if (i > 0 && i < tok.length - 1) m.set(tok.slice(0, i), tok.slice(i + 1));
  }
  return m;
}

function num(s: string | undefined): number {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}
