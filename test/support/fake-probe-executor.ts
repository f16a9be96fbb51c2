// Test helper (not a test): an in-memory ProbeExecutor driven by a ManualClock. Each probe is
// answered by a per-backend script (or a default), after `delayMs` of clock time, or held
// until the test resolves it. Records every run and cancel so tests can assert on them.

import type { DiscardReason } from '../../src/shared/discard-reason.js';
import type { TimerHandle } from '../../src/shared/clock.js';
import type { ManualClock } from './manual-clock.js';
import type { ProbeCode } from '../../src/shared/health.js';
import { detailKind } from '../../src/shared/probe-detail.js';
import type { ProbeConnection } from '../../src/shared/probe-outcome.js';
import type { ProbeExecutor, ProbeSink, ProbeTarget } from '../../src/checker/probe-executor.js';

export interface FakeAnswer {
  readonly ok: boolean;
  readonly code?: ProbeCode;
  readonly detail?: string;
  /** Clock time until the result arrives; default 10 ms. */
  readonly delayMs?: number;
  readonly discarded?: boolean;
  readonly discardReason?: DiscardReason;
  readonly lagMs?: number;
  /** As a reuse-connection prober reports it. */
  readonly connection?: ProbeConnection;
}
/** 'hold': the probe stays pending until resolve() or cancel. */
export type FakeScriptEntry = FakeAnswer | 'hold';

export interface FakeProbe {
  readonly key: number;
  readonly target: ProbeTarget;
  readonly startedAt: number;
  status: 'pending' | 'done' | 'cancelled';
  deliver(answer: FakeAnswer): void;
}

export const pass: FakeAnswer = { ok: true };
export const fail: FakeAnswer = { ok: false };

export class FakeProbeExecutor implements ProbeExecutor {
  readonly probes: FakeProbe[] = [];
  readonly #clock: ManualClock;
  readonly #scripts = new Map<string, FakeScriptEntry[]>();
  readonly #cancels = new Map<number, () => void>();
  #sink: ProbeSink | undefined;
  /** Answer when a backend's script is empty. */
  defaultAnswer: FakeScriptEntry = pass;
  closed = false;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  /** Queues answers for the next probes of a backend (`<backend>#agent`: of its agent check). */
  script(backend: string, ...entries: FakeScriptEntry[]): void {
    const list = this.#scripts.get(backend) ?? [];
    list.push(...entries);
    this.#scripts.set(backend, list);
  }

  setSink(sink: ProbeSink): void {
    this.#sink = sink;
  }

  start(key: number, target: ProbeTarget): void {
    this.cancel(key);
    const startedAt = this.#clock.now();
    let timer: TimerHandle | undefined;
    const probe: FakeProbe = {
      key,
      target,
      startedAt,
      status: 'pending',
      deliver: (a) => {
        if (probe.status !== 'pending') throw new Error('fake probe already settled');
        probe.status = 'done';
        this.#cancels.delete(key);
        const code = a.code ?? (a.ok ? 'L4OK' : 'L4CON');
        this.#sink?.onProbeResult(key, {
          code,
          detail: detailKind.text,
          arg: 0,
          text: a.detail ?? (a.ok ? 'connected' : 'connect: ECONNREFUSED'),
          at: startedAt,
          durationMs: this.#clock.now() - startedAt,
          discarded: a.discarded ?? false,
          ...(a.discardReason === undefined ? {} : { discardReason: a.discardReason }),
          lagMs: a.lagMs ?? NaN,
          ...(a.connection === undefined ? {} : { connection: a.connection }),
        });
      },
    };
    this.probes.push(probe);
    this.#cancels.set(key, () => {
      if (probe.status !== 'pending') return;
      probe.status = 'cancelled';
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    });
    const entry = this.#scripts.get(target.agent === true ? `${target.backend}#agent` : target.backend)?.shift() ?? this.defaultAnswer;
    if (entry !== 'hold') timer = this.#clock.setTimeout(() => probe.deliver(entry), entry.delayMs ?? 10);
  }

  cancel(key: number): void {
    this.#cancels.get(key)?.();
    this.#cancels.delete(key);
  }

  /** Keys released (their backend left the config), in order. */
  readonly released: number[] = [];

  release(key: number): void {
    this.cancel(key);
    this.released.push(key);
  }

  /** Answers the oldest pending probe of a backend. */
  resolve(backend: string, answer: FakeAnswer): void {
    const p = this.probes.find((x) => x.target.backend === backend && x.status === 'pending');
    if (p === undefined) throw new Error(`no pending probe for ${backend}`);
    p.deliver(answer);
  }

  /** Probes started for a backend (all statuses). */
  runs(backend: string): FakeProbe[] {
    return this.probes.filter((p) => p.target.backend === backend);
  }

  pending(backend?: string): FakeProbe[] {
    return this.probes.filter((p) => p.status === 'pending' && (backend === undefined || p.target.backend === backend));
  }

  close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending()) p.status = 'cancelled';
    return Promise.resolve();
  }
}
