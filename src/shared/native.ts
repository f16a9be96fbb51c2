// Typed, lazy loader for the one native addon (native/maglev_native.c, built by node-gyp into
// build/Release/maglev_native.node). It holds the syscalls Node lacks: setns per thread, ICMP
// sockets, SEQPACKET fd passing, memfd and the descriptor limit; and the native tcp/http prober.
// Loaded on first use, once per thread; the path is the same from src/ (tsx) and dist/ because
// both sit two levels below the package root.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DaemonError, errorMessage } from './errors.js';

/**
 * A failed native call: `code` is the errno name ('EPERM'), `message` the strerror text with a
 * lowercase first letter ('operation not permitted'), `syscall` the failing call.
 */
export interface NativeError extends Error {
  readonly code: string;
  readonly syscall?: string;
}

export interface NativeAddon {
  /** Moves the calling thread (only) into the network namespace at `path` (setns CLONE_NEWNET). */
  setnsNet(path: string): void;
  /**
   * An ICMP (4) or ICMPv6 (6) socket, non-blocking and close-on-exec: an unprivileged ping socket
   * (SOCK_DGRAM) when net.ipv4.ping_group_range allows it, else SOCK_RAW (`raw: true`), which
   * is filtered to echo replies and destination-unreachable messages.
   */
  openIcmpSocket(family: 4 | 6): { fd: number; raw: boolean };
  /** bind() to a literal source address (port 0). */
  bindAddress(fd: number, family: 4 | 6, address: string): void;
  /** sendto() a literal address (port 0), non-blocking; returns bytes sent. */
  sendTo(fd: number, data: Uint8Array, address: string): number;
  /** recvfrom() one datagram into `buf`, non-blocking; null when none is queued. */
  recvFrom(fd: number, buf: Uint8Array): { bytes: number; address: string } | null;
  /**
   * Calls onReadable() on this thread's event loop whenever fd is readable; returns an id. A
   * watcher still live when its thread tears down is closed with its fd.
   */
  watchReadable(fd: number, onReadable: () => void): number;
  /** Stops a watcher (unknown ids are ignored). Call before closing its fd. */
  unwatch(id: number): void;
  /** Blocking: connect to a SEQPACKET socket, receive one SCM_RIGHTS fd within timeoutMs, close. */
  recvFd(socketPath: string, timeoutMs: number): number;
  /** Non-blocking connect to a SEQPACKET socket; returns the socket fd (pair with tryRecvFd). */
  connectSeqpacket(socketPath: string): number;
  /** Non-blocking receive of one SCM_RIGHTS fd; -1 when nothing has arrived yet. */
  tryRecvFd(socketFd: number): number;
  /** A non-blocking SEQPACKET listener at path (a stale file there is unlinked first). */
  listenSeqpacket(path: string): number;
  /** Accepts one pending client, sends it fdToSend (empty message + SCM_RIGHTS), closes it: 1; none pending: 0. */
  acceptSendFd(listenFd: number, fdToSend: number): number;
  /**
   * Opens this thread's native prober (native/probe-engine.c) on this thread's event loop. It
   * writes result records into `ring` (a view of a result ring, src/shared/probe-batch.ts);
   * onReady() when some did not fit (call probeFlush() later), onBody(targetId, body) for a
   * target that wants its body, answering whether it matched.
   */
  probeOpen(onReady: () => void, onBody: (targetId: number, body: Buffer) => boolean, ring: Uint8Array): void;
  /** Aborts the probes in flight (no records) and closes the native prober. */
  probeClose(): void;
  /** Takes a plain tcp (kind 0) or http (1) target; false when it cannot (bad address, id ≥ 2^24). */
  probeRegister(
    targetId: number,
    kind: 0 | 1,
    family: 4 | 6,
    address: string,
    port: number,
    source: string | null,
    timeoutMs: number,
    request: Uint8Array | null,
    codeMin: number,
    codeMax: number,
    wantBody: boolean,
  ): boolean;
  probeUnregister(targetId: number): void;
  /** Starts the (probeId, targetId) pairs of known targets; moves the others to the front and returns their count. */
  probeStart(pairs: Uint32Array, count: number): number;
  probeCancel(probeId: number, targetId: number): boolean;
  /** Moves waiting result records into the ring; returns how many still wait (the ring is full). */
  probeFlush(): number;
  /** [probes in flight, probes started since open, records waiting]. */
  probeStats(): [number, number, number];
  /**
   * Test face of the C response reader: feeds the chunks like the prober does; returns [kind
   * (0 more, 1 head, 2 body, 3 invalid), error detail kind, head status, body].
   */
  readHttpResponse(chunks: readonly Uint8Array[], wantBody: boolean, eof: boolean): [number, number, number, Buffer?];
  memfdCreate(name: string): number;
  ftruncate(fd: number, size: number): void;
  fstatSize(fd: number): number;
  closeFd(fd: number): void;
  /** getrlimit(RLIMIT_NOFILE); RLIM_INFINITY is Infinity. */
  getNofileLimit(): { soft: number; hard: number };
  /** setrlimit(RLIMIT_NOFILE) with this soft limit, the hard one kept (raising past it: EPERM/EINVAL). */
  setNofileLimit(soft: number): void;
}

const addonUrl = new URL('../../build/Release/maglev_native.node', import.meta.url);
let cached: NativeAddon | undefined;

/** The addon, loaded on first call; throws DaemonError('NATIVE') when it is not built. */
export function loadNative(): NativeAddon {
  if (cached !== undefined) return cached;
  const path = fileURLToPath(addonUrl);
  try {
    cached = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (e) {
    throw new DaemonError('NATIVE', `native addon ${path} cannot be loaded (run npm ci or node native/build.mjs): ${errorMessage(e).split('\n')[0]}`, {
      cause: e,
    });
  }
  return cached;
}

/** True for an error thrown by the addon (it carries an errno name as `code`). */
export function isNativeError(e: unknown): e is NativeError {
  const code: unknown = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}
