// The typed protocol between the probe dispatcher (main thread) and the probe shards (Piscina
// worker threads). Each target's probe definition (ProbeSpec) is registered with its shard once;
// probe requests then carry only id pairs, through a shared request ring the shard reads on its
// own tick (or, when that is full, in a transferred Uint32Array), so thousands of probes per
// second never clone configs, build objects or wake the shard. Results travel back as binary
// records (src/shared/probe-batch.ts), plain numbers and texts, never Error objects: through
// the shard's shared result ring (no message), or in batches when they carry a text.

import type { MessagePort } from 'node:worker_threads';
import type { ResultBatch } from './probe-batch.js';

/** Bumped whenever a message shape changes; the shard refuses a task of another version. */
export const probeProtocolVersion = 5;

/** TLS settings of one target, already resolved from the health check's params. */
export interface TlsSpec {
  /** SNI server name; undefined → no SNI extension. */
  readonly servername: string | undefined;
  /** The name (or IP literal) the certificate is verified against. */
  readonly verifyName: string;
  readonly insecureSkipVerify: boolean;
}

interface ProbeSpecBase {
  /** Canonical IP literal of the backend. */
  readonly address: string;
  readonly family: 4 | 6;
  /** One deadline over the whole probe. */
  readonly timeoutMs: number;
  /** probe-ipv4-src / probe-ipv6-src for this family; undefined → the OS chooses. */
  readonly sourceAddress: string | undefined;
}

export interface IcmpProbeSpec extends ProbeSpecBase {
  readonly kind: 'icmp';
}

export interface TcpProbeSpec extends ProbeSpecBase {
  readonly kind: 'tcp';
  readonly port: number;
  /** Set when `ssl: true`. */
  readonly tls: TlsSpec | undefined;
}

export interface HttpProbeSpec extends ProbeSpecBase {
  readonly kind: 'http';
  readonly port: number;
  /** Set for https. */
  readonly tls: TlsSpec | undefined;
  readonly path: string;
  /** The Host header value, defaults already applied. */
  readonly host: string;
  readonly codeMin: number;
  readonly codeMax: number;
  /** RE2 pattern (Go regexp syntax) searched in the body; undefined → the body is not read. */
  readonly responseRegexp: string | undefined;
  /** reuse-connection: keep one connection open between probes (JS prober only). Absent: false. */
  readonly reuseConnection?: boolean;
}

/** The agent check (HAProxy `agent-check`): connect, send `send` if set, read one answer line. */
export interface AgentProbeSpec extends ProbeSpecBase {
  readonly kind: 'agent';
  readonly port: number;
  /** Sent with a newline once connected; undefined → nothing is sent. */
  readonly send: string | undefined;
}

/** Everything a shard needs to run probes of one target. */
export type ProbeSpec = IcmpProbeSpec | TcpProbeSpec | HttpProbeSpec | AgentProbeSpec;

/** The Piscina task input that turns a worker thread into a long-lived probe shard. */
export interface ShardTask {
  readonly v: number;
  readonly shard: number;
  /** The shard's end of its MessageChannel (transferred). */
  readonly port: MessagePort;
  /** healthchecker.netns; '' → stay in the current namespace. */
  readonly netns: string;
  /** The shard's result ring (src/shared/probe-batch.ts): where results go. */
  readonly ring: SharedArrayBuffer;
  /** The shard's request ring (src/shared/request-ring.ts): where probe requests come from. */
  readonly requests: SharedArrayBuffer;
  /** The shard reads its request ring on wall-clock multiples of this (ms), a little after the main thread's schedule ticks. */
  readonly tickMs: number;
}

/** How a shard task ends when it is told to shut down. */
export interface ShardExit {
  readonly shard: number;
  readonly probesRun: number;
}

export interface RegisterMessage {
  readonly type: 'register';
  readonly targets: ReadonlyArray<{ readonly id: number; readonly spec: ProbeSpec }>;
}

export interface UnregisterMessage {
  readonly type: 'unregister';
  readonly ids: readonly number[];
}

export interface ProbeMessage {
  readonly type: 'probe';
  /** Flattened pairs: probeId, targetId, probeId, targetId, ... (transferred) */
  readonly pairs: Uint32Array;
}

export interface CancelMessage {
  readonly type: 'cancel';
  /** Flattened pairs: probeId, targetId, ... */
  readonly pairs: readonly number[];
}

export interface ShutdownMessage {
  readonly type: 'shutdown';
}

/** Requests wait in the request ring and the shard said it stopped reading it. */
export interface WakeMessage {
  readonly type: 'wake';
}

export type MainToShardMessage = RegisterMessage | UnregisterMessage | ProbeMessage | CancelMessage | ShutdownMessage | WakeMessage;

/** Sent once, after the shard has (or has not) entered the namespace. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly v: number;
  readonly shard: number;
  /** undefined when the namespace was entered (or none was asked for); else `enter netns "<name>": <error>`. */
  readonly netnsError: string | undefined;
}

/** A batch of results (its records buffer transferred). */
export interface ResultsMessage extends ResultBatch {
  readonly type: 'results';
}

export type ShardToMainMessage = ReadyMessage | ResultsMessage;
