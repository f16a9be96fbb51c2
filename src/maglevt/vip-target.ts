// The VIPs maglevt probes: every frontend of every config, narrowed by the
// -filter regexp, each with its probe kind. The kind rule is ours: a TCP VIP on an HTTPS port
// (default 443) gets an HTTPS GET, on an HTTP port (default 80) an HTTP GET, on any other port a
// TCP connect; all-port and UDP VIPs cannot be probed this way and show `n/a`. Pure.

import type { Config, Frontend, FrontendProtocol } from '../shared/config.js';

export type ProbeKind = 'http' | 'https' | 'tcp' | 'n/a';

export interface VipTarget {
  /** The frontend name. */
  readonly name: string;
  readonly address: string;
  readonly protocol: FrontendProtocol;
  /** 0 for all-port VIPs. */
  readonly port: number;
  readonly kind: ProbeKind;
}

export interface ProbePorts {
  readonly http: readonly number[];
  readonly https: readonly number[];
}

export const defaultProbePorts: ProbePorts = { http: [80], https: [443] };

export function probeKind(protocol: FrontendProtocol, port: number, ports: ProbePorts): ProbeKind {
  if (protocol !== 'tcp' || port === 0) return 'n/a';
  if (ports.https.includes(port)) return 'https';
  if (ports.http.includes(port)) return 'http';
  return 'tcp';
}

/** `192.0.2.1:80`, `[2001:db8::1]:443`, `192.0.2.9:*` (all ports); with `/udp` for UDP VIPs. */
export function vipLabel(t: Pick<VipTarget, 'address' | 'protocol' | 'port'>): string {
  const host = t.address.includes(':') ? `[${t.address}]` : t.address;
  const port = t.port === 0 ? '*' : String(t.port);
  return `${host}:${port}${t.protocol === 'udp' ? '/udp' : ''}`;
}

function toTarget(f: Frontend, ports: ProbePorts): VipTarget {
  return { name: f.name, address: f.address, protocol: f.protocol, port: f.port, kind: probeKind(f.protocol, f.port, ports) };
}

/**
 * The frontends of all configs in config and YAML order whose name matches `filter` (searched,
 * not anchored, like Go's MatchString). A frontend that appears identically in several configs
 * (two maglevd sharing VIPs) is listed once.
 */
export function selectTargets(configs: readonly Config[], filter: RegExp | undefined, ports: ProbePorts): VipTarget[] {
  const seen = new Set<string>();
  const out: VipTarget[] = [];
  for (const config of configs) {
    for (const f of config.frontends.values()) {
      if (filter !== undefined && !filter.test(f.name)) continue;
      const key = `${f.name} ${vipLabel(f)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(toTarget(f, ports));
    }
  }
  return out;
}
