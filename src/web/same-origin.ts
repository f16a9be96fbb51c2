// Cross-site request protection for the admin POSTs. Basic-auth credentials are cached by the
// browser and sent with any request to this origin, so a page elsewhere could otherwise make an
// operator's browser drain a backend. A mutating request must prove it comes from our own page:
// a same-origin `Origin` (or `Sec-Fetch-Site: same-origin`) and a JSON content type, which an
// HTML form cannot send without a CORS preflight. Pure: headers in, verdict out.

export interface OriginHeaders {
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  readonly contentType: string | undefined;
}

export type OriginVerdict = { readonly ok: true } | { readonly ok: false; readonly error: string };

function isJsonContentType(ct: string | undefined): boolean {
  if (ct === undefined) return false;
  const type = ct.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

/** The host[:port] of an Origin header; undefined for `null` or anything unparsable. */
function originHost(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host : undefined;
  } catch {
    return undefined;
  }
}

export function checkSameOrigin(h: OriginHeaders): OriginVerdict {
  if (!isJsonContentType(h.contentType)) return { ok: false, error: 'cross-site request refused: content type must be application/json' };
  // A Sec-Fetch-Site other than same-origin is decisive, whatever Origin says.
  if (h.secFetchSite !== undefined && h.secFetchSite !== 'same-origin') {
    return { ok: false, error: `cross-site request refused: Sec-Fetch-Site ${h.secFetchSite}` };
  }
  if (h.origin !== undefined) {
    const host = originHost(h.origin);
    if (host === undefined || h.host === undefined || host.toLowerCase() !== h.host.toLowerCase()) {
      return { ok: false, error: `cross-site request refused: origin ${h.origin}` };
    }
    return { ok: true };
  }
  if (h.secFetchSite === 'same-origin') return { ok: true };
  return { ok: false, error: 'cross-site request refused: no Origin or Sec-Fetch-Site header' };
}
