// The thread's native prober (native/probe-engine.c): plain tcp and http probes on this thread's
// own libuv loop, for a fraction of what a probe through net.Socket costs. It takes the targets
// it can run (no TLS, literal addresses of the spec's family); the JS probers take the rest
// (https, tcp with ssl, icmp). Results go straight from C into the shard's result ring, which
// the main thread reads when it polls; only when the ring is full does JS step in, to flush
// again a little later. The response-regexp of an http check (RE2 syntax, re2js) runs here, in
// JS, on the body the C reader hands over.

import { isIP } from 'node:net';
import { loadNative, type NativeAddon } from '../../shared/native.js';
import type { ProbeSpec } from '../../shared/probe-messages.js';
import { compileResponseRegexp, type ResponseRegexp } from '../../shared/response-regexp.js';
import { httpRequestBytes } from './http-request.js';

/** Whether the native prober can run probes of this spec exactly as the JS prober would. */
export function nativeEligible(spec: ProbeSpec): boolean {
  // The engine opens a connection per probe; reuse-connection checks keep theirs in JS (http-keep-alive.ts).
  if (spec.kind === 'icmp' || spec.kind === 'agent' || spec.tls !== undefined || (spec.kind === 'http' && spec.reuseConnection === true)) return false;
  if (isIP(spec.address) !== spec.family) return false;
  return spec.sourceAddress === undefined || isIP(spec.sourceAddress) === spec.family;
}

/** How long results that did not fit the ring wait before the next try. */
const retryMs = 5;

export class NativeProber {
  readonly #native: NativeAddon;
  readonly #regexps = new Map<number, ResponseRegexp>();
  #retry: NodeJS.Timeout | undefined;

  /** Opens this thread's native prober (one at a time per thread) on a result ring; throws when the addon is missing. */
  constructor(ring: SharedArrayBuffer) {
    this.#native = loadNative();
    this.#native.probeOpen(
      () => this.#scheduleFlush(),
      (targetId, body) => this.#regexps.get(targetId)?.test(body.toString('utf8')) === true,
      new Uint8Array(ring),
    );
  }

  /** Takes a target (replacing one of the same id); false when it is not for the native prober. */
  register(targetId: number, spec: ProbeSpec): boolean {
    this.unregister(targetId);
    if (!nativeEligible(spec) || spec.kind === 'icmp') return false;
    const http = spec.kind === 'http';
    const request = http ? httpRequestBytes(spec.path, spec.host) : undefined;
    const wantBody = http && spec.responseRegexp !== undefined;
    if (wantBody) {
      // RE2 syntax, matched in linear time (response-regexp.ts); a pattern RE2 refuses (the
      // config check refuses it first) is left to the JS prober, which reports it.
      let regexp: ResponseRegexp;
      try {
        regexp = compileResponseRegexp(spec.responseRegexp ?? '');
      } catch {
        return false;
      }
      this.#regexps.set(targetId, regexp);
    }
    const taken = this.#native.probeRegister(
      targetId,
      http ? 1 : 0,
      spec.family,
      spec.address,
      spec.port,
      spec.sourceAddress ?? null,
      spec.timeoutMs,
      request ?? null,
      http ? spec.codeMin : 0,
      http ? spec.codeMax : 0,
      wantBody,
    );
    if (!taken) this.#regexps.delete(targetId);
    return taken;
  }

  unregister(targetId: number): void {
    this.#native.probeUnregister(targetId);
    this.#regexps.delete(targetId);
  }

  /**
   * Starts the probes of the first `count` (probeId, targetId) pairs whose target it has; the
   * others are moved to the front of `pairs`. Returns how many are left there for JS.
   */
  start(pairs: Uint32Array, count: number): number {
    return this.#native.probeStart(pairs, count);
  }

  /** Cancels a probe in flight; false when it has none by that id (finished, or not native). */
  cancel(probeId: number, targetId: number): boolean {
    return this.#native.probeCancel(probeId, targetId);
  }

  /** Aborts the probes in flight (no results) and closes the prober. */
  close(): void {
    clearTimeout(this.#retry);
    this.#native.probeClose();
    this.#regexps.clear();
  }

  #scheduleFlush(): void {
    this.#retry ??= setTimeout(() => {
      this.#retry = undefined;
      if (this.#native.probeFlush() > 0) this.#scheduleFlush();
    }, retryMs);
  }
}
