// Probe results in binary, as fixed 32-byte records, two ways from a probe shard to the main
// thread:
//   - the result ring: a SharedArrayBuffer per shard that the native prober writes straight
//     into (record_t in native/probe-engine.c), the JS probers too, and the main thread reads
//     when it polls, so a result costs no message and no wakeup;
//   - batches: records in one transferable ArrayBuffer plus the texts of those that carry one
//     (a TLS error, say), posted every few ms (and any record that found the ring full).
// Either way a result costs the main thread a few typed-array reads and no object.
//
//   offset  0 u32 probeId      4 u32 targetId     8 f64 at (unix ms)
//          16 f32 durationMs  20 i32 arg         24 u8 code  25 u8 detail  26 u8 flags
//          (flags: 1 discarded, 2 has a text, 4 opened / 8 reused a reuse-connection socket)
//          27 u8 discard reason (1 + its index in discardReasons; 0: none)
//          28 f32 lagMs (NaN: not measured)
//
// The ring: a 64-byte header (u32 records written at 0, u32 records read at 4, both counting
// up and wrapping at 2^32), then a power-of-two number of record slots. One writer thread, one
// reader thread; the counters are published with atomic stores.

import { discardReasons, type DiscardReason } from './discard-reason.js';
import { probeCodes, type ProbeCode } from './health.js';
import type { DetailKind } from './probe-detail.js';
import type { ProbeOutcome } from './probe-outcome.js';

export const resultRecordBytes = 32;
export const ringHeaderBytes = 64;

const flagDiscarded = 1;
const flagText = 2;
const flagOpened = 4;
const flagReused = 8;

const codeNumbers = new Map<ProbeCode, number>(probeCodes.map((c, i) => [c, i]));
const reasonNumbers = new Map<DiscardReason, number>(discardReasons.map((r, i) => [r, i + 1]));

/** One decoded record; readers refill the same object for every record. */
export interface ResultRecord extends ProbeOutcome {
  readonly probeId: number;
  readonly targetId: number;
}

type MutableRecord = { -readonly [K in keyof ResultRecord]: ResultRecord[K] };

function emptyRecord(): MutableRecord {
  return { probeId: 0, targetId: 0, code: 'L4OK', detail: 0, arg: 0, text: undefined, at: 0, durationMs: 0, discarded: false, discardReason: undefined, lagMs: NaN, connection: undefined };
}

/** Typed-array views over `count` records at `byteOffset` of a buffer. */
class RecordViews {
  readonly count: number;
  readonly #u8: Uint8Array;
  readonly #u32: Uint32Array;
  readonly #i32: Int32Array;
  readonly #f32: Float32Array;
  readonly #f64: Float64Array;

  constructor(buf: ArrayBufferLike, byteOffset: number, count: number) {
    this.count = count;
    this.#u8 = new Uint8Array(buf, byteOffset, count * resultRecordBytes);
    this.#u32 = new Uint32Array(buf, byteOffset, count * 8);
    this.#i32 = new Int32Array(buf, byteOffset, count * 8);
    this.#f32 = new Float32Array(buf, byteOffset, count * 8);
    this.#f64 = new Float64Array(buf, byteOffset, count * 4);
  }

  write(i: number, probeId: number, targetId: number, o: ProbeOutcome): void {
    const w = i * 8;
    const b = i * resultRecordBytes;
    this.#u32[w] = probeId;
    this.#u32[w + 1] = targetId;
    this.#f64[i * 4 + 1] = o.at;
    this.#f32[w + 4] = o.durationMs;
    this.#i32[w + 5] = o.arg;
    this.#u8[b + 24] = codeNumbers.get(o.code) ?? 0;
    this.#u8[b + 25] = o.detail;
    const connection = o.connection === undefined ? 0 : o.connection === 'opened' ? flagOpened : flagReused;
    this.#u8[b + 26] = (o.discarded ? flagDiscarded : 0) | (o.text !== undefined ? flagText : 0) | connection;
    this.#u8[b + 27] = o.discardReason === undefined ? 0 : (reasonNumbers.get(o.discardReason) ?? 0);
    this.#f32[w + 7] = o.lagMs;
  }

