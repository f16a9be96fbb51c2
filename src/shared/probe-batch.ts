// The binary batch of probe results a probe shard posts to the main thread: fixed 32-byte
// records in one transferable ArrayBuffer, plus the texts of the few records that carry one
// (TLS errors, say), in record order. The native prober writes the same records straight into
// the buffer (record_t in native/probe-engine.c), so a result costs the main thread a few typed
// array reads and no object.
//
//   offset  0 u32 probeId      4 u32 targetId     8 f64 at (unix ms)
//          16 f32 durationMs  20 i32 arg         24 u8 code  25 u8 detail  26 u8 flags
//          28 f32 lagMs (NaN: not measured)

import { probeCodes, type ProbeCode } from './health.js';
import type { DetailKind } from './probe-detail.js';
import type { ProbeOutcome } from './probe-outcome.js';

export const resultRecordBytes = 32;

const flagDiscarded = 1;
const flagText = 2;

const codeNumbers = new Map<ProbeCode, number>(probeCodes.map((c, i) => [c, i]));

/** A batch as it travels in a message. */
export interface ResultBatch {
  readonly records: ArrayBuffer;
  readonly count: number;
  readonly texts: readonly string[];
}

/** Builds batches: JS probers push records, the native prober drains into room(). */
export class ResultBatchWriter {
  #buf: ArrayBuffer;
  #u8: Uint8Array;
  #u32: Uint32Array;
  #i32: Int32Array;
  #f32: Float32Array;
  #f64: Float64Array;
  #count = 0;
  #texts: string[] = [];

  constructor(capacity = 256) {
    this.#buf = new ArrayBuffer(capacity * resultRecordBytes);
    this.#u8 = new Uint8Array(this.#buf);
    this.#u32 = new Uint32Array(this.#buf);
    this.#i32 = new Int32Array(this.#buf);
    this.#f32 = new Float32Array(this.#buf);
    this.#f64 = new Float64Array(this.#buf);
  }

  get count(): number {
    return this.#count;
  }

  push(probeId: number, targetId: number, o: ProbeOutcome): void {
    this.#ensure(1);
    const i = this.#count++;
    const w = i * 8;
    this.#u32[w] = probeId;
    this.#u32[w + 1] = targetId;
    this.#f64[i * 4 + 1] = o.at;
    this.#f32[w + 4] = o.durationMs;
    this.#i32[w + 5] = o.arg;
    const b = i * resultRecordBytes;
    this.#u8[b + 24] = codeNumbers.get(o.code) ?? 0;
    this.#u8[b + 25] = o.detail;
    this.#u8[b + 26] = (o.discarded ? flagDiscarded : 0) | (o.text !== undefined ? flagText : 0);
    this.#u8[b + 27] = 0;
    this.#f32[w + 7] = o.lagMs;
    if (o.text !== undefined) this.#texts.push(o.text);
  }

  /** Free space for at least `records` more records, as bytes to fill; then commit() what was written. */
  room(records: number): Uint8Array {
    this.#ensure(records);
    return new Uint8Array(this.#buf, this.#count * resultRecordBytes, (this.#u32.length / 8 - this.#count) * resultRecordBytes);
  }

  commit(records: number): void {
    this.#count += records;
  }

  /** The batch so far, as a copy to transfer; the writer starts over. */
  take(): ResultBatch {
    const batch = { records: this.#buf.slice(0, this.#count * resultRecordBytes), count: this.#count, texts: this.#texts };
    this.#count = 0;
    this.#texts = [];
    return batch;
  }

  #ensure(records: number): void {
    const capacity = this.#u32.length / 8;
    if (this.#count + records <= capacity) return;
    let next = capacity * 2;
    while (next < this.#count + records) next *= 2;
    const buf = new ArrayBuffer(next * resultRecordBytes);
    new Uint8Array(buf).set(this.#u8.subarray(0, this.#count * resultRecordBytes));
    this.#buf = buf;
    this.#u8 = new Uint8Array(buf);
    this.#u32 = new Uint32Array(buf);
    this.#i32 = new Int32Array(buf);
    this.#f32 = new Float32Array(buf);
    this.#f64 = new Float64Array(buf);
  }
}

/** One decoded record; the reader refills the same object for every record. */
export interface ResultRecord extends ProbeOutcome {
  readonly probeId: number;
  readonly targetId: number;
}

type MutableRecord = { -readonly [K in keyof ResultRecord]: ResultRecord[K] };

/** Reads a received batch in order: next() refills and returns one record object, or undefined at the end. */
export class ResultBatchReader {
  readonly #u8: Uint8Array;
  readonly #u32: Uint32Array;
  readonly #i32: Int32Array;
  readonly #f32: Float32Array;
  readonly #f64: Float64Array;
  readonly #count: number;
  readonly #texts: readonly string[];
  #next = 0;
  #text = 0;
  readonly #rec: MutableRecord = { probeId: 0, targetId: 0, code: 'L4OK', detail: 0, arg: 0, text: undefined, at: 0, durationMs: 0, discarded: false, lagMs: NaN };

  constructor(batch: ResultBatch) {
    this.#u8 = new Uint8Array(batch.records);
    this.#u32 = new Uint32Array(batch.records);
    this.#i32 = new Int32Array(batch.records);
    this.#f32 = new Float32Array(batch.records);
    this.#f64 = new Float64Array(batch.records);
    this.#count = Math.min(batch.count, this.#u32.length / 8);
    this.#texts = batch.texts;
  }

  /** The next record (valid until the next call), or undefined after the last. */
  next(): ResultRecord | undefined {
    if (this.#next >= this.#count) return undefined;
    const i = this.#next++;
    const w = i * 8;
    const b = i * resultRecordBytes;
    const r = this.#rec;
    r.probeId = this.#u32[w] ?? 0;
    r.targetId = this.#u32[w + 1] ?? 0;
    r.at = this.#f64[i * 4 + 1] ?? 0;
    r.durationMs = this.#f32[w + 4] ?? 0;
    r.arg = this.#i32[w + 5] ?? 0;
    r.code = probeCodes[this.#u8[b + 24] ?? 0] ?? 'SOCKERR';
    r.detail = (this.#u8[b + 25] ?? 0) as DetailKind;
    const flags = this.#u8[b + 26] ?? 0;
    r.discarded = (flags & flagDiscarded) !== 0;
    r.text = (flags & flagText) !== 0 ? this.#texts[this.#text++] : undefined;
    r.lagMs = this.#f32[w + 7] ?? NaN;
    return r;
  }
}
