// Streamed response bodies for the `huge` and `gzip-bomb` faults: a head, then one unit buffer
// repeated up to the body length, written with backpressure. A 100 MB (or 1 TiB) body so costs
// the fleet only what the client reads, and stops as soon as the client goes away.
// The bomb is a multi-member gzip (RFC 1952 §2.2): one member inflating to 1 MiB of zeros
// (≈ 1 KiB on the wire), repeated; gzip -d and zlib inflate every member, so 1 GiB of zeros
// costs ≈ 1 MiB of body and no compression time beyond the first MiB.

import type net from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FleetBehaviour } from './fleet-behaviour.js';

export interface StreamedBody {
  /** Status line and headers, Content-Length included. */
  readonly head: Buffer;
  /** Repeated to make the body; the last copy is cut to fit. */
  readonly unit: Buffer;
  /** Body length in bytes. */
  readonly length: number;
}

const mib = 1024 * 1024;
let xUnit: Buffer | undefined;
let zeroMember: Buffer | undefined;

function head(length: number, extra: string): Buffer {
  return Buffer.from(`HTTP/1.1 200 Fleet\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${length}\r\nConnection: close\r\n\r\n`, 'latin1');
}

/** One gzip member inflating to 1 MiB of zero bytes (made once, on first use). */
export function gzipZeroMember(): Buffer {
  zeroMember ??= gzipSync(Buffer.alloc(mib), { level: 9 });
  return zeroMember;
}

/** The streamed body of `huge` and `gzip-bomb`; undefined for every other behaviour. */
export function streamedBody(b: FleetBehaviour): StreamedBody | undefined {
  if (b.kind === 'huge') {
    xUnit ??= Buffer.alloc(64 * 1024, 'x');
    return { head: head(b.bytes, ''), unit: xUnit, length: b.bytes };
  }
  if (b.kind === 'gzip-bomb') {
    const member = gzipZeroMember();
    const length = member.length * Math.max(1, Math.ceil(b.bytes / mib));
    return { head: head(length, 'Content-Encoding: gzip\r\n'), unit: member, length };
  }
  return undefined;
}

/** Writes head and body as fast as the client reads, then ends; gives up when the socket is destroyed. */
export function writeStreamed(s: net.Socket, body: StreamedBody): void {
  let left = body.length;
  const pump = (): void => {
    while (left > 0) {
      if (s.destroyed) return;
      const n = Math.min(left, body.unit.length);
      left -= n;
      if (!s.write(n === body.unit.length ? body.unit : body.unit.subarray(0, n))) {
        s.once('drain', pump);
        return;
      }
    }
    if (!s.destroyed) s.end();
  };
  s.write(body.head);
  pump();
}
