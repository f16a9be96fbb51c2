// The HTTP listener on --metrics-addr: GET /metrics (Prometheus text format from the injected
// registry; gzip when the scraper accepts it, as Prometheus does: the text of a large fleet is
// megabytes, and compressing runs on libuv's thread pool, not the main thread) and GET /healthz
// (healthz.ts). Anything else is 404, other methods 405. /metrics is streamed (chunked) as it
// renders, so a large scrape never sits in memory whole.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Registry } from 'prom-client';
import { MetricsRegistry, type ScrapeSink } from './registry.js';
import type { MetricsSource } from './metrics.js';
import { healthz } from './healthz.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

export interface MetricsServerOptions {
  /** --metrics-addr as parsed by maglevd-options (host '' = every interface; port 0 picks one). */
  readonly addr: { readonly host: string; readonly port: number };
  readonly registry: Registry;
  readonly source: Pick<MetricsSource, 'vppStatus' | 'probeWatchdog'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Open connections at most (more are closed at once); default unlimited. */
  readonly maxConnections?: number;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A connection with nothing sent or received for this long is closed (Prometheus' scrape timeout is 10 s by default). */
const idleSocketMs = 60_000;

/** Listens; rejects with the listen error (maglevd exits 3). */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz') return reply(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return reply(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    if (path === '/metrics') return replyMetrics(req, res, opts.registry);
    const h = healthz(opts.source.vppStatus(), opts.source.probeWatchdog(), opts.clock.now());
    return reply(res, h.httpStatus, 'application/json', `${JSON.stringify(h.body)}\n`);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.logger.warn('metrics-error', { err: errorMessage(e) });
      if (!res.headersSent) reply(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  // Every connection costs a descriptor the probes need (fd-budget.ts).
  if (opts.maxConnections !== undefined) server.maxConnections = opts.maxConnections;
  // A scraper that stops reading holds its streamed render (a few blocks) until then.
  server.setTimeout(idleSocketMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`metrics listen on ${opts.addr.host}:${opts.addr.port}: ${errorMessage(e)}`, { cause: e })));
    server.listen(opts.addr.port, opts.addr.host === '' ? undefined : opts.addr.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  opts.logger.info('metrics-listen', { addr: `${opts.addr.host.includes(':') ? `[${opts.addr.host}]` : opts.addr.host}:${port}` });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function replyMetrics(req: IncomingMessage, res: ServerResponse, registry: Registry): Promise<void> {
  const accept = req.headers['accept-encoding'];
  const gzip = typeof accept === 'string' && /(^|[\s,])gzip\b(?!;\s*q=0(\.0*)?\b)/.test(accept);
  // Streamed (chunked) as it renders: the text of a large fleet is tens of megabytes, and held
  // whole until written it was most of the daemon's memory beyond its state.
  res.writeHead(200, { 'Content-Type': registry.contentType, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}), Vary: 'Accept-Encoding' });
  if (req.method === 'HEAD') return void res.end();
  const zip = gzip ? createGzip() : undefined;
  const out: Writable = zip ?? res;
  const sent = zip !== undefined ? pipeline(zip, res) : finished(res);
  // Settled here whatever happens, so a reader that went away is no unhandled rejection.
  const outcome = sent.then(
    () => undefined,
    (e: unknown) => e,
  );
  try {
    const sink = streamSink(out);
    if (registry instanceof MetricsRegistry) await registry.renderTo(sink);
    else sink.write(Buffer.from(await registry.metrics(), 'utf8'), () => undefined);
  } catch (e) {
    if (res.destroyed) return; // the scraper went away: nothing to answer
    throw e;
  }
  out.end();
  const err = await outcome;
  if (err !== undefined && !res.destroyed) throw err instanceof Error ? err : new Error(errorMessage(err));
}

/** A scrape sink over a writable stream: it is ready while the stream needs no drain. */
function streamSink(out: Writable): ScrapeSink {
  return {
    write: (chunk, written) =>
      void out.write(chunk, (err) => {
        // After an error a pending write may still read the chunk: it is not reused.
        if (err == null) written();
      }),
    ready: () => {
      if (out.destroyed) return Promise.reject(new Error('the scraper went away'));
      if (!out.writableNeedDrain) return undefined;
      return new Promise<void>((resolve, reject) => {
        const settle = (): void => {
          out.off('drain', settle);
          out.off('close', settle);
          if (out.destroyed) reject(new Error('the scraper went away'));
          else resolve();
        };
        out.on('drain', settle);
        out.on('close', settle);
      });
    },
  };
}

function reply(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
