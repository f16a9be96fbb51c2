// The sockets probers use: a TCP connection to a literal address (no name lookup, optional
// source address), TLS on top of it with the target's SNI and verification rules, and the
// abortive close (RST) that keeps TIME_WAIT off the prober, as HAProxy does.

import net from 'node:net';
import tls, { type PeerCertificate, type SecureContext } from 'node:tls';
import type { TlsSpec } from '../../shared/probe-messages.js';

export interface ConnectSpec {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly sourceAddress: string | undefined;
}

/**
 * Starts a TCP connect; errors arrive as 'error' events (bind errors carry syscall 'bind').
 * With `onread`, received bytes go to the callback in a reused buffer instead of 'data' events.
 */
export function openConnection(spec: ConnectSpec, onread?: (bytes: Buffer) => void): net.Socket {
  const opts = { host: spec.address, port: spec.port, family: spec.family, localAddress: spec.sourceAddress };
  if (onread === undefined) return net.connect(opts);
  return net.connect({ ...opts, onread: { buffer: readBuffer, callback: (n: number, buf: Uint8Array) => (onread(Buffer.from(buf.buffer, buf.byteOffset, n)), true) } });
}

/** One read buffer per thread, shared by every plain-HTTP probe (a chunk is consumed before the next read). */
const readBuffer = Buffer.alloc(64 * 1024);

/** Starts a TLS client handshake over a connected socket. */
export function startTls(socket: net.Socket, spec: TlsSpec, context: SecureContext, alpn: readonly string[] | undefined): tls.TLSSocket {
  return tls.connect({
    socket,
    secureContext: context,
    servername: spec.servername,
    rejectUnauthorized: !spec.insecureSkipVerify,
    checkServerIdentity: (_host: string, cert: PeerCertificate) => tls.checkServerIdentity(spec.verifyName, cert),
    ALPNProtocols: alpn === undefined ? undefined : [...alpn],
  });
}

/** Closes a plain TCP socket with an RST. Not for a socket under TLS (see http.ts). */
export function closeAbruptly(socket: net.Socket): void {
  // resetAndDestroy() on a socket still connecting waits for a connect that may never come
  // (black hole): the fd would stay open until the kernel gives up on the SYN.
  if (socket.connecting) {
    socket.destroy();
    return;
  }
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy(); // not a TCP handle after all: a plain close
  }
}
