// The simulator's stats segment: a memfd (or a /dev/shm file) laid out like VPP's, served on a
// SEQPACKET socket the way VPP serves stats.sock (one SCM_RIGHTS fd per client, then close).
// Counter updates are in-place 8-byte writes, as VPP's workers do; anything that moves the
// layout (a new entry, a longer vector) rewrites the segment under the epoch protocol:
// in_progress=1, rewrite, bump epoch, in_progress=0.

import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { loadNative, type NativeAddon } from '../../shared/native.js';
import { statsEntry, statsHeader } from '../stats-layout.js';
import { buildSegmentImage, type SegmentImage } from '../stats-segment-builder.js';

export interface StatsPublisher {
  readonly socketPath: string;
  /** The segment's fd and size, for tests that read it directly. */
  readonly fd: number;
  readonly size: number;
  setSimple(name: string, index: number, thread: number, value: bigint): void;
  addSimple(name: string, index: number, thread: number, delta: bigint): void;
  addCombined(name: string, index: number, thread: number, packets: bigint, bytes: bigint): void;
  setScalar(name: string, value: number): void;
  /** Creates the counter and index if needed and zeroes it on every thread (VIP index reuse). */
  zeroSimpleIndex(name: string, index: number): void;
  setNameVector(name: string, names: ReadonlyArray<string | null>): void;
  close(): Promise<void>;
}

export interface StatsPublisherOptions {
  readonly socketPath: string;
  /** Main thread plus workers (default 2). */
  readonly threads?: number;
  /** Segment size (default 4 MiB; VPP's default is 32 MiB). */
  readonly sizeBytes?: number;
}

const fakeBase = 0x7f0000000000n;
const u64Mask = (1n << 64n) - 1n;
const acceptEveryMs = 20;

type Model = { kind: 'scalar'; value: bigint } | { kind: 'simple'; threads: bigint[][] } | { kind: 'combined'; threads: Array<Array<[bigint, bigint]>> } | {
  kind: 'nameVector';
  names: ReadonlyArray<string | null>;
};

function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n & u64Mask);
  return b;
}

function openSegmentFile(native: NativeAddon, size: number): { fd: number; path?: string } {
  let fd: number;
  let path: string | undefined;
  try {
    fd = native.memfdCreate('stat segment');
  } catch {
    // No memfd_create (old kernel, seccomp): a tmpfs file serves the same.
    path = `/dev/shm/maglev-stats-${process.pid}-${Date.now()}`;
    fd = openSync(path, 'w+', 0o600);
  }
  native.ftruncate(fd, size);
  return path === undefined ? { fd } : { fd, path };
}

