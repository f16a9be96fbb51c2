// The health checker: the main thread owns every backend's schedule and
// state. One BackendLoop per active backend (probed once however many frontends use it), each
// with a slot: its place in the one ProbeSchedule and its probes' key in the ProbeExecutor, whose
// results come back here by slot. Operator actions, reload, runtime weight overrides and
// frontend states. Transitions leave through the CheckerEventSource seam (one event per
// transition, naming the frontends it affects, whose states alone are recomputed) and the log;
// probe results also reach the optional observer (metrics) as primitives.

import type { Config, HealthCheck, HealthCheckType } from '../shared/config.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage, notFound } from '../shared/errors.js';
import type { BackendState, FrontendState, ProbeCode, TransitionRecord } from '../shared/health.js';
import type { Logger } from '../shared/log.js';
import { formatProbeDetail } from '../shared/probe-detail.js';
import type { ProbeConnection, ProbeOutcome } from '../shared/probe-outcome.js';
import { activeBackends, compareNames } from '../core/active-backends.js';
import { BackendLoop, type BackendLoopDeps, type ProbeRecording } from './backend-loop.js';
import { ProbeSchedule } from './probe-schedule.js';
import { CheckerEventBus } from './event-bus.js';
import type { BackendStateView, CheckerEvent, CheckerEventSource } from './events.js';
import { checkOf, planReload, type KeptBackend, type ReloadPlan } from '../core/reload-plan.js';
import { backendView, type BackendView } from './backend-view.js';
import { frontendView, type FrontendView } from '../core/frontend-view.js';
import { ConfiguredWeights } from './configured-weights.js';
import { isProbingState } from '../core/backend-machine.js';
import type { ProbeExecutor, ProbeSink } from './probe-executor.js';
import { staggerMs, type RandomSource } from '../core/probe-interval.js';
import { FrontendStates } from '../core/frontend-states.js';
import { ProberDiscards } from './prober-discards.js';
import type { DiscardReason } from '../shared/discard-reason.js';
import { panicDetail, type PanicVerdict } from '../core/panic.js';
import type { RampLevel } from '../core/slow-start.js';
import { canonicalIp } from '../shared/ip-address.js';
import { formatDurationMs } from '../shared/duration.js';
import { SlowStartRamps } from './slow-start-ramps.js';
import { AgentLoop, type AgentLoopDeps } from './agent-loop.js';
import { formatAgentVerdict, sameAgentCheck, type AgentVerdict } from '../core/agent.js';

/** What owns a slot: a backend's health loop or its agent loop. */
interface SlotOwner {
  due(lateMs: number): void;
  onResult(outcome: ProbeOutcome): void;
}

/** The most characters of an agent's answer a log line quotes. */
const maxLoggedAnswerChars = 64;

/**
 * Probe results for metrics (transitions are events: subscribe), as primitives: called for
 * every probe, it must not need a result object. Exceptions are logged, never propagated.
 */
export interface CheckerObserver {
  /** One recorded or discarded executor result (never a static backend's synthetic pass). */
  onProbe(backend: string, type: HealthCheckType, code: ProbeCode, outcome: ProbeRecording, durationMs: number, discardReason: DiscardReason | undefined): void;
  /**
   * A probe started `latenessMs` after it was due: the schedule's batching and delays plus the
   * hand-over to the worker (reported with its result, once the start time is known).
   */
  onProbeScheduled?(latenessMs: number): void;
  /** A probe of a reuse-connection check opened a connection or reused the kept one. */
  onProbeConnection?(healthcheck: string, connection: ProbeConnection): void;
}

export interface CheckerOptions {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly executor: ProbeExecutor;
  /** Uniform in [0, 1); default Math.random. */
  readonly random?: RandomSource;
  readonly observer?: CheckerObserver;
  /**
   * Probes come due in batches at most this often (ms), each up to this late; 0 (default):
   * each at its exact time. The daemon batches, so thousands of probes a second cost a few
   * timer firings and messages.
   */
  readonly scheduleQuantumMs?: number;
}

