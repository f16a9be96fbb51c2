// One probe shard: the loop a probe worker thread runs for its whole life. It keeps the
// registered targets (id → prepared prober), starts probes as requests arrive, cancels on
// request, and streams results back in batches (every few ms or every 256 results), so a slow
// probe never holds back others. Runs in-process in tests; probe-worker.ts is its thin entry.
//
//   main thread ──register/probe/cancel/shutdown──▶ MessagePort ──▶ ProbeShard ──▶ probers
//               ◀──────────── ready, results (batched) ──────────────┘

import type { MessagePort } from 'node:worker_threads';
import type { ProbeResult } from '../shared/health.js';
import type { MainToShardMessage, ProbeOutcomeRecord, ProbeSpec, ShardExit, ShardToMainMessage } from '../shared/probe-messages.js';
import { probeProtocolVersion } from '../shared/probe-messages.js';
import type { CancelProbe, PreparedProbe } from './probes/probe-attempt.js';
import type { ProbeEnv } from './probes/probe-env.js';
import { prepareProbe } from './probes/prepare-probe.js';

export interface ProbeShardOptions {
  readonly shard: number;
  readonly port: MessagePort;
  readonly env: ProbeEnv;
  /** When set (the namespace could not be entered), every probe fails at once with L4CON and this detail. */
  readonly netnsError?: string | undefined;
  readonly batchMs?: number;
  readonly batchMax?: number;
}

function failed(code: 'L4CON' | 'SOCKERR', detail: string): ProbeResult {
  return { ok: false, layer: 'L4', code, detail, at: Date.now(), durationMs: 0 };
}

/** A prober that fails every probe at once (unusable namespace or definition). */
function failing(code: 'L4CON' | 'SOCKERR', detail: string): PreparedProbe {
  return {
    run(done) {
      done(failed(code, detail));
      return () => {};
    },
  };
}

export class ProbeShard {
  readonly #opts: ProbeShardOptions;
  readonly #targets = new Map<number, PreparedProbe>();
  readonly #inflight = new Map<number, CancelProbe>();
  #batch: ProbeOutcomeRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #probesRun = 0;
  #stopped: ((exit: ShardExit) => void) | undefined;

  constructor(opts: ProbeShardOptions) {
    this.#opts = opts;
  }

  /** Serves the port until a shutdown message; resolves with the shard's totals. */
  run(): Promise<ShardExit> {
    const { port, shard, netnsError } = this.#opts;
    const done = new Promise<ShardExit>((resolve) => (this.#stopped = resolve));
    port.on('message', (msg: MainToShardMessage) => this.#onMessage(msg));
    this.#post({ type: 'ready', v: probeProtocolVersion, shard, netnsError });
    return done;
  }

  #onMessage(msg: MainToShardMessage): void {
    switch (msg.type) {
      case 'register':
        for (const { id, spec } of msg.targets) this.#targets.set(id, this.#prepare(spec));
        return;
      case 'unregister':
        for (const id of msg.ids) this.#targets.delete(id);
        return;
      case 'probe':
        for (let i = 0; i + 1 < msg.pairs.length; i += 2) this.#start(msg.pairs[i] ?? 0, msg.pairs[i + 1] ?? 0);
        return;
      case 'cancel':
        for (const id of msg.probeIds) {
          this.#inflight.get(id)?.();
          this.#inflight.delete(id);
        }
        return;
      case 'shutdown':
        this.#shutdown();
        return;
      default: {
        const exhaustive: never = msg;
        throw new Error(`unknown message ${String(exhaustive)}`);
      }
    }
  }

  #prepare(spec: ProbeSpec): PreparedProbe {
    if (this.#opts.netnsError !== undefined) return failing('L4CON', this.#opts.netnsError);
    try {
      return prepareProbe(spec, this.#opts.env);
    } catch (e) {
      return failing('SOCKERR', `invalid probe: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  #start(probeId: number, targetId: number): void {
    const target = this.#targets.get(targetId);
    this.#probesRun++;
    if (target === undefined) {
      this.#push({ probeId, result: failed('SOCKERR', `unknown probe target ${targetId}`) });
      return;
    }
    let settled = false;
    const cancel = target.run((result) => {
      settled = true;
      this.#inflight.delete(probeId);
      this.#push({ probeId, result });
    });
    if (!settled) this.#inflight.set(probeId, cancel);
  }

  #push(rec: ProbeOutcomeRecord): void {
    this.#batch.push(rec);
    if (this.#batch.length >= (this.#opts.batchMax ?? 256)) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#opts.batchMs ?? 5);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#batch.length === 0) return;
    const results = this.#batch;
    this.#batch = [];
    this.#post({ type: 'results', results });
  }

  #post(msg: ShardToMainMessage): void {
    this.#opts.port.postMessage(msg);
  }

  #shutdown(): void {
    for (const cancel of this.#inflight.values()) cancel();
    this.#inflight.clear();
    this.#flush();
    this.#targets.clear();
    this.#opts.env.icmp.close();
    this.#opts.port.close();
    this.#stopped?.({ shard: this.#opts.shard, probesRun: this.#probesRun });
  }
}
