// Reads named counters out of VPP's stats segment through a SegmentSource.
// Every read re-walks the directory and every pointer (VPP reallocates freely), bounds-checks
// each translated pointer, and follows the optimistic protocol: wait for in_progress to clear,
// note the epoch, read, and keep the result only if the epoch is unchanged and no update is in
// progress. Counter values are u64 and stay bigint here; callers convert at their edge.

import type { Clock } from '../shared/clock.js';
import { DaemonError, errorMessage, isDaemonError } from '../shared/errors.js';
import type { SegmentSource } from './stats-source.js';
import { pollTimer, type PollTimer } from './stats-wait.js';
import {
  combinedCounterSize,
  simpleCounterSize,
  statsEntry,
  statsEntryTypes,
  statsHeader,
  statsSegmentVersion,
  vectorHeaderSize,
} from './stats-layout.js';

/** What to read: counter names with the object indices wanted, scalar names, name vectors. */
export interface StatsRequest {
  readonly simple?: ReadonlyArray<{ readonly name: string; readonly indices: readonly number[] }>;
  readonly combined?: ReadonlyArray<{ readonly name: string; readonly indices: readonly number[] }>;
  readonly scalars?: readonly string[];
  readonly nameVectors?: readonly string[];
}

export interface CombinedValue {
  readonly packets: bigint;
  readonly bytes: bigint;
}

/**
 * One consistent reading. Counters are summed over threads; an index past a thread's vector
 * counts 0 there. A name missing from the segment is missing from its map.
 */
export interface StatsReading {
  readonly epoch: bigint;
  readonly simple: ReadonlyMap<string, ReadonlyMap<number, bigint>>;
  readonly combined: ReadonlyMap<string, ReadonlyMap<number, CombinedValue>>;
  readonly scalars: ReadonlyMap<string, bigint>;
  readonly nameVectors: ReadonlyMap<string, ReadonlyArray<string | null>>;
}

export interface StatsReaderOptions {
  /** Timers for the in_progress wait; default real, ref'd timers. */
  readonly clock?: Clock;
  /** How long to wait for in_progress to clear (default 100 ms). */
  readonly inProgressWaitMs?: number;
  /** Retries after an epoch change (default 3). */
  readonly retries?: number;
}

interface Entry {
  readonly type: number;
  readonly union: bigint;
}

const u64Mask = (1n << 64n) - 1n;

function fail(detail: string): never {
  throw new DaemonError('STATS_SEGMENT', `stats segment: ${detail}`);
}

/** One attempt's view: pointer translation and bounds checks over the source. */
class SegmentView {
  readonly #source: SegmentSource;
  readonly #base: bigint;

  constructor(source: SegmentSource, base: bigint) {
    this.#source = source;
    this.#base = base;
  }

