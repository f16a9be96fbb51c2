// HTTP basic auth for /admin/: credentials from MAGLEV_FRONTEND_USER and
// MAGLEV_FRONTEND_PASSWORD, compared in constant time. Both sides are hashed to SHA-256 first so
// that timingSafeEqual always sees equal lengths and the time does not depend on where, or
// whether, the strings differ; user and password are both compared before the verdict.
// When either variable is unset (or empty) the admin side is disabled: 403 `admin disabled`.

import { createHash, timingSafeEqual } from 'node:crypto';

export interface AdminCredentials {
  readonly user: string;
  readonly password: string;
}

export type AuthVerdict =
  | { readonly ok: true; readonly user: string }
  /** 401 with a WWW-Authenticate challenge. */
  | { readonly ok: false; readonly status: 401; readonly error: string }
  /** 403: no credentials configured. */
  | { readonly ok: false; readonly status: 403; readonly error: string };

export const adminRealm = 'maglev admin';

/** Credentials from the environment; undefined disables /admin/. */
export function adminCredentialsFromEnv(env: Readonly<Record<string, string | undefined>>): AdminCredentials | undefined {
  const user = env.MAGLEV_FRONTEND_USER ?? '';
  const password = env.MAGLEV_FRONTEND_PASSWORD ?? '';
  return user === '' || password === '' ? undefined : { user, password };
}

/** user and password from an `Authorization: Basic …` header; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): AdminCredentials | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header);
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time equality of two strings of any lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function checkAdminAuth(expected: AdminCredentials | undefined, header: string | undefined): AuthVerdict {
  if (expected === undefined) return { ok: false, status: 403, error: 'admin disabled' };
  const given = parseBasicAuth(header);
  if (given === undefined) return { ok: false, status: 401, error: 'authentication required' };
  // Both comparisons always run: `&&` would skip the password when the user differs.
  const userOk = constantTimeEqual(given.user, expected.user);
  const passwordOk = constantTimeEqual(given.password, expected.password);
  return userOk && passwordOk ? { ok: true, user: given.user } : { ok: false, status: 401, error: 'invalid credentials' };
}

/** The challenge header value for 401 answers. */
export function basicAuthChallenge(): string {
  return `Basic realm="${adminRealm}", charset="UTF-8"`;
}
