// The ICMP sockets of one thread: one per (family, source address), opened on first use through
// the native addon (a ping socket when ping_group_range allows, else raw) and shared by every
// ICMP probe of the thread. Replies are demultiplexed by sequence number and payload nonce (a
// ping socket's identifier is the kernel's), and for raw sockets by our identifier too.

import { threadId } from 'node:worker_threads';
import { canonicalIp } from '../../shared/ip-address.js';
import { loadNative, type NativeAddon } from '../../shared/native.js';
import { decodeIcmp, encodeEchoRequest } from './icmp-packet.js';

/** What a waiting probe hears: a matching reply, or a destination-unreachable quoting its request. */
export type EchoOutcome = { readonly kind: 'reply' } | { readonly kind: 'unreachable'; readonly code: number; readonly from: string };

interface Waiter {
  readonly address: string;
  readonly nonce: bigint;
  readonly settle: (outcome: EchoOutcome) => void;
}

const recvBuffer = Buffer.alloc(2048);

/** One ICMP socket and the probes waiting on it. */
export class IcmpSocket {
  readonly family: 4 | 6;
  readonly raw: boolean;
  readonly #native: NativeAddon;
  readonly #fd: number;
  readonly #watch: number;
  /** Our identifier; only raw sockets keep it (the kernel rewrites it on ping sockets). */
  readonly #id = (process.pid * 31 + threadId * 7919) & 0xffff;
  readonly #waiters = new Map<number, Waiter>();
  #seq = Math.floor(Math.random() * 0x10000);

  constructor(native: NativeAddon, family: 4 | 6, sourceAddress: string | undefined) {
    this.#native = native;
    this.family = family;
    const { fd, raw } = native.openIcmpSocket(family);
    this.raw = raw;
    this.#fd = fd;
    try {
      if (sourceAddress !== undefined) native.bindAddress(fd, family, sourceAddress);
      this.#watch = native.watchReadable(fd, () => this.#drain());
    } catch (e) {
      native.closeFd(fd);
      throw e;
    }
  }

  /** Sends one echo request; returns its sequence number (for forget). Throws the native sendto error. */
  send(address: string, settle: (outcome: EchoOutcome) => void): number {
    let seq = this.#seq;
    for (let i = 0; i < 0x10000 && this.#waiters.has(seq); i++) seq = (seq + 1) & 0xffff;
    this.#seq = (seq + 1) & 0xffff;
    const nonce = (BigInt((Math.random() * 0x100000000) >>> 0) << 32n) | BigInt((Math.random() * 0x100000000) >>> 0);
    this.#native.sendTo(this.#fd, encodeEchoRequest(this.family, this.#id, seq, Date.now(), nonce), address);
    this.#waiters.set(seq, { address, nonce, settle });
    return seq;
  }

  forget(seq: number): void {
    this.#waiters.delete(seq);
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  close(): void {
    this.#native.unwatch(this.#watch);
    this.#native.closeFd(this.#fd);
    this.#waiters.clear();
  }

  #drain(): void {
    for (;;) {
      let got: { bytes: number; address: string } | null;
      try {
        got = this.#native.recvFrom(this.#fd, recvBuffer);
      } catch {
        // A ping socket reports an ICMP error as a one-shot socket error that names no request:
        // nothing to attribute it to, so the waiting probe runs into its deadline. The poll is
        // level-triggered: anything still queued calls #drain again.
        return;
      }
      if (got === null) return;
      this.#deliver(got.address, recvBuffer.subarray(0, got.bytes));
    }
  }

  #deliver(from: string, packet: Buffer): void {
    const msg = decodeIcmp(this.family, this.raw && this.family === 4, packet);
    if (msg === undefined || (this.raw && msg.id !== this.#id)) return;
    const w = this.#waiters.get(msg.seq);
    if (w === undefined) return;
    if (msg.type === 'reply') {
      if (msg.nonce !== w.nonce || !sameAddress(from, w.address)) return;
      this.#waiters.delete(msg.seq);
      w.settle({ kind: 'reply' });
    } else {
      if (!sameAddress(msg.quotedDestination, w.address)) return;
      this.#waiters.delete(msg.seq);
      w.settle({ kind: 'unreachable', code: msg.code, from });
    }
  }
}

function sameAddress(a: string, canonical: string): boolean {
  if (a === canonical) return true;
  try {
    return canonicalIp(a) === canonical;
  } catch {
    return false;
  }
}

/** The sockets of one thread, keyed by family and source address. */
export class IcmpSockets {
  readonly #sockets = new Map<string, IcmpSocket>();
  readonly #load: () => NativeAddon;

  constructor(load: () => NativeAddon = loadNative) {
    this.#load = load;
  }

  /** The shared socket; throws (native or NATIVE DaemonError) when it cannot be opened. */
  socketFor(family: 4 | 6, sourceAddress: string | undefined): IcmpSocket {
    const key = `${family}|${sourceAddress ?? ''}`;
    let s = this.#sockets.get(key);
    if (s === undefined) {
      s = new IcmpSocket(this.#load(), family, sourceAddress);
      this.#sockets.set(key, s);
    }
    return s;
  }

  close(): void {
    for (const s of this.#sockets.values()) s.close();
    this.#sockets.clear();
  }
}