export interface ReloadCounts {
  readonly started: number;
  readonly stopped: number;
  readonly restarted: number;
}

export class Checker implements CheckerEventSource, BackendStateView {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #observer: CheckerObserver | undefined;
  readonly #bus: CheckerEventBus;
  readonly #workerDeps: BackendLoopDeps;
  readonly #workers = new Map<string, BackendLoop>();
  /** The agent loops of the backends whose health check has an agent block. */
  readonly #agents = new Map<string, AgentLoop>();
  readonly #agentDeps: AgentLoopDeps;
  /** The loops by slot (schedule slot and probe key); freed slots are reused. */
  readonly #bySlot: Array<SlotOwner | undefined> = [];
  readonly #freeSlots: number[] = [];
  readonly #frontendStates: FrontendStates;
  readonly #weights: ConfiguredWeights;
  readonly #discards: ProberDiscards;
  readonly #ramps: SlowStartRamps;
  #config: Config;
  #refs: ReadonlyMap<string, readonly string[]>;
  #lastProbeAt: number | undefined;
  /** Probes in flight, all loops together. */
  #inFlight = 0;
  #running = false;
  #deferFrontends = false;

  constructor(opts: CheckerOptions) {
    this.#clock = opts.clock;
    this.#log = opts.logger;
    this.#observer = opts.observer;
    this.#bus = new CheckerEventBus((err) => this.#log.error('event-subscriber-error', { err: errorMessage(err) }));
    this.#config = opts.config;
    this.#refs = activeBackends(opts.config);
    this.#weights = new ConfiguredWeights(opts.config);
    const executor = opts.executor;
    const schedule = new ProbeSchedule({
      clock: opts.clock,
      onDue: (slot, lateMs) => this.#bySlot[slot]?.due(lateMs),
      quantumMs: opts.scheduleQuantumMs ?? 0,
      onTick: () => executor.poll?.(),
      busy: () => this.#inFlight > 0,
    });
    const sink: ProbeSink = { onProbeResult: (key, outcome) => this.#bySlot[key]?.onResult(outcome) };
    executor.setSink(sink);
    this.#discards = new ProberDiscards(opts.clock, opts.logger);
    this.#ramps = new SlowStartRamps(opts.clock, (b, r) => this.#emitRamp(b, r));
    this.#workerDeps = {
      clock: opts.clock,
      random: opts.random ?? Math.random,
      executor: opts.executor,
      schedule,
      logger: opts.logger,
      running: () => this.#running,
      onTransition: (w, t) => this.#emitTransition(w, t),
      onStarted: (lateMs) => this.#observeLateness(lateMs),
      onFlight: (delta) => (this.#inFlight += delta),
      onProbe: (w, check, outcome, recording) => this.#observeProbe(w, check, outcome, recording),
    };
    this.#agentDeps = {
      ...this.#workerDeps,
      onVerdict: (loop, from, answer) => this.#emitAgent(loop, from, answer),
      onBadAnswer: (loop, answer, reason, repeated) => {
        if (!repeated) this.#log.warn('backend-agent-bad-answer', { backend: loop.backend, answer: answer.slice(0, maxLoggedAnswerChars), reason });
      },
    };
    for (const name of this.#refs.keys()) this.#workers.set(name, this.#newWorker(name, opts.config));
    this.#syncAgents();
    this.#frontendStates = new FrontendStates(opts.config, this.stateOf, this.weightOf, this.agentOf);
  }

  /** Starts every probe loop, staggered by position in the name-sorted active list. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const total = this.#workers.size;
    [...this.#workers.values()].forEach((w, pos) => {
      this.#log.info('backend-start', { backend: w.name });
      w.startLoop(staggerMs(w.check?.intervalMs ?? 0, pos, total));
      this.#agents.get(w.name)?.start(staggerMs(w.check?.agent?.intervalMs ?? 0, pos, total));
    });
  }

  /** Stops every loop and aborts in-flight probes (shutdown). The executor is not closed. */
  stop(): void {
    this.#running = false;
    for (const w of this.#workers.values()) w.stopLoop();
    for (const a of this.#agents.values()) a.stop();
    this.#ramps.stop();
  }

  subscribe(fn: (ev: CheckerEvent) => void): () => void {
    return this.#bus.subscribe(fn);
  }

  get config(): Config {
    return this.#config;
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** Active backend names, sorted. */
  listBackends(): string[] {
    return [...this.#workers.keys()];
  }

  /** Configured frontend names, sorted. */
  listFrontends(): string[] {
    return [...this.#config.frontends.keys()].sort(compareNames);
  }

  /** Bound: pass it as a StateOf. undefined for a backend that is not active. */
  readonly stateOf = (backend: string): BackendState | undefined => this.#workers.get(backend)?.machine.state;

  getBackend(name: string): BackendView | undefined {
    const w = this.#workers.get(name);
    return w === undefined ? undefined : this.#view(w);
  }

  /** Unix ms when the latest executor result (recorded or discarded) completed; undefined before the first. */
  get lastProbeAt(): number | undefined {
    return this.#lastProbeAt;
  }

  /** Discarded probe results per reason within the last minute (the /healthz degraded prober). */
  recentDiscards(): Partial<Record<DiscardReason, number>> {
    return this.#discards.recent();
  }

  frontendState(name: string): FrontendState | undefined {
    return this.#frontendStates.get(name);
  }

  /** The view in the tracked frontend state (the one its transition events announced). */
  frontendInfo(name: string): FrontendView | undefined {
    const fe = this.#config.frontends.get(name);
    const state = this.#frontendStates.get(name);
    if (fe === undefined || state === undefined) return undefined;
    return frontendView(fe, state, this.stateOf, this.weightOf, (b) => this.#workers.get(b)?.machine.latestTransition()?.at, this.rampOf, this.agentOf);
  }

  /** The agent verdict of a backend with an agent check. Bound: pass it as an AgentOf. */
  readonly agentOf = (backend: string): AgentVerdict | undefined => this.#agents.get(backend)?.verdict;

  /** Backends in slow start and their level. Bound: pass it as a RampOf. */
  readonly rampOf = (backend: string): RampLevel | undefined => this.#ramps.rampOf(backend);

  /**
   * Slow-start restart neutrality: `addresses` are the AS addresses VPP serves (weight > 0) when
   * maglevd starts. Their backends that have not moved past their first transition start no ramp
   * when they come up, and a ramp that already started ends (its VIPs are synced at once).
   */
  adoptServing(addresses: ReadonlySet<string>): void {
    const fresh = [...this.#workers.values()].filter((w) => {
      const n = w.machine.history().length;
      const first = (w.machine.state === 'unknown' && n === 0) || (w.machine.state === 'up' && n === 1);
      return first && w.backend.slowStart !== undefined && addresses.has(canonicalIp(w.backend.address));
    });
    for (const name of this.#ramps.adopt(fresh.map((w) => w.name))) {
      this.#log.info('backend-slow-start-skipped', { backend: name, reason: 'already serving in VPP at startup' });
      const steps = this.#workers.get(name)!.backend.slowStart!.steps;
      this.#emitRamp(name, { level: steps, steps });
    }
  }

  /** The startup warmup is over: backends coming up from now on ramp whatever VPP held at startup. */
  endAdoption(): void {
    this.#ramps.endAdoption();
  }

  /** Configured weight (override, else YAML; 0 for a non-member). Bound: pass it as a WeightOf. */
  readonly weightOf = (frontend: string, pool: string, backend: string): number => this.#weights.weightOf(frontend, pool, backend);

  // ---- operator actions ------------------------------------------------------------------

  pause(name: string): BackendView {
    const w = this.#worker(name);
    const t = w.machine.pause(this.#clock.now());
    this.#log.info('backend-pause', { backend: name });
    if (t !== undefined) {
      w.stopLoop();
      this.#emitTransition(w, t);
    }
    return this.#view(w);
  }

  resume(name: string): BackendView {
    const w = this.#worker(name);
    const t = w.machine.resume(this.#clock.now());
    this.#log.info('backend-resume', { backend: name });
    if (t !== undefined) {
      this.#emitTransition(w, t);
      w.startLoop(); // one jittered fast-interval, no stagger
    }
    return this.#view(w);
  }

  disable(name: string): BackendView {
    const w = this.#worker(name);
    const t = w.machine.disable(this.#clock.now());
    this.#log.info('backend-disable', { backend: name });
    if (t !== undefined) {
      w.stopLoop();
      this.#emitTransition(w, t);
    }
    return this.#view(w);
  }

  enable(name: string): BackendView {
    const w = this.#worker(name);
    const t = w.machine.enable(this.#clock.now());
    this.#log.info('backend-enable', { backend: name });
    if (t !== undefined) {
      this.#emitTransition(w, t);
      w.startLoop();
    }
    return this.#view(w);
  }

  /** A runtime weight override until the next reload. `flush` is only logged; the sync applies it. */
  setWeight(frontend: string, pool: string, backend: string, weight: number, flush = false): FrontendView {
    this.#weights.set(frontend, pool, backend, weight);
    this.#log.info('frontend-weight-set', { frontend, pool, backend, weight, flush });
    this.#recomputeFrontends();
    return this.frontendInfo(frontend)!;
  }

  // ---- reload ----------------------------------------------------------------------------

  /** Applies an already validated config. Logging `config-reload` and the sync are the caller's. */
  reload(next: Config): ReloadCounts {
    const plan = planReload(this.#config, next);
    const oldRefs = this.#refs;
    const now = this.#clock.now();
    let restarted = 0;
    this.#deferFrontends = true;
    try {
      for (const name of plan.removed) {
        const w = this.#workers.get(name)!;
        w.stopLoop();
        this.#log.info('backend-stop', { backend: name });
        const t = w.machine.remove(now);
        if (t !== undefined) this.#emitTransition(w, t, oldRefs.get(name) ?? []);
        this.#workers.delete(name);
        this.#freeSlot(w.slot);
      }
      this.#config = next;
      this.#refs = activeBackends(next);
      this.#weights.reset(next);
      // The full sync that follows a reload programs the moved levels: no ramp events needed.
      this.#ramps.reconfigure((b) => next.backends.get(b)?.slowStart);

      for (const k of plan.kept) if (this.#reloadKept(k, plan, next, now)) restarted++;

      for (const a of plan.added) {
        const w = this.#newWorker(a.name, next);
        this.#workers.set(a.name, w);
        this.#log.info('backend-start', { backend: a.name });
        w.startLoop(staggerMs(w.check?.intervalMs ?? 0, a.pos, plan.total));
      }
      this.#sortWorkers();
      // After the backends: a new agent loop of a restarted backend starts with its stagger.
      this.#syncAgents(plan);
    } finally {
      this.#deferFrontends = false;
    }
    this.#recomputeFrontends();
    return { started: plan.added.length, stopped: plan.removed.length, restarted };
  }

  /** One backend active before and after. Returns whether it restarted. */
  #reloadKept(k: KeptBackend, plan: ReloadPlan, next: Config, now: number): boolean {
    const w = this.#workers.get(k.name)!;
    const backend = next.backends.get(k.name)!;
    const check = checkOf(next, k.name);
    const oldAddress = w.backend.address;
    w.update(backend, check);
    w.machine.setHistorySize(next.healthchecker.transitionHistory);
    const reason = k.addressChanged
      ? 'address changed'
      : k.checkChanged
        ? 'healthcheck changed'
        : plan.netnsChanged && check !== undefined
          ? 'netns changed'
          : undefined;
    let startAfter: 'stagger' | 'fast' | undefined;
    if (reason !== undefined) {
      w.stopLoop();
      this.#log.info('backend-restart', { backend: k.name, reason });
      if (k.checkChanged) w.machine.reconfigure(check ?? { rise: 1, fall: 1 });
      if (k.addressChanged) {
        const t = w.machine.restart(now, `address changed from ${oldAddress} to ${backend.address}`);
        if (t !== undefined) this.#emitTransition(w, t);
      }
      startAfter = 'stagger';
    }
    if (k.enabledChange === 'enable') {
      const t = w.machine.enable(now, 'enabled in config');
      this.#log.info('backend-enable', { backend: k.name });
      if (t !== undefined) {
        this.#emitTransition(w, t);
        startAfter = 'fast'; // like an operator enable: no stagger
      }
    } else if (k.enabledChange === 'disable') {
      const t = w.machine.disable(now, 'disabled in config');
      this.#log.info('backend-disable', { backend: k.name });
      if (t !== undefined) {
        w.stopLoop();
        this.#emitTransition(w, t);
        startAfter = undefined;
      }
    }
    if (startAfter !== undefined && isProbingState(w.machine.state)) {
      w.startLoop(startAfter === 'stagger' ? staggerMs(check?.intervalMs ?? 0, k.pos, plan.total) : 0);
    }
    return reason !== undefined;
  }

  // ---- internals --------------------------------------------------------------------------------

  #newWorker(name: string, config: Config): BackendLoop {
    const slot = this.#freeSlots.pop() ?? this.#bySlot.length;
    const w = new BackendLoop(this.#workerDeps, slot, config.backends.get(name)!, checkOf(config, name), config.healthchecker.transitionHistory);
    this.#bySlot[slot] = w;
    return w;
  }

  #freeSlot(slot: number): void {
    this.#bySlot[slot] = undefined;
    this.#freeSlots.push(slot);
    this.#workerDeps.executor.release?.(slot);
  }

  /**
   * One agent loop per active backend whose health check has an agent block. A loop whose agent
   * definition and address are unchanged is kept (its verdict too); the others stop, and a new
   * one starts from the neutral verdict (the reload's full sync programs the weights). `plan`:
   * a reload (new loops start at once, staggered); absent: the constructor (start() starts them).
   */
  #syncAgents(plan?: ReloadPlan): void {
    for (const [name, a] of [...this.#agents]) {
      const w = this.#workers.get(name);
      const check = w?.check;
      if (w !== undefined && check !== undefined && w.backend.address === a.address && sameAgentCheck(a.check.agent, check.agent)) {
        a.update(check);
        continue;
      }
      a.stop();
      this.#agents.delete(name);
      this.#freeSlot(a.slot);
      if (plan !== undefined) this.#log.info('backend-agent-stop', { backend: name, verdict: formatAgentVerdict(a.verdict) });
    }
    const pos = new Map([...this.#workers.keys()].map((n, i) => [n, i]));
    for (const w of this.#workers.values()) {
      const check = w.check;
      if (check?.agent === undefined || this.#agents.has(w.name)) continue;
      const slot = this.#freeSlots.pop() ?? this.#bySlot.length;
      const a = new AgentLoop(this.#agentDeps, slot, w.name, w.backend.address, check);
      this.#bySlot[slot] = a;
      this.#agents.set(w.name, a);
      if (plan !== undefined) a.start(staggerMs(check.agent.intervalMs, pos.get(w.name) ?? 0, plan.total));
    }
  }

  /** Keeps the worker map in name order, so listBackends() needs no sort. */
  #sortWorkers(): void {
    const sorted = [...this.#workers.entries()].sort(([a], [b]) => compareNames(a, b));
    this.#workers.clear();
    for (const [k, v] of sorted) this.#workers.set(k, v);
  }

  #worker(name: string): BackendLoop {
    const w = this.#workers.get(name);
    if (w === undefined) throw notFound('backend', name);
    return w;
  }

  #view(w: BackendLoop): BackendView {
    return backendView(w, this.#refs.get(w.name) ?? [], this.#agents.get(w.name)?.view());
  }

  /** `frontends`: the sorted referencing frontends (a removed backend's are those of the old config). */
  #emitTransition(w: BackendLoop, t: TransitionRecord, frontends: readonly string[] = this.#refs.get(w.name) ?? []): void {
    const monoAt = performance.now();
    this.#log.info('backend-transition', { backend: w.name, from: t.from, to: t.to, code: t.code, detail: t.detail });
    this.#startRamp(w, t);
    this.#bus.emit({ kind: 'backend', backend: w.name, frontends, transition: t, monoAt });
    this.#recomputeFrontends(frontends);
  }

  /** Emits a frontend transition for every state change; `only`: just these frontends. */
  #recomputeFrontends(only?: readonly string[]): void {
    if (this.#deferFrontends) return;
    const changes =
      only === undefined
        ? this.#frontendStates.update(this.#config, this.stateOf, this.weightOf, this.agentOf)
        : this.#frontendStates.updateOnly(this.#config, only, this.stateOf, this.weightOf, this.agentOf);
    for (const { frontend, from, to, wasPanic, panic } of changes) {
      const at = this.#clock.now();
      if (from !== to) {
        this.#log.info('frontend-transition', { frontend, from, to });
        this.#bus.emit({ kind: 'frontend', frontend, from, to, at });
      }
      if (wasPanic !== panic.panic) this.#emitPanic(frontend, to, panic, at);
    }
  }

  #startRamp(w: BackendLoop, t: TransitionRecord): void {
    const s = w.backend.slowStart;
    const start = this.#ramps.onTransition(w.name, t, s);
    if (start === 'started') this.#log.info('backend-slow-start', { backend: w.name, window: formatDurationMs(s!.windowMs), steps: s!.steps });
    else if (start === 'adopted') this.#log.info('backend-slow-start-skipped', { backend: w.name, reason: 'already serving in VPP at startup' });
  }

  #emitRamp(backend: string, r: RampLevel): void {
    this.#log.info('backend-slow-start-step', { backend, step: r.level, steps: r.steps });
    this.#bus.emit({ kind: 'ramp', backend, frontends: this.#refs.get(backend) ?? [], level: r.level, steps: r.steps, at: this.#clock.now() });
  }

  /** A new agent verdict: logged, one `agent` event (the reconciler syncs its VIPs), frontends recomputed. */
  #emitAgent(a: AgentLoop, from: AgentVerdict, answer: string): void {
    const frontends = this.#refs.get(a.backend) ?? [];
    const to = a.verdict;
    this.#log.info('backend-agent', { backend: a.backend, from: formatAgentVerdict(from), to: formatAgentVerdict(to), answer: answer.slice(0, maxLoggedAnswerChars) });
    const state = this.#workers.get(a.backend)?.machine.state ?? 'unknown';
    this.#bus.emit({ kind: 'agent', backend: a.backend, frontends, state, from, to, answer, at: this.#clock.now() });
    this.#recomputeFrontends(frontends);
  }

  #emitPanic(frontend: string, state: FrontendState, verdict: PanicVerdict, at: number): void {
    const fe = this.#config.frontends.get(frontend)!;
    const detail = panicDetail(fe, verdict);
    if (verdict.panic) this.#log.warn('frontend-panic-enter', { frontend, detail });
    else this.#log.info('frontend-panic-exit', { frontend, detail });
    this.#bus.emit({ kind: 'panic', frontend, panic: verdict.panic, state, detail, at });
  }

  #observeProbe(w: BackendLoop, check: HealthCheck, o: ProbeOutcome, recording: ProbeRecording): void {
    this.#lastProbeAt = o.at + o.durationMs;
    // A discard is no observation of the backend (backend-loop.ts), but it is the prober's trouble.
    if (recording === 'discarded') this.#discards.note(o.discardReason ?? 'stall', { backend: w.name, code: o.code, detail: formatProbeDetail(o.detail, o.arg, o.text) });
    if (this.#observer === undefined) return;
    try {
      this.#observer.onProbe(w.name, check.type, o.code, recording, o.durationMs, o.discardReason);
      if (o.connection !== undefined) this.#observer.onProbeConnection?.(check.name, o.connection);
    } catch (err) {
      this.#log.error('checker-observer-error', { err: errorMessage(err) });
    }
  }

  #observeLateness(lateMs: number): void {
    if (this.#observer?.onProbeScheduled === undefined) return;
    try {
      this.#observer.onProbeScheduled(lateMs);
    } catch (err) {
      this.#log.error('checker-observer-error', { err: errorMessage(err) });
    }
  }
}
