// The api.sock stream framing: every message is preceded by a 16-byte header
// whose bytes 8..11 hold the big-endian message length. A read may carry several frames or a
// piece of one; FrameDecoder reassembles without re-copying the buffered bytes on every chunk,
// so a reply of hundreds of KB arriving in 64 KB reads costs one copy.

import { DaemonError } from '../shared/errors.js';

export const frameHeaderSize = 16;
/** Far above anything VPP sends; a larger length means a corrupt stream. */
export const defaultMaxFrameBytes = 64 * 1024 * 1024;

/** Prefixes a message with its 16-byte frame header (q = 0, gc_mark_timestamp = 0). */
export function encodeFrame(msg: Buffer): Buffer {
  const out = Buffer.alloc(frameHeaderSize + msg.length);
  out.writeUInt32BE(msg.length, 8);
  msg.copy(out, frameHeaderSize);
  return out;
}

export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Length of the message whose header has been read, or -1 while waiting for a header. */
  #want = -1;

  constructor(maxFrameBytes = defaultMaxFrameBytes) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Feeds one read; returns the complete messages (without headers) it finished, in order. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const out: Buffer[] = [];
    for (;;) {
      if (this.#want < 0) {
        if (this.#buffered < frameHeaderSize) break;
        const header = this.#take(frameHeaderSize);
        const len = header.readUInt32BE(8);
        if (len > this.#maxFrameBytes) throw new DaemonError('VPP_PROTOCOL', `frame of ${len} bytes exceeds ${this.#maxFrameBytes}`);
        this.#want = len;
      }
      if (this.#buffered < this.#want) break;
      out.push(this.#take(this.#want));
      this.#want = -1;
    }
    return out;
  }

  /** Removes n bytes from the front of the buffered chunks. */
  #take(n: number): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) {
      // Fast path: within one chunk, no copy.
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, k);
      filled += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    this.#buffered -= n;
    return out;
  }
}
