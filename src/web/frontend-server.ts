// The dashboard's HTTP server (§10.1 route table): the SPA and read-only JSON/SSE API under
// /view/ (no auth), the same SPA plus the event log stream, the mutating actions and their
// previews under /admin/ (basic auth), /healthz, /metrics (the cross-host consistency gauges)
// and /favicon.ico. No compression anywhere, so SSE passes proxies unbuffered. Shutdown ends
// every SSE stream, then closes the listener.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { serveAdminAction } from './admin-api.js';
import { basicAuthChallenge, checkAdminAuth, type AdminCredentials } from './basic-auth.js';
import type { EventBroker } from './event-broker.js';
import { faviconSvg } from './favicon.js';
import { HttpError } from './http-error.js';
import { sendError, sendJson } from './http-reply.js';
import type { Scope } from './scope.js';
import type { VipConsistency } from './consistency-monitor.js';
import { notBuiltPage, type SpaAssets } from './spa-assets.js';
import { lastEventIdOf, openSseStream, type SseStream } from './sse-stream.js';
import { checkHostHeaders, hostAllowList } from './host-allow-list.js';
import { LoginBackoff } from './login-backoff.js';

export interface BuildVersion {
  readonly version: string;
  readonly commit: string;
  readonly date: string;
}

export interface FrontendServerOptions {
  /** host '' = every interface; port 0 picks one. */
  readonly listen: { readonly host: string; readonly port: number };
  readonly scopes: readonly Scope[];
  readonly broker: EventBroker;
  /** The cross-host comparison, served on /view/api/consistency. */
  readonly consistency: { readonly report: readonly VipConsistency[] };
  /** Served on /metrics. */
  readonly registry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** undefined: /admin/ answers 403 `admin disabled`. */
  readonly admin: AdminCredentials | undefined;
  readonly assets: SpaAssets;
  readonly version: BuildVersion;
  /** SSE keep-alive comment interval (default 15 s). */
  readonly pingMs?: number;
  /** Request limits; each one left out takes its default (defaultFrontendLimits). */
  readonly limits?: Partial<FrontendLimits>;
}

/** The dashboard's request limits (docs/security.md §4; maglevd-frontend flags). */
export interface FrontendLimits {
  /** Open SSE streams at most (-sse-max-streams); one more gets 503. */
  readonly maxStreams: number;
  /** Open SSE streams per client address at most (-sse-max-streams-per-client). */
  readonly maxStreamsPerClient: number;
  /** Host names served besides IP literals, localhost and the listen host (-allowed-hosts). */
  readonly allowedHosts: readonly string[];
  /** Failed logins per address before the lockouts start. */
  readonly freeLoginFailures: number;
}

export const defaultFrontendLimits: FrontendLimits = { maxStreams: 256, maxStreamsPerClient: 8, allowedHosts: [], freeLoginFailures: 5 };

export interface FrontendServer {
  readonly port: number;
  /** Open SSE streams. */
  readonly streams: number;
  close(): Promise<void>;
}

type Area = 'view' | 'admin';

function pathSegments(path: string): string[] {
  try {
    return path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(400, 'malformed path');
  }
}

