// Obtains VPP's stats segment: connect to stats.sock (SOCK_SEQPACKET), take
// the one memfd VPP sends with SCM_RIGHTS, fstat it for the size, and read it with pread.
// The receive is non-blocking and polled, so a simulator in the same thread can answer.
// Obtain a new segment on every (re)connect: after a VPP restart the old one is stale.

import { closeSync, fstatSync, openSync } from 'node:fs';
import { DaemonError, errorMessage } from '../shared/errors.js';
import { loadNative } from '../shared/native.js';
import { StatsSegmentReader, type StatsReaderOptions, type StatsReading, type StatsRequest } from './stats-segment.js';
import { fdSource } from './stats-source.js';
import { pollTimer } from './stats-wait.js';

export interface StatsClient {
  readonly size: number;
  /** A consistent read (StatsSegmentReader.read); DaemonError('STATS_SEGMENT') after close. */
  read(req: StatsRequest): Promise<StatsReading>;
  /** Releases the segment; idempotent. */
  close(): void;
}

export interface StatsClientOptions extends StatsReaderOptions {
  /** How long to wait for VPP to send the fd (default 1000 ms). */
  readonly timeoutMs?: number;
}

const pollMs = 2;

function statsError(where: string, e: unknown): DaemonError {
  return new DaemonError('STATS_SEGMENT', `stats segment ${where}: ${errorMessage(e)}`, { cause: e });
}

/** Connects to stats.sock at socketPath and wraps the received segment. */
export async function connectStatsSegment(socketPath: string, opts: StatsClientOptions = {}): Promise<StatsClient> {
  const timer = pollTimer(opts.clock);
  const native = loadNative();
  let sock: number;
  try {
    sock = native.connectSeqpacket(socketPath);
  } catch (e) {
    throw statsError(socketPath, e);
  }
  const deadline = timer.now() + (opts.timeoutMs ?? 1000);
  let fd = -1;
  try {
    for (;;) {
      fd = native.tryRecvFd(sock);
      if (fd >= 0) break;
      if (timer.now() >= deadline) throw new Error('no segment received before the timeout');
      await timer.wait(pollMs);
    }
  } catch (e) {
    throw statsError(socketPath, e);
  } finally {
    native.closeFd(sock);
  }
  return openStatsSegmentFd(fd, opts);
}

/** Wraps an already open segment fd (tests, or an fd obtained elsewhere); takes ownership of it. */
export function openStatsSegmentFd(fd: number, opts: StatsReaderOptions = {}): StatsClient {
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (e) {
    closeSync(fd);
    throw statsError(`fd ${fd}`, e);
  }
  if (size === 0) {
    closeSync(fd);
    throw statsError(`fd ${fd}`, 'empty segment');
  }
  const reader = new StatsSegmentReader(fdSource(fd, size), opts);
  let open = true;
  return {
    size,
    read(req) {
      if (!open) return Promise.reject(new DaemonError('STATS_SEGMENT', 'stats segment is closed'));
      return reader.read(req);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** Opens a segment file by path (tests; a tmpfs copy of a segment). */
export function openStatsSegmentFile(path: string, opts: StatsReaderOptions = {}): StatsClient {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw statsError(path, e);
  }
  return openStatsSegmentFd(fd, opts);
}
