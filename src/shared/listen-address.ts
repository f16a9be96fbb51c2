// A TCP listen address as the daemons take it on the command line (`host:port`, `:port` or
// `[v6]:port`): shared by maglevd's flags and the dashboard's.

import { ipFamily } from './ip-address.js';

/** A TCP listen address; host '' means every interface. */
export interface ListenAddress {
  /** As given, e.g. `:9090` or `[::1]:9090`. */
  readonly text: string;
  /** Without brackets: '', an IPv4 or IPv6 literal, or a host name. */
  readonly host: string;
  readonly port: number;
}

const hostName = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

/** Parses `host:port`, `:port` or `[v6]:port` (port 0..65535); undefined when malformed. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(text);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const [, v6, host = ''] = m;
  if (v6 !== undefined) return ipFamily(v6) === 6 ? { text, host: v6, port } : undefined;
  if (host === '' || ipFamily(host) === 4 || hostName.test(host)) return { text, host, port };
  return undefined;
}