export async function startFrontendServer(o: FrontendServerOptions): Promise<FrontendServer> {
  const limits = { ...defaultFrontendLimits, ...o.limits };
  const allowList = hostAllowList(o.listen.host, limits.allowedHosts);
  const logins = new LoginBackoff({ clock: o.clock, freeFailures: limits.freeLoginFailures });
  const streams = new Set<SseStream>();
  const streamsByClient = new Map<string, number>();
  const byName = new Map(o.scopes.map((s) => [s.name, s]));
  const scopeOf = (name: string): Scope => {
    const s = byName.get(name);
    if (s === undefined) throw new HttpError(404, `maglevd "${name}" not found`);
    return s;
  };
  const get = (req: IncomingMessage): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed: use GET');
  };

  async function serveSpa(res: ServerResponse, rel: string): Promise<void> {
    const asset = await o.assets.get(rel === '' ? 'index.html' : rel);
    if (asset === undefined) {
      if (rel !== '') throw new HttpError(404, 'not found');
      res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(notBuiltPage(o.assets.dir));
      return;
    }
    res.writeHead(200, {
      'Content-Type': asset.contentType,
      'Content-Length': asset.body.length,
      'Cache-Control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(asset.body);
  }

  function serveEvents(req: IncomingMessage, res: ServerResponse, url: URL, area: Area): void {
    const client = req.socket.remoteAddress ?? '';
    const mine = streamsByClient.get(client) ?? 0;
    if (streams.size >= limits.maxStreams || mine >= limits.maxStreamsPerClient) {
      const global = streams.size >= limits.maxStreams;
      o.logger.warn('sse-refused', { remote: client, reason: global ? `at most ${limits.maxStreams} streams` : `at most ${limits.maxStreamsPerClient} streams per client`, open: global ? streams.size : mine });
      throw new HttpError(503, 'too many event streams');
    }
    const stream = openSseStream({ req, res, broker: o.broker, admin: area === 'admin', clock: o.clock, ...(o.pingMs === undefined ? {} : { pingMs: o.pingMs }) }, lastEventIdOf(req, url));
    streams.add(stream);
    streamsByClient.set(client, mine + 1);
    void stream.closed.then(() => {
      streams.delete(stream);
      const left = (streamsByClient.get(client) ?? 1) - 1;
      if (left > 0) streamsByClient.set(client, left);
      else streamsByClient.delete(client);
    });
  }

  /** Basic auth with a per-address backoff: failures are logged, repeated ones locked out (429). */
  function adminAuth(req: IncomingMessage, res: ServerResponse): { ok: true; user: string } | { ok: false } {
    const client = req.socket.remoteAddress ?? '';
    const waitMs = logins.lockedFor(client);
    if (waitMs > 0) {
      sendJson(res, 429, { error: 'too many failed logins; try again later' }, { 'Retry-After': String(Math.ceil(waitMs / 1000)) });
      return { ok: false };
    }
    const auth = checkAdminAuth(o.admin, req.headers.authorization);
    if (auth.ok) {
      logins.succeeded(client);
      return auth;
    }
    if (auth.status === 401 && auth.error === 'invalid credentials') {
      const { failures, lockMs } = logins.failed(client);
      o.logger.warn('admin-login-failed', { remote: client, failures, lock_ms: lockMs });
    }
    sendJson(res, auth.status, { error: auth.error }, auth.status === 401 ? { 'WWW-Authenticate': basicAuthChallenge() } : {});
    return { ok: false };
  }

  /** Routes shared by both areas: the SPA, its assets and the event stream. */
  async function serveArea(req: IncomingMessage, res: ServerResponse, url: URL, area: Area, segs: readonly string[]): Promise<boolean> {
    if (segs.length === 0 || segs[0] === 'assets' || (segs.length === 1 && segs[0] === 'index.html')) {
      get(req);
      await serveSpa(res, segs.join('/'));
      return true;
    }
    if (segs[0] === 'api' && segs[1] === 'events' && segs.length === 2) {
      get(req);
      serveEvents(req, res, url, area);
      return true;
    }
    return false;
  }

  function serveViewApi(req: IncomingMessage, res: ServerResponse, segs: readonly string[]): boolean {
    const [api, what, name, ...rest] = segs;
    if (api !== 'api' || rest.length > 0) return false;
    if (what === 'state' && name === undefined) {
      get(req);
      sendJson(res, 200, { maglevds: o.scopes.map((s) => s.state.snapshot()) });
    } else if (what === 'consistency' && name === undefined) {
      get(req);
      sendJson(res, 200, { vips: o.consistency.report });
    } else if (what === 'state' && name !== undefined) {
      get(req);
      sendJson(res, 200, scopeOf(name).state.snapshot());
    } else if (what === 'maglevds' && name === undefined) {
      get(req);
      sendJson(res, 200, o.scopes.map((s) => ({ name: s.name, reachable: s.state.reachable })));
    } else if (what === 'version' && name === undefined) {
      get(req);
      sendJson(res, 200, o.version);
    } else {
      return false;
    }
    return true;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    if (path === '/healthz') {
      get(req);
      return sendJson(res, 200, { status: 'ok' });
    }
    const host = checkHostHeaders(allowList, req.headers.host, req.headers.origin);
    if (!host.ok) {
      o.logger.warn('host-refused', { remote: req.socket.remoteAddress, host: host.host.slice(0, 64), status: host.status });
      return sendJson(res, host.status, { error: host.error });
    }
    if (path === '/metrics') {
      get(req);
      const body = await o.registry.metrics();
      res.writeHead(200, { 'Content-Type': o.registry.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/favicon.ico') {
      get(req);
      res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400' });
      res.end(faviconSvg);
      return;
    }
    if (path === '/' || path === '/view' || path === '/admin') {
      res.writeHead(302, { Location: path === '/admin' ? '/admin/' : '/view/' });
      res.end();
      return;
    }
    const segs = pathSegments(path);
    if (segs[0] === 'view') {
      const rest = segs.slice(1);
      if ((await serveArea(req, res, url, 'view', rest)) || serveViewApi(req, res, rest)) return;
    } else if (segs[0] === 'admin') {
      const auth = adminAuth(req, res);
      if (!auth.ok) return;
      const rest = segs.slice(1);
      if (await serveArea(req, res, url, 'admin', rest)) return;
      if (rest[0] === 'api' && (await serveAdminAction({ scope: (n) => byName.get(n), logger: o.logger }, req, res, rest.slice(1), auth.user))) return;
    }
    throw new HttpError(404, 'not found');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!(e instanceof HttpError)) o.logger.warn('http-error', { path: req.url, err: errorMessage(e) });
      sendError(res, e, e instanceof HttpError && e.status === 405 ? { Allow: 'GET, HEAD' } : {});
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listen.port, o.listen.host === '' ? undefined : o.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  o.logger.info('http-listen', { addr: `${o.listen.host.includes(':') ? `[${o.listen.host}]` : o.listen.host}:${port}` });

  let closing: Promise<void> | undefined;
  return {
    port,
    get streams() {
      return streams.size;
    },
    close() {
      closing ??= (async () => {
        for (const s of streams) s.close();
        const force = o.clock.setTimeout(() => server.closeAllConnections(), 2000);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        o.clock.clearTimeout(force);
      })();
      return closing;
    },
  };
}