/** Creates the segment (with /sys/boottime = now and /sys/heartbeat = 0) and starts serving it. */
export function startStatsPublisher(opts: StatsPublisherOptions): Promise<StatsPublisher> {
  try {
    return Promise.resolve(createPublisher(opts));
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

function createPublisher(opts: StatsPublisherOptions): StatsPublisher {
  const native = loadNative();
  const threads = opts.threads ?? 2;
  const size = opts.sizeBytes ?? 4 * 1024 * 1024;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be ≥ 1, got ${threads}`);
  const file = openSegmentFile(native, size);
  const fd = file.fd;
  const model = new Map<string, Model>();
  let epoch = 0n;
  let layout: SegmentImage | undefined;

  const writeAt = (pos: number, bytes: Buffer): void => {
    writeSync(fd, bytes, 0, bytes.length, pos);
  };
  const relayout = (): void => {
    const next = buildSegmentImage(model, { base: fakeBase, epoch: epoch + 1n, size });
    if (layout === undefined) writeAt(0, next.image.subarray(0, statsHeader.size));
    writeAt(statsHeader.inProgress, u64(1n));
    writeAt(statsHeader.size, next.image.subarray(statsHeader.size));
    writeAt(statsHeader.directory, next.image.subarray(statsHeader.directory, statsHeader.directory + 8));
    epoch += 1n;
    writeAt(statsHeader.epoch, u64(epoch));
    writeAt(statsHeader.inProgress, u64(0n));
    layout = next;
  };
  // Makes sure `name` is a counter of `kind` whose vectors reach `index` (vec_validate on every
  // thread, as VPP does: a layout change), and returns that thread's cells.
  const cells = (name: string, kind: 'simple' | 'combined', index: number, thread: number): unknown[] => {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`counter index ${index}`);
    if (!Number.isInteger(thread) || thread < 0 || thread >= threads) throw new RangeError(`thread ${thread} of ${threads}`);
    const existing = model.get(name);
    if (existing !== undefined && existing.kind !== kind) throw new TypeError(`stats entry "${name}" is ${existing.kind}, not ${kind}`);
    const m = existing ?? { kind, threads: Array.from({ length: threads }, () => []) };
    const perThread: unknown[][] = (m as { threads: unknown[][] }).threads;
    const length = perThread[0]?.length ?? 0;
    if (existing === undefined || index >= length) {
      model.set(name, m);
      for (const t of perThread) while (t.length <= index) t.push(kind === 'simple' ? 0n : [0n, 0n]);
      try {
        relayout();
      } catch (e) {
        for (const t of perThread) t.length = length; // does not fit: leave the model as it was
        if (existing === undefined) model.delete(name);
        throw e;
      }
    }
    return perThread[thread]!;
  };
  // Sets an entry whose layout may change; on a refusal the model stays as it was.
  const replaceEntry = (name: string, entry: Model): void => {
    const previous = model.get(name);
    model.set(name, entry);
    try {
      relayout();
    } catch (e) {
      if (previous === undefined) model.delete(name);
      else model.set(name, previous);
      throw e;
    }
  };
  const cellOffset = (name: string, index: number, thread: number, elemSize: number): number =>
    layout!.counterOffsets.get(name)![thread]! + index * elemSize;
  const writeSimple = (name: string, index: number, thread: number, value: bigint): void => {
    cells(name, 'simple', index, thread)[index] = value & u64Mask;
    writeAt(cellOffset(name, index, thread, 8), u64(value));
  };

  model.set('/sys/boottime', { kind: 'scalar', value: BigInt(Math.floor(Date.now() / 1000)) });
  model.set('/sys/heartbeat', { kind: 'scalar', value: 0n });
  relayout();

  let listenFd: number;
  try {
    listenFd = native.listenSeqpacket(opts.socketPath);
  } catch (e) {
    closeSync(fd);
    if (file.path !== undefined) unlinkSync(file.path);
    throw e;
  }
  const timer = setInterval(() => {
    while (native.acceptSendFd(listenFd, fd) === 1);
  }, acceptEveryMs);
  timer.unref();
  let closed = false;

  return {
    socketPath: opts.socketPath,
    fd,
    size,
    setSimple: (name, index, thread, value) => writeSimple(name, index, thread, value),
    addSimple(name, index, thread, delta) {
      const current = cells(name, 'simple', index, thread)[index] as bigint;
      writeSimple(name, index, thread, current + delta);
    },
    addCombined(name, index, thread, packets, bytes) {
      const cell = cells(name, 'combined', index, thread)[index] as [bigint, bigint];
      cell[0] = (cell[0] + packets) & u64Mask;
      cell[1] = (cell[1] + bytes) & u64Mask;
      const at = cellOffset(name, index, thread, 16);
      writeAt(at, u64(cell[0]));
      writeAt(at + 8, u64(cell[1]));
    },
    setScalar(name, value) {
      const v = BigInt(Math.trunc(value));
      const m = model.get(name);
      if (m !== undefined && m.kind !== 'scalar') throw new TypeError(`stats entry "${name}" is ${m.kind}, not scalar`);
      if (m === undefined) return replaceEntry(name, { kind: 'scalar', value: v });
      model.set(name, { kind: 'scalar', value: v });
      writeAt(layout!.directoryOffset + layout!.entryIndex.get(name)! * statsEntry.size + statsEntry.union, u64(v));
    },
    zeroSimpleIndex(name, index) {
      for (let t = 0; t < threads; t++) writeSimple(name, index, t, 0n);
    },
    setNameVector(name, names) {
      const m = model.get(name);
      if (m !== undefined && m.kind !== 'nameVector') throw new TypeError(`stats entry "${name}" is ${m.kind}, not a name vector`);
      replaceEntry(name, { kind: 'nameVector', names: [...names] });
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      clearInterval(timer);
      native.closeFd(listenFd);
      try {
        unlinkSync(opts.socketPath);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (file.path !== undefined) unlinkSync(file.path);
      closeSync(fd);
      return Promise.resolve();
    },
  };
}