  /** Offset of a non-null pointer, valid when 8 ≤ offset and offset + 8 < size. */
  offset(ptr: bigint, what: string): number {
    const off = (ptr - this.#base) & u64Mask;
    if (off < BigInt(vectorHeaderSize) || off + 8n >= BigInt(this.#source.size)) {
      fail(`bad pointer 0x${ptr.toString(16)} for ${what}`);
    }
    return Number(off);
  }

  /** A vector: offset of element 0 and its length; a null pointer is an empty vector. */
  vector(ptr: bigint, elemSize: number, what: string): { offset: number; length: number } {
    if (ptr === 0n) return { offset: 0, length: 0 };
    const offset = this.offset(ptr, what);
    const length = this.#source.read(offset - vectorHeaderSize, 4).readUInt32LE(0);
    if (offset + length * elemSize > this.#source.size) fail(`vector of ${length} overruns the segment for ${what}`);
    return { offset, length };
  }

  read(offset: number, length: number): Buffer {
    return this.#source.read(offset, length);
  }

  /** The u64 pointers of a vector of pointers. */
  pointers(ptr: bigint, what: string): bigint[] {
    const v = this.vector(ptr, 8, what);
    const buf = v.length === 0 ? Buffer.alloc(0) : this.read(v.offset, v.length * 8);
    return Array.from({ length: v.length }, (_, i) => buf.readBigUInt64LE(i * 8));
  }
}

function headerOf(source: SegmentSource): { version: bigint; base: bigint; epoch: bigint; inProgress: bigint; directory: bigint } {
  if (source.size < statsHeader.size) fail(`segment of ${source.size} bytes is smaller than its header`);
  const h = source.read(0, statsHeader.size);
  return {
    version: h.readBigUInt64LE(statsHeader.version),
    base: h.readBigUInt64LE(statsHeader.base),
    epoch: h.readBigUInt64LE(statsHeader.epoch),
    inProgress: h.readBigUInt64LE(statsHeader.inProgress),
    directory: h.readBigUInt64LE(statsHeader.directory),
  };
}

/** The directory entries whose names are wanted (exact byte match, NUL-terminated). */
function findEntries(view: SegmentView, directory: bigint, wanted: ReadonlySet<string>): Map<string, Entry> {
  const found = new Map<string, Entry>();
  if (wanted.size === 0) return found;
  const dir = view.vector(directory, statsEntry.size, 'the directory');
  if (dir.length === 0) return found;
  const all = view.read(dir.offset, dir.length * statsEntry.size);
  const keys = [...wanted].map((name) => ({ name, bytes: Buffer.from(name, 'utf8') }));
  for (let i = 0; i < dir.length; i++) {
    const at = i * statsEntry.size;
    const nameAt = at + statsEntry.name;
    for (const k of keys) {
      if (k.bytes.length >= statsEntry.nameSize || all[nameAt + k.bytes.length] !== 0) continue;
      if (!all.subarray(nameAt, nameAt + k.bytes.length).equals(k.bytes) || found.has(k.name)) continue;
      found.set(k.name, { type: all.readUInt32LE(at + statsEntry.type), union: all.readBigUInt64LE(at + statsEntry.union) });
    }
  }
  return found;
}

function expectType(name: string, entry: Entry, ...types: number[]): void {
  if (!types.includes(entry.type)) fail(`entry "${name}" has type ${entry.type}, want ${types.join(' or ')}`);
}

/** Σ over threads of vector[thread][index] for each wanted index; elemSize 8 (simple) or 16 (combined). */
function sumCounters(view: SegmentView, name: string, data: bigint, indices: readonly number[], elemSize: number): Map<number, bigint[]> {
  const sums = new Map<number, bigint[]>();
  for (const i of indices) sums.set(i, elemSize === simpleCounterSize ? [0n] : [0n, 0n]);
  if (indices.length === 0) return sums;
  const lo = Math.min(...indices);
  const hi = Math.max(...indices);
  const threads = view.pointers(data, `"${name}" threads`);
  threads.forEach((ptr, thread) => {
    const v = view.vector(ptr, elemSize, `"${name}" thread ${thread}`);
    const end = Math.min(hi, v.length - 1);
    if (end < lo) return;
    const buf = view.read(v.offset + lo * elemSize, (end - lo + 1) * elemSize);
    for (const [i, acc] of sums) {
      if (i > end) continue;
      const at = (i - lo) * elemSize;
      for (let k = 0; k < acc.length; k++) acc[k] = (acc[k]! + buf.readBigUInt64LE(at + k * 8)) & u64Mask;
    }
  });
  return sums;
}

function readNameVector(view: SegmentView, name: string, data: bigint): Array<string | null> {
  return view.pointers(data, `"${name}" names`).map((ptr, i) => {
    if (ptr === 0n) return null;
    const v = view.vector(ptr, 1, `"${name}" name ${i}`);
    const bytes = v.length === 0 ? Buffer.alloc(0) : view.read(v.offset, v.length);
    const nul = bytes.indexOf(0);
    return bytes.subarray(0, nul < 0 ? bytes.length : nul).toString('utf8');
  });
}

/** One read of everything requested, without the consistency protocol. */
function readOnce(source: SegmentSource, base: bigint, directory: bigint, epoch: bigint, req: StatsRequest): StatsReading {
  const view = new SegmentView(source, base);
  const names = new Set<string>([
    ...(req.simple ?? []).map((s) => s.name),
    ...(req.combined ?? []).map((c) => c.name),
    ...(req.scalars ?? []),
    ...(req.nameVectors ?? []),
  ]);
  const entries = findEntries(view, directory, names);
  const simple = new Map<string, Map<number, bigint>>();
  for (const { name, indices } of req.simple ?? []) {
    const e = entries.get(name);
    if (e === undefined) continue;
    expectType(name, e, statsEntryTypes.simple);
    const sums = sumCounters(view, name, e.union, indices, simpleCounterSize);
    simple.set(name, new Map([...sums].map(([i, [v]]) => [i, v!])));
  }
  const combined = new Map<string, Map<number, CombinedValue>>();
  for (const { name, indices } of req.combined ?? []) {
    const e = entries.get(name);
    if (e === undefined) continue;
    expectType(name, e, statsEntryTypes.combined);
    const sums = sumCounters(view, name, e.union, indices, combinedCounterSize);
    combined.set(name, new Map([...sums].map(([i, [packets, bytes]]) => [i, { packets: packets!, bytes: bytes! }])));
  }
  const scalars = new Map<string, bigint>();
  for (const name of req.scalars ?? []) {
    const e = entries.get(name);
    if (e === undefined) continue;
    expectType(name, e, statsEntryTypes.scalar, statsEntryTypes.gauge);
    scalars.set(name, e.union);
  }
  const nameVectors = new Map<string, Array<string | null>>();
  for (const name of req.nameVectors ?? []) {
    const e = entries.get(name);
    if (e === undefined) continue;
    expectType(name, e, statsEntryTypes.nameVector);
    nameVectors.set(name, readNameVector(view, name, e.union));
  }
  return { epoch, simple, combined, scalars, nameVectors };
}

/** Consistent reads of a stats segment. */
export class StatsSegmentReader {
  readonly #source: SegmentSource;
  readonly #timer: PollTimer;
  readonly #waitMs: number;
  readonly #retries: number;

  constructor(source: SegmentSource, opts: StatsReaderOptions = {}) {
    this.#source = source;
    this.#timer = pollTimer(opts.clock);
    this.#waitMs = opts.inProgressWaitMs ?? 100;
    this.#retries = opts.retries ?? 3;
  }

  /** Reads the request; throws DaemonError('STATS_SEGMENT') on a bad segment or no consistent read. */
  async read(req: StatsRequest): Promise<StatsReading> {
    for (const { name, indices } of [...(req.simple ?? []), ...(req.combined ?? [])]) {
      for (const i of indices) if (!Number.isSafeInteger(i) || i < 0) throw new RangeError(`counter index ${i} for "${name}"`);
    }
    try {
      for (let attempt = 0; attempt <= this.#retries; attempt++) {
        const h = await this.#settledHeader();
        if (h.version !== statsSegmentVersion) fail(`version ${h.version}, want ${statsSegmentVersion}`);
        const reading = readOnce(this.#source, h.base, h.directory, h.epoch, req);
        const after = headerOf(this.#source);
        if (after.epoch === h.epoch && after.inProgress === 0n) return reading;
      }
    } catch (e) {
      if (isDaemonError(e)) throw e;
      throw new DaemonError('STATS_SEGMENT', `stats segment: read failed: ${errorMessage(e)}`, { cause: e });
    }
    fail(`no consistent read after ${this.#retries + 1} attempts (the epoch kept changing)`);
  }

  /** The header once in_progress is 0, polling every millisecond for up to the wait limit. */
  async #settledHeader(): Promise<ReturnType<typeof headerOf>> {
    const deadline = this.#timer.now() + this.#waitMs;
    for (;;) {
      const h = headerOf(this.#source);
      if (h.inProgress === 0n) return h;
      if (this.#timer.now() >= deadline) fail(`update in progress for more than ${this.#waitMs} ms`);
      await this.#timer.wait(1);
    }
  }
}
