// Whether the LB hosts behind one ECMP group send a flow to the same backend: per VIP, the
// hosts whose VPP holds it are grouped by table digest (GetVPPLBDigest), the largest group
// (ties: the one with the earliest -server) is the reference, and every other host is told
// apart from it by the share of buckets whose AS differs and by why: an AS one host has in its
// table and the other has not (with that host's state of the backend), or another weight.
// Pure: hosts in, one line per VIP out (docs/table-digest.md).

import type { VIPDigest } from '../api/maglev-messages.js';

/** What one reachable maglevd with a connected VPP tells about its tables. */
export interface HostTables {
  /** The -server address: the host's name on the dashboard. */
  readonly host: string;
  readonly vips: readonly VIPDigest[];
  /** Backend address → its name and state on this host. */
  readonly backends: ReadonlyMap<string, { readonly name: string; readonly state: string }>;
}

export interface HostDifference {
  readonly host: string;
  /** Buckets whose AS differs from the reference host's, 0..1. */
  readonly share: number;
  /** Why, one phrase per cause, e.g. "web-2 down on B only". */
  readonly causes: readonly string[];
}

export interface VipAgreement {
  /** "prefix protocol port": the same key on every host. */
  readonly key: string;
  /** "192.0.2.1:80/tcp". */
  readonly vip: string;
  /** The frontends the hosts program it for, sorted ("" left out). */
  readonly frontends: readonly string[];
  /** Hosts whose VPP holds the VIP, in -server order. */
  readonly hosts: readonly string[];
  /** Hosts in the reference group (the reference first). */
  readonly agreeing: readonly string[];
  readonly differences: readonly HostDifference[];
  /** "3/3 hosts agree", or "host B differs from A on 12.5 % of buckets (web-2 down on B only)". */
  readonly text: string;
}

const protocolNames: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 255: 'any' };

function vipText(v: VIPDigest): string {
  const addr = v.prefix.replace(/\/\d+$/, '');
  return `${addr.includes(':') ? `[${addr}]` : addr}:${v.port === 0 ? '*' : v.port}/${protocolNames[v.protocol] ?? String(v.protocol)}`;
}

/** Bucket → AS address ('' for none). */
function owners(v: VIPDigest): string[] {
  return v.table.map((i) => v.application_servers[i]?.address ?? '');
}

/** Share of buckets with another AS; tables of different lengths differ everywhere. */
function differingShare(a: VIPDigest, b: VIPDigest): number {
  if (a.flow_table_length !== b.flow_table_length || a.table.length !== b.table.length || a.table.length === 0) return 1;
  const oa = owners(a);
  const ob = owners(b);
  return oa.filter((o, i) => o !== ob[i]).length / oa.length;
}

function nameOf(address: string, ...hosts: HostTables[]): string {
  for (const h of hosts) {
    const b = h.backends.get(address);
    if (b !== undefined) return b.name;
  }
  return address;
}

/** "web-2 down on B only": `other` lacks an AS of the reference (why: its state of the backend there). */
function missingPhrase(address: string, other: HostTables, ref: HostTables): string {
  const state = other.backends.get(address)?.state;
  const why = state === undefined || state === 'up' ? 'out of the table' : state;
  return `${nameOf(address, other, ref)} ${why} on ${other.host} only`;
}

function causes(ref: HostTables, rv: VIPDigest, other: HostTables, ov: VIPDigest): string[] {
  if (rv.flow_table_length !== ov.flow_table_length) {
    return [`table length ${ov.flow_table_length} on ${other.host}, ${rv.flow_table_length} on ${ref.host}`];
  }
  const rw = new Map(rv.application_servers.map((a) => [a.address, a.weight]));
  const ow = new Map(ov.application_servers.map((a) => [a.address, a.weight]));
  const out: string[] = [];
  for (const [address, w] of rw) {
    const o = ow.get(address);
    if (o === undefined) out.push(missingPhrase(address, other, ref));
    else if (o !== w) out.push(`${nameOf(address, other, ref)} weight ${o} on ${other.host}, ${w} on ${ref.host}`);
  }
  for (const address of ow.keys()) if (!rw.has(address)) out.push(`${nameOf(address, other, ref)} in the table on ${other.host} only`);
  return out.length > 0 ? out : ['same ASes and weights, different tables'];
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)} %`;
}

/** One agreement per VIP that any host holds, in the order the first host to hold it lists them. */
export function compareHosts(hosts: readonly HostTables[]): VipAgreement[] {
  const byKey = new Map<string, Array<{ host: HostTables; vip: VIPDigest }>>();
  for (const host of hosts) {
    for (const vip of host.vips) {
      const key = `${vip.prefix} ${vip.protocol} ${vip.port}`;
      let list = byKey.get(key);
      if (list === undefined) byKey.set(key, (list = []));
      list.push({ host, vip });
    }
  }
  const out: VipAgreement[] = [];
  for (const [key, list] of byKey) {
    const groups = new Map<string, typeof list>();
    for (const e of list) {
      const g = groups.get(e.vip.digest);
      if (g === undefined) groups.set(e.vip.digest, [e]);
      else g.push(e);
    }
    // Map order is first appearance, so on a tie the earliest host's group wins.
    const refGroup = [...groups.values()].reduce((best, g) => (g.length > best.length ? g : best));
    const ref = refGroup[0]!;
    const differences = list
      .filter((e) => e.vip.digest !== ref.vip.digest)
      .map((e) => ({ host: e.host.host, share: differingShare(ref.vip, e.vip), causes: causes(ref.host, ref.vip, e.host, e.vip) }));
    const n = list.length;
    const text =
      differences.length === 0
        ? n === 1
          ? `only ${ref.host.host} holds it`
          : `${n}/${n} hosts agree`
        : differences.map((d) => `host ${d.host} differs from ${ref.host.host} on ${percent(d.share)} of buckets (${d.causes.join(', ')})`).join('; ');
    out.push({
      key,
      vip: vipText(ref.vip),
      frontends: [...new Set(list.map((e) => e.vip.frontend).filter((f) => f !== ''))].sort(),
      hosts: list.map((e) => e.host.host),
      agreeing: refGroup.map((e) => e.host.host),
      differences,
      text,
    });
  }
  return out;
}
