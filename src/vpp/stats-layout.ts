// The VPP stats segment layout (STAT_SEGMENT_VERSION 2), shared by the reader
// and the simulator's segment builder so the two cannot drift apart. Host byte order
// (little-endian); pointers are addresses in VPP's mapping, offset = pointer − base.

export const statsHeader = {
  size: 40,
  version: 0,
  base: 8,
  epoch: 16,
  inProgress: 24,
  directory: 32,
} as const;

export const statsSegmentVersion = 2n;

/** A directory entry: u32 type, pad, u64 union (value / data pointer / index), char name[128]. */
export const statsEntry = {
  size: 144,
  type: 0,
  union: 8,
  name: 16,
  nameSize: 128,
} as const;

/** The u32 element count sits in an 8-byte header just before element 0. */
export const vectorHeaderSize = 8;

export const statsEntryTypes = {
  illegal: 0,
  scalar: 1,
  simple: 2,
  combined: 3,
  nameVector: 4,
  empty: 5,
  symlink: 6,
  histogramLog2: 7,
  ringBuffer: 8,
  gauge: 9,
} as const;

/** Element sizes of counter vectors: a u64, or {u64 packets, u64 bytes}. */
export const simpleCounterSize = 8;
export const combinedCounterSize = 16;