  /** Fills r from record i (text left undefined); returns whether the record has a text. */
  read(i: number, r: MutableRecord): boolean {
    const w = i * 8;
    const b = i * resultRecordBytes;
    r.probeId = this.#u32[w] ?? 0;
    r.targetId = this.#u32[w + 1] ?? 0;
    r.at = this.#f64[i * 4 + 1] ?? 0;
    r.durationMs = this.#f32[w + 4] ?? 0;
    r.arg = this.#i32[w + 5] ?? 0;
    r.code = probeCodes[this.#u8[b + 24] ?? 0] ?? 'SOCKERR';
    r.detail = (this.#u8[b + 25] ?? 0) as DetailKind;
    const flags = this.#u8[b + 26] ?? 0;
    r.discarded = (flags & flagDiscarded) !== 0;
    const reason = this.#u8[b + 27] ?? 0;
    r.discardReason = reason === 0 ? undefined : discardReasons[reason - 1];
    r.lagMs = this.#f32[w + 7] ?? NaN;
    r.connection = (flags & flagOpened) !== 0 ? 'opened' : (flags & flagReused) !== 0 ? 'reused' : undefined;
    r.text = undefined;
    return (flags & flagText) !== 0;
  }
}

// ---- batches ------------------------------------------------------------------------------

/** A batch as it travels in a message. */
export interface ResultBatch {
  readonly records: ArrayBuffer;
  readonly count: number;
  readonly texts: readonly string[];
}

/** Builds batches of records. */
export class ResultBatchWriter {
  #buf: ArrayBuffer;
  #views: RecordViews;
  #count = 0;
  #texts: string[] = [];

  constructor(capacity = 64) {
    this.#buf = new ArrayBuffer(capacity * resultRecordBytes);
    this.#views = new RecordViews(this.#buf, 0, capacity);
  }

  get count(): number {
    return this.#count;
  }

  push(probeId: number, targetId: number, o: ProbeOutcome): void {
    if (this.#count === this.#views.count) {
      const buf = new ArrayBuffer(this.#buf.byteLength * 2);
      new Uint8Array(buf).set(new Uint8Array(this.#buf));
      this.#buf = buf;
      this.#views = new RecordViews(buf, 0, buf.byteLength / resultRecordBytes);
    }
    this.#views.write(this.#count++, probeId, targetId, o);
    if (o.text !== undefined) this.#texts.push(o.text);
  }

  /** The batch so far, as a copy to transfer; the writer starts over. */
  take(): ResultBatch {
    const batch = { records: this.#buf.slice(0, this.#count * resultRecordBytes), count: this.#count, texts: this.#texts };
    this.#count = 0;
    this.#texts = [];
    return batch;
  }
}

/** Reads a received batch in order. */
export class ResultBatchReader {
  readonly #views: RecordViews;
  readonly #texts: readonly string[];
  readonly #rec = emptyRecord();
  #next = 0;
  #text = 0;

  constructor(batch: ResultBatch) {
    this.#views = new RecordViews(batch.records, 0, Math.min(batch.count, Math.floor(batch.records.byteLength / resultRecordBytes)));
    this.#texts = batch.texts;
  }

  /** The next record (valid until the next call), or undefined after the last. */
  next(): ResultRecord | undefined {
    if (this.#next >= this.#views.count) return undefined;
    if (this.#views.read(this.#next++, this.#rec)) this.#rec.text = this.#texts[this.#text++];
    return this.#rec;
  }
}

// ---- the ring -----------------------------------------------------------------------------

/** A result ring with room for `records` (rounded up to a power of two) records. */
export function createResultRing(records = 4096): SharedArrayBuffer {
  let n = 1;
  while (n < records) n *= 2;
  return new SharedArrayBuffer(ringHeaderBytes + n * resultRecordBytes);
}

/** The JS probers' end of a result ring (the shard's thread, which the native prober also writes from). */
export class ResultRingWriter {
  readonly #header: Int32Array;
  readonly #views: RecordViews;

  constructor(ring: SharedArrayBuffer) {
    this.#header = new Int32Array(ring, 0, 2);
    this.#views = new RecordViews(ring, ringHeaderBytes, ringSlots(ring));
  }

  /** Writes one record unless the ring is full (false then) or it carries a text (texts travel in batches). */
  push(probeId: number, targetId: number, o: ProbeOutcome): boolean {
    if (o.text !== undefined) return false;
    const written = Atomics.load(this.#header, 0) >>> 0;
    const read = Atomics.load(this.#header, 1) >>> 0;
    if (((written - read) >>> 0) >= this.#views.count) return false;
    this.#views.write(written & (this.#views.count - 1), probeId, targetId, o);
    Atomics.store(this.#header, 0, (written + 1) | 0);
    return true;
  }
}

function ringSlots(ring: SharedArrayBuffer): number {
  const count = (ring.byteLength - ringHeaderBytes) / resultRecordBytes;
  if (!Number.isInteger(count) || count < 1 || (count & (count - 1)) !== 0) throw new RangeError(`not a result ring: ${ring.byteLength} bytes`);
  return count;
}

/** The main thread's end of a result ring. */
export class ResultRingReader {
  readonly #header: Int32Array;
  readonly #views: RecordViews;
  readonly #rec = emptyRecord();
  #pos = 0;
  #end = 0;

  constructor(ring: SharedArrayBuffer) {
    this.#header = new Int32Array(ring, 0, 2);
    this.#views = new RecordViews(ring, ringHeaderBytes, ringSlots(ring));
  }

  /** Starts a read of every record written so far; call next() until it returns undefined. */
  begin(): void {
    this.#pos = Atomics.load(this.#header, 1) >>> 0;
    this.#end = Atomics.load(this.#header, 0) >>> 0;
  }

  /** The next record (valid until the next call); undefined at the end, which frees the slots read. */
  next(): ResultRecord | undefined {
    if (this.#pos === this.#end) {
      Atomics.store(this.#header, 1, this.#pos | 0);
      return undefined;
    }
    this.#views.read(this.#pos & (this.#views.count - 1), this.#rec);
    this.#pos = (this.#pos + 1) >>> 0;
    return this.#rec;
  }
}
