// One maglevt probe of one VIP: an HTTP(S) GET of -uri, or a TCP connect,
// with one -timeout deadline over the whole exchange. Without -keepalive every probe opens a new
// connection (`agent: false`), so VPP's Maglev hash picks a backend afresh each time; with it, a
// per-VIP keep-alive agent holds one connection. node:http is plenty at maglevt's rates
// (≈ 9k new-connection GETs/s per core).

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ProbeSample } from './probe-sample.js';
import type { VipTarget } from './vip-target.js';

export interface ProbeSettings {
  readonly uri: string;
  /** Host header (and, through it, TLS SNI); undefined → the VIP address. */
  readonly host: string | undefined;
  /** Response header to report; undefined → none. */
  readonly header: string | undefined;
  readonly insecure: boolean;
  readonly keepalive: boolean;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

export interface VipProbe {
  /** Probes once; never rejects. */
  run(): Promise<ProbeSample>;
  /** Ends probes in flight (they resolve as errors) and drops kept-alive connections. */
  close(): void;
}

/** The default Host: the VIP address (IPv6 in brackets), plus `:port` unless it is the scheme's own. */
export function defaultHost(target: Pick<VipTarget, 'address' | 'port' | 'kind'>): string {
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  const standard = (target.kind === 'http' && target.port === 80) || (target.kind === 'https' && target.port === 443);
  return standard ? host : `${host}:${target.port}`;
}

function errorSample(e: unknown, latencyMs: number): ProbeSample {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : 'ERROR';
  const message = err instanceof Error ? err.message : String(e);
  return { type: 'error', latencyMs, code, message };
}

/** Settles a probe once: the first of answer, error and deadline wins. */
function deadline(timeoutMs: number, resolve: (s: ProbeSample) => void, onTimeout: () => void) {
  const started = performance.now();
  let settled = false;
  const elapsed = (): number => performance.now() - started;
  const finish = (s: ProbeSample): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    resolve(s);
  };
  const timer = setTimeout(() => {
    finish({ type: 'timeout', latencyMs: elapsed() });
    onTimeout();
  }, timeoutMs);
  return { elapsed, finish, fail: (e: unknown) => finish(errorSample(e, elapsed())) };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Ends one probe in flight: it resolves as an error and its connection is destroyed. */
type Cancel = () => void;

function stopped(): Error {
  return Object.assign(new Error('probe stopped'), { code: 'ESTOPPED' });
}

class HttpVipProbe implements VipProbe {
  readonly #inFlight = new Set<Cancel>();
  readonly #agent: http.Agent | undefined;
  readonly #hostHeader: string;

  readonly target: VipTarget;
  readonly settings: ProbeSettings;

  constructor(target: VipTarget, settings: ProbeSettings) {
    this.target = target;
    this.settings = settings;
    const secure = target.kind === 'https';
    this.#hostHeader = settings.host ?? defaultHost(target);
    if (settings.keepalive) {
      const options = { keepAlive: true, maxSockets: 1 };
      this.#agent = secure ? new https.Agent(options) : new http.Agent(options);
    }
  }

  run(): Promise<ProbeSample> {
    const { target, settings } = this;
    return new Promise((resolve) => {
      const request = target.kind === 'https' ? https.request : http.request;
      const req = request({
        hostname: target.address,
        port: target.port,
        path: settings.uri,
        method: 'GET',
        headers: { host: this.#hostHeader, 'user-agent': settings.userAgent, accept: '*/*' },
        agent: this.#agent ?? false,
        rejectUnauthorized: !settings.insecure,
      });
      const d = deadline(settings.timeoutMs, resolve, () => req.destroy());
      const cancel: Cancel = () => {
        d.fail(stopped());
        req.destroy();
      };
      this.#inFlight.add(cancel);
      req.on('close', () => this.#inFlight.delete(cancel));
      req.on('error', d.fail);
      req.on('response', (res) => {
        res.on('error', d.fail);
        res.on('aborted', () => d.fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          const header = settings.header === undefined ? undefined : headerValue(res.headers[settings.header.toLowerCase()]);
          d.finish({ type: 'http', latencyMs: d.elapsed(), status: res.statusCode ?? 0, header });
        });
        res.resume();
      });
      req.end();
    });
  }

  close(): void {
    for (const cancel of [...this.#inFlight]) cancel();
    this.#agent?.destroy();
  }
}

class TcpVipProbe implements VipProbe {
  readonly #inFlight = new Set<Cancel>();

  readonly target: VipTarget;
  readonly settings: ProbeSettings;

  constructor(target: VipTarget, settings: ProbeSettings) {
    this.target = target;
    this.settings = settings;
  }

  run(): Promise<ProbeSample> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.target.address, port: this.target.port });
      const d = deadline(this.settings.timeoutMs, resolve, () => socket.destroy());
      const cancel: Cancel = () => {
        d.fail(stopped());
        socket.destroy();
      };
      this.#inFlight.add(cancel);
      socket.on('close', () => this.#inFlight.delete(cancel));
      socket.on('error', d.fail);
      socket.once('connect', () => {
        d.finish({ type: 'tcp', latencyMs: d.elapsed() });
        socket.destroy();
      });
    });
  }

  close(): void {
    for (const cancel of [...this.#inFlight]) cancel();
  }
}

/** The prober of a target; `n/a` targets have none. */
export function createVipProbe(target: VipTarget, settings: ProbeSettings): VipProbe | undefined {
  switch (target.kind) {
    case 'http':
    case 'https':
      return new HttpVipProbe(target, settings);
    case 'tcp':
      return new TcpVipProbe(target, settings);
    case 'n/a':
      return undefined;
    default: {
      const exhaustive: never = target.kind;
      return exhaustive;
    }
  }
}
