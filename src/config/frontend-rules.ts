// Semantic rules and defaults for `maglev.frontends` (§2.7, §2.8 rules 1, 3-8): protocol and
// port, pools and their members, one backend family and one AS per address within a frontend,
// and the rules between frontends that share a VIP address (VPP would refuse those with -73/-81).

import type { Backend, Frontend, FrontendProtocol, IpFamily, Pool, PoolMember } from '../shared/config.js';
import type { FrontendDraft, PoolDraft } from './draft.js';
import type { ConfigLocation, IssueCollector } from './issue.js';
import { checkAddress, checkVppAddress, checkIntRange, checkName, missing } from './value-rules.js';
import { quoteSnippet } from './snippet.js';

export interface FrontendsResult {
  /** The frontends that resolved (all of them when there was no error). */
  readonly frontends: Map<string, Frontend>;
  /** Every backend name that any pool mentions, resolvable or not. */
  readonly referenced: Set<string>;
  /** For each backend family in use, the first frontend that uses it. */
  readonly families: Map<IpFamily, string>;
}

interface Scope {
  readonly f: IssueCollector;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly backendNames: ReadonlySet<string>;
  readonly referenced: Set<string>;
}

/** What one frontend's pools hold, while they are checked. */
interface PoolWalk {
  readonly poolOf: Map<string, string>;
  readonly byAddress: Map<string, string>;
  first: Backend | undefined;
}

function checkMembers(s: Scope, pool: PoolDraft, poolName: string, walk: PoolWalk): PoolMember[] {
  const out: PoolMember[] = [];
  for (const m of pool.backends?.value ?? []) {
    s.referenced.add(m.backend);
    checkIntRange(s.f, m.weight, 0, 100);
    if (!s.backendNames.has(m.backend)) {
      s.f.error(m.at, `unknown backend ${quoteSnippet(m.backend)}`);
      continue;
    }
    const otherPool = walk.poolOf.get(m.backend);
    if (otherPool !== undefined) {
      s.f.error(m.at, `backend ${quoteSnippet(m.backend)} is already in pool ${quoteSnippet(otherPool)} of this frontend`);
      continue;
    }
    walk.poolOf.set(m.backend, poolName);
    out.push({ backend: m.backend, weight: m.weight?.value ?? 100 });
    const b = s.backends.get(m.backend);
    if (b === undefined) continue;
    const sameAddress = walk.byAddress.get(b.address);
    if (walk.first !== undefined && b.family !== walk.first.family) {
      s.f.error(
        m.at,
        `backend ${quoteSnippet(b.name)} is IPv${b.family} but backend ${quoteSnippet(walk.first.name)} is IPv${walk.first.family}; ` +
          'all backends of a frontend must have one address family',
      );
    } else if (sameAddress !== undefined) {
      s.f.error(m.at, `backend ${quoteSnippet(b.name)} has the same address ${b.address} as backend ${quoteSnippet(sameAddress)} in this frontend`);
    }
    walk.first ??= b;
    walk.byAddress.set(b.address, b.name);
  }
  return out;
}

function checkPools(s: Scope, d: FrontendDraft): Pool[] {
  if (d.pools === undefined) missing(s.f, d.at, 'pools');
  else if (d.pools.value.length === 0) s.f.error(d.pools, 'must list at least one pool');
  const walk: PoolWalk = { poolOf: new Map(), byAddress: new Map(), first: undefined };
  const names = new Set<string>();
  return (d.pools?.value ?? []).map((pool, i) => {
    const name = pool.name?.value ?? `pools[${i}]`;
    if (pool.name === undefined) missing(s.f, pool.at, 'name');
    else if (checkName(s.f, 'pool', pool.name.value, pool.name) && names.has(name)) {
      s.f.error(pool.name, `duplicate pool name ${quoteSnippet(name)} in this frontend`);
    }
    names.add(name);
    if (pool.backends === undefined) missing(s.f, pool.at, 'backends');
    else if (pool.backends.value.length === 0) s.f.error(pool.backends, 'must list at least one backend');
    return { name, members: checkMembers(s, pool, name, walk) };
  });
}

