// The dashboard's Host/Origin allow-list (docs/security.md §4): a DNS-rebinding page reaches the
// listener under the attacker's host name, so a request whose Host (or Origin) names a host we do
// not serve is refused: 421 for Host, 403 for Origin. IP literals are always allowed (rebinding
// needs a name), as are localhost, the listen host and the names given to -allowed-hosts. Pure.

import { isIP } from 'node:net';

export interface HostAllowList {
  /** Lower-case host names (no port). */
  readonly names: ReadonlySet<string>;
}

/** The default names plus the listen host and the operator's extra names. */
export function hostAllowList(listenHost: string, extra: readonly string[]): HostAllowList {
  const names = new Set(['localhost', ...extra.map((n) => n.toLowerCase())]);
  if (listenHost !== '' && isIP(listenHost) === 0) names.add(listenHost.toLowerCase());
  return { names };
}

/** The host part of a Host header value or URL authority: brackets and port removed, lower case. */
export function hostOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']') < 0 ? undefined : a.indexOf(']'));
  const colon = a.lastIndexOf(':');
  return colon < 0 || a.indexOf(':') !== colon ? a : a.slice(0, colon);
}

export function hostAllowed(list: HostAllowList, host: string): boolean {
  return isIP(host) !== 0 || list.names.has(host) || host.endsWith('.localhost');
}

export type HostVerdict = { readonly ok: true } | { readonly ok: false; readonly status: 421 | 403; readonly error: string; readonly host: string };

/** Checks Host (required) and Origin (when present, unless `null`). */
export function checkHostHeaders(list: HostAllowList, host: string | undefined, origin: string | undefined): HostVerdict {
  const h = hostOf(host ?? '');
  if (!hostAllowed(list, h)) return { ok: false, status: 421, error: 'unknown host: start maglevd-frontend with -allowed-hosts to serve it', host: h };
  if (origin === undefined || origin === 'null') return { ok: true };
  let o: string;
  try {
    o = hostOf(new URL(origin).host);
  } catch {
    return { ok: false, status: 403, error: 'malformed Origin', host: '' };
  }
  return hostAllowed(list, o) ? { ok: true } : { ok: false, status: 403, error: 'cross-site request refused: Origin names a host this dashboard does not serve', host: o };
}
