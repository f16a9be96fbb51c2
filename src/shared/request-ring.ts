// The probe requests of one shard in shared memory: the main thread writes (probeId, targetId)
// pairs, the shard reads them on its own tick. Posting them instead would wake the shard's
// thread from the main thread at every schedule tick, and on a VM waking another thread costs
// its waker hundreds of microseconds; a thread's own timer costs it a fraction of that. A shard
// with nothing to read for a while stops ticking and says so (`asleep`); the main thread then
// posts a wake message after writing.
//
// Layout: a 64-byte header of i32 (0: pairs written, counting up and wrapping at 2^32, the main
// thread's; 1: pairs read, the shard's; 2: asleep, the shard's), then a power of two of pairs
// (two u32 each). The asleep handshake is Dekker's: the shard sets asleep, then looks for
// requests once more; the main thread publishes requests, then looks at asleep; with
// sequentially consistent atomics one of them always sees the other.

const headerBytes = 64;

/** A request ring with room for `pairs` (rounded up to a power of two) pairs. */
export function createRequestRing(pairs = 16384): SharedArrayBuffer {
  let n = 1;
  while (n < pairs) n *= 2;
  return new SharedArrayBuffer(headerBytes + n * 8);
}

function slotsOf(ring: SharedArrayBuffer): number {
  const n = (ring.byteLength - headerBytes) / 8;
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`not a request ring: ${ring.byteLength} bytes`);
  return n;
}

/** The main thread's end: push pairs, then publish them at once. */
export class RequestRingWriter {
  readonly #header: Int32Array;
  readonly #pairs: Uint32Array;
  readonly #mask: number;
  /** Pairs written, published or not. */
  #written = 0;

  constructor(ring: SharedArrayBuffer) {
    this.#header = new Int32Array(ring, 0, 3);
    this.#mask = slotsOf(ring) - 1;
    this.#pairs = new Uint32Array(ring, headerBytes);
    this.#written = Atomics.load(this.#header, 0) >>> 0;
  }

  /** Writes one pair (unpublished); false when the ring is full. */
  push(probeId: number, targetId: number): boolean {
    const read = Atomics.load(this.#header, 1) >>> 0;
    if (((this.#written - read) >>> 0) > this.#mask) return false;
    const i = (this.#written & this.#mask) * 2;
    this.#pairs[i] = probeId;
    this.#pairs[i + 1] = targetId;
    this.#written = (this.#written + 1) >>> 0;
    return true;
  }

  /** Publishes the pairs pushed so far; true when the reader is asleep and must be woken. */
  publish(): boolean {
    if ((Atomics.load(this.#header, 0) >>> 0) === this.#written) return false;
    Atomics.store(this.#header, 0, this.#written | 0);
    return Atomics.load(this.#header, 2) === 1;
  }
}

/** The shard's end. */
export class RequestRingReader {
  readonly #header: Int32Array;
  readonly #pairs: Uint32Array;
  readonly #mask: number;

  constructor(ring: SharedArrayBuffer) {
    this.#header = new Int32Array(ring, 0, 3);
    this.#mask = slotsOf(ring) - 1;
    this.#pairs = new Uint32Array(ring, headerBytes);
  }

  /** Copies every published pair into `out` (which must hold the ring's capacity) and frees their slots; returns how many. */
  read(out: Uint32Array): number {
    const written = Atomics.load(this.#header, 0) >>> 0;
    let read = Atomics.load(this.#header, 1) >>> 0;
    let n = 0;
    for (; read !== written; read = (read + 1) >>> 0, n++) {
      const i = (read & this.#mask) * 2;
      out[2 * n] = this.#pairs[i] ?? 0;
      out[2 * n + 1] = this.#pairs[i + 1] ?? 0;
    }
    Atomics.store(this.#header, 1, read | 0);
    return n;
  }

  /** Room `out` needs for read(). */
  get capacity(): number {
    return this.#mask + 1;
  }

  /** Marks the reader asleep unless requests came in meanwhile (then false: keep reading). */
  sleep(): boolean {
    Atomics.store(this.#header, 2, 1);
    if ((Atomics.load(this.#header, 0) >>> 0) === (Atomics.load(this.#header, 1) >>> 0)) return true;
    Atomics.store(this.#header, 2, 0);
    return false;
  }

  awake(): void {
    Atomics.store(this.#header, 2, 0);
  }
}