interface Vip {
  readonly name: string;
  readonly at: ConfigLocation;
  readonly address: string;
  readonly protocol: FrontendProtocol;
  readonly port: number;
  readonly backendFamily: IpFamily | undefined;
}

/** §2.8 rules 6-8, each frontend against the frontends before it on the same address. */
function checkSharedAddresses(f: IssueCollector, vips: readonly Vip[]): void {
  vips.forEach((v, i) => {
    const other = vips.slice(0, i).filter((o) => o.address === v.address);
    const all = other.find((o) => o.protocol === 'any' || v.protocol === 'any');
    const same = other.find((o) => o.protocol === v.protocol && o.port === v.port);
    const mixed = other.find((o) => o.backendFamily !== undefined && v.backendFamily !== undefined && o.backendFamily !== v.backendFamily);
    if (all !== undefined) {
      f.error(v.at, `address ${v.address} is also used by frontend ${quoteSnippet(all.name)}; an all-port frontend (no protocol) must have its address to itself`);
    } else if (same !== undefined) {
      f.error(v.at, `frontend ${quoteSnippet(same.name)} already has address ${v.address}, protocol ${v.protocol} and port ${v.port}`);
    } else if (mixed !== undefined) {
      f.error(
        v.at,
        `frontend ${quoteSnippet(mixed.name)} shares address ${v.address} with IPv${mixed.backendFamily} backends, this one has IPv${v.backendFamily}; ` +
          'frontends on one address need backends of one family',
      );
    }
  });
}

/** Checks every frontend, given the drafted backend names and the backends that resolved. */
export function checkFrontends(
  f: IssueCollector,
  drafts: readonly FrontendDraft[],
  backends: ReadonlyMap<string, Backend>,
  backendNames: ReadonlySet<string>,
): FrontendsResult {
  const s: Scope = { f, backends, backendNames, referenced: new Set() };
  const frontends = new Map<string, Frontend>();
  const families = new Map<IpFamily, string>();
  const vips: Vip[] = [];
  for (const d of drafts) {
    checkName(f, 'frontend', d.name, d.at);
    if (d.address === undefined) missing(f, d.at, 'address');
    const family = checkVppAddress(f, d.address, checkAddress(f, d.address));
    const protocol = d.protocol?.value ?? 'any';
    if (d.protocol !== undefined) {
      if (d.port === undefined) missing(f, d.at, 'port');
      checkIntRange(f, d.port, 1, 65535);
    } else if (d.port !== undefined && d.port.value !== 0) {
      f.error(d.port, 'must be unset or 0 when protocol is unset (an all-port frontend)');
    }
    checkIntRange(f, d.panicThreshold, 0, 100);
    const pools = checkPools(s, d);
    const memberFamilies = pools.flatMap((p) => p.members.map((m) => backends.get(m.backend)?.family));
    for (const fam of memberFamilies) if (fam !== undefined && !families.has(fam)) families.set(fam, d.name);
    const backendFamily = memberFamilies.find((fam) => fam !== undefined);
    if (d.address === undefined || family === undefined) continue;
    const port = protocol === 'any' ? 0 : (d.port?.value ?? 0);
    vips.push({ name: d.name, at: d.address, address: d.address.value, protocol, port, backendFamily });
    frontends.set(d.name, {
      name: d.name,
      address: d.address.value,
      family,
      protocol,
      port,
      description: d.description?.value ?? '',
      srcIpSticky: d.srcIpSticky?.value ?? false,
      flushOnDown: d.flushOnDown?.value ?? true,
      panicThreshold: d.panicThreshold?.value ?? 0,
      pools,
    });
  }
  checkSharedAddresses(f, vips);
  return { frontends, referenced: s.referenced, families };
}
