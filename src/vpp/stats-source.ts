// Where stats segment bytes come from: the memfd VPP hands over (positional reads on the fd,
// no mmap needed) or a Buffer in tests. The reader sees only this seam.

import { readSync } from 'node:fs';

export interface SegmentSource {
  readonly size: number;
  /** Bytes [offset, offset+length); the caller keeps both within size. */
  read(offset: number, length: number): Buffer;
}

/** A source over an in-memory image (tests, or a snapshot). Reads are copies. */
export function bufferSource(image: Buffer): SegmentSource {
  return {
    size: image.length,
    read: (offset, length) => Buffer.from(image.subarray(offset, offset + length)),
  };
}

/** A source over an open fd of a known size, using pread. */
export function fdSource(fd: number, size: number): SegmentSource {
  return {
    size,
    read(offset, length) {
      const buf = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, offset + done);
        if (n === 0) break; // past the end of the file: the rest stays zero
        done += n;
      }
      return buf;
    },
  };
}
