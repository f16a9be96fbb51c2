// Pure builder of a stats segment image in VPP's layout: header,
// directory of 144-byte entries, vectors with an 8-byte header holding the u32 length, and
// every pointer written as base + offset. Used by the simulator's publisher and by tests that
// need a segment (including deliberately broken ones) without any I/O.

import { combinedCounterSize, simpleCounterSize, statsEntry, statsEntryTypes, statsHeader, statsSegmentVersion, vectorHeaderSize } from './stats-layout.js';

/** One directory entry's contents. Counter arrays are [thread][index]; all threads equally long. */
export type StatsModelEntry =
  | { readonly kind: 'scalar'; readonly value: bigint }
  | { readonly kind: 'simple'; readonly threads: ReadonlyArray<readonly bigint[]> }
  | { readonly kind: 'combined'; readonly threads: ReadonlyArray<ReadonlyArray<readonly [packets: bigint, bytes: bigint]>> }
  | { readonly kind: 'nameVector'; readonly names: ReadonlyArray<string | null> };

export interface SegmentImage {
  /** Bytes [0, used) of the segment, header included. */
  readonly image: Buffer;
  readonly directoryOffset: number;
  /** Entry name → its position in the directory. */
  readonly entryIndex: ReadonlyMap<string, number>;
  /** Counter name → per-thread offset of element 0 of that thread's data vector. */
  readonly counterOffsets: ReadonlyMap<string, readonly number[]>;
}

export interface BuildOptions {
  /** VPP's mapping address, written into every pointer. */
  readonly base: bigint;
  readonly epoch: bigint;
  /** The segment size; the image must fit. */
  readonly size: number;
}

const firstVectorOffset = 64;

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Lays the entries out in insertion order; throws RangeError when they do not fit in size. */
export function buildSegmentImage(entries: ReadonlyMap<string, StatsModelEntry>, opts: BuildOptions): SegmentImage {
  const chunks: Array<{ offset: number; bytes: Buffer }> = [];
  let next = firstVectorOffset;
  // Reserves a vector of `length` elements of `elemSize` bytes; returns the offset of element 0.
  const vector = (length: number, elemSize: number): { offset: number; data: Buffer } => {
    const offset = next + vectorHeaderSize;
    const data = Buffer.alloc(length * elemSize);
    const header = Buffer.alloc(vectorHeaderSize);
    header.writeUInt32LE(length, 0);
    chunks.push({ offset: offset - vectorHeaderSize, bytes: header }, { offset, bytes: data });
    next = align8(offset + data.length);
    return { offset, data };
  };
  const ptr = (offset: number): bigint => opts.base + BigInt(offset);

  const dir = vector(entries.size, statsEntry.size);
  const entryIndex = new Map<string, number>();
  const counterOffsets = new Map<string, number[]>();
  let i = 0;
  for (const [name, entry] of entries) {
    const at = i * statsEntry.size;
    entryIndex.set(name, i++);
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length >= statsEntry.nameSize) throw new RangeError(`stats entry name too long: ${name}`);
    nameBytes.copy(dir.data, at + statsEntry.name);
    let type: number;
    let union: bigint;
    switch (entry.kind) {
      case 'scalar':
        type = statsEntryTypes.scalar;
        union = entry.value;
        break;
      case 'simple':
      case 'combined': {
        const elemSize = entry.kind === 'simple' ? simpleCounterSize : combinedCounterSize;
        type = entry.kind === 'simple' ? statsEntryTypes.simple : statsEntryTypes.combined;
        const threadPtrs = vector(entry.threads.length, 8);
        const offsets: number[] = [];
        entry.threads.forEach((values, thread) => {
          const v = vector(values.length, elemSize);
          values.forEach((value, index) => {
            if (typeof value === 'bigint') v.data.writeBigUInt64LE(value, index * elemSize);
            else {
              v.data.writeBigUInt64LE(value[0], index * elemSize);
              v.data.writeBigUInt64LE(value[1], index * elemSize + 8);
            }
          });
          threadPtrs.data.writeBigUInt64LE(ptr(v.offset), thread * 8);
          offsets.push(v.offset);
        });
        counterOffsets.set(name, offsets);
        union = ptr(threadPtrs.offset);
        break;
      }
      case 'nameVector': {
        type = statsEntryTypes.nameVector;
        const ptrs = vector(entry.names.length, 8);
        entry.names.forEach((n, k) => {
          if (n === null) return;
          const s = vector(Buffer.byteLength(n) + 1, 1);
          s.data.write(n, 0, 'utf8');
          ptrs.data.writeBigUInt64LE(ptr(s.offset), k * 8);
        });
        union = ptr(ptrs.offset);
        break;
      }
      default: {
        const exhaustive: never = entry;
        throw new Error(`unknown entry ${String(exhaustive)}`);
      }
    }
    dir.data.writeUInt32LE(type, at + statsEntry.type);
    dir.data.writeBigUInt64LE(union, at + statsEntry.union);
  }

  if (next > opts.size) throw new RangeError(`stats segment needs ${next} bytes, has ${opts.size}`);
  const image = Buffer.alloc(next);
  image.writeBigUInt64LE(statsSegmentVersion, statsHeader.version);
  image.writeBigUInt64LE(opts.base, statsHeader.base);
  image.writeBigUInt64LE(opts.epoch, statsHeader.epoch);
  image.writeBigUInt64LE(0n, statsHeader.inProgress);
  image.writeBigUInt64LE(ptr(dir.offset), statsHeader.directory);
  for (const c of chunks) c.bytes.copy(image, c.offset);
  return { image, directoryOffset: dir.offset, entryIndex, counterOffsets };
}
