// The agent-check loop of one backend whose health check has an `agent` block: probe the agent
// every agent interval (under its own schedule slot and executor key, beside the backend's
// health loop), parse the answer (core/agent.ts) and keep the backend's agent verdict. A good
// answer that changes the verdict is reported (the checker turns it into one `agent` event, which
// the reconciler syncs like a transition); a bad answer is reported and ignored: the verdict
// stays, so garbage never flaps the backend. An agent that cannot be reached keeps its verdict
// too (HAProxy's rule: reachability is the health check's job).

import type { HealthCheck } from '../shared/config.js';
import { errorMessage } from '../shared/errors.js';
import { formatProbeDetail } from '../shared/probe-detail.js';
import type { ProbeOutcome } from '../shared/probe-outcome.js';
import { neutralAgentVerdict, nextAgentVerdict, parseAgentAnswer, sameAgentVerdict, type AgentVerdict } from '../core/agent.js';
import { jittered } from '../core/probe-interval.js';
import type { ProbeTarget } from './probe-executor.js';
import type { BackendLoopDeps } from './backend-loop.js';

/** The health loop's deps it shares (one schedule, one executor, one in-flight count), and its own callbacks. */
export interface AgentLoopDeps extends Pick<BackendLoopDeps, 'clock' | 'random' | 'executor' | 'schedule' | 'logger' | 'running' | 'onFlight'> {
  /** A good answer changed the verdict. */
  onVerdict(loop: AgentLoop, from: AgentVerdict, answer: string): void;
  /** A bad answer, ignored. `repeated`: the same bad answer as the previous one (log it once). */
  onBadAnswer(loop: AgentLoop, answer: string, reason: string, repeated: boolean): void;
}

/** What the API shows of an agent check. */
export interface AgentView {
  readonly verdict: AgentVerdict;
  readonly port: number;
  /** The latest good answer, as received; '' before the first. */
  readonly lastAnswer: string;
  /** Unix ms of the latest good answer; undefined before the first. */
  readonly lastAnswerAt: number | undefined;
  /** Bad answers since the loop started. */
  readonly badAnswers: number;
  /** Why the latest probe got no usable answer (unreachable agent, bad answer); '' when it got one. */
  readonly lastError: string;
}

export class AgentLoop {
  readonly backend: string;
  readonly slot: number;
  readonly address: string;
  readonly #deps: AgentLoopDeps;
  #target: ProbeTarget;
  #verdict: AgentVerdict = neutralAgentVerdict;
  #lastAnswer = '';
  #lastAnswerAt: number | undefined;
  #lastBad: string | undefined;
  #lastError = '';
  #badAnswers = 0;
  #inFlight = false;

  constructor(deps: AgentLoopDeps, slot: number, backend: string, address: string, check: HealthCheck) {
    this.#deps = deps;
    this.slot = slot;
    this.backend = backend;
    this.address = address;
    this.#target = { backend, address, check, agent: true };
  }

  get check(): HealthCheck {
    return this.#target.check;
  }

  get verdict(): AgentVerdict {
    return this.#verdict;
  }

  view(): AgentView {
    return {
      verdict: this.#verdict,
      port: this.#target.check.agent!.port,
      lastAnswer: this.#lastAnswer,
      lastAnswerAt: this.#lastAnswerAt,
      badAnswers: this.#badAnswers,
      lastError: this.#lastError,
    };
  }

  /** A reload kept the agent definition: the new check object (other fields may have changed). */
  update(check: HealthCheck): void {
    this.#target = { ...this.#target, check };
  }

  start(staggerMs = 0): void {
    this.stop();
    if (!this.#deps.running()) return;
    this.#wait(staggerMs + jittered(this.#target.check.agent!.intervalMs, this.#deps.random));
  }

  stop(): void {
    this.#deps.schedule.clear(this.slot);
    if (this.#inFlight) {
      this.#inFlight = false;
      this.#deps.onFlight(-1);
      this.#deps.executor.cancel(this.slot);
    }
  }

  due(): void {
    this.#inFlight = true;
    this.#deps.onFlight(1);
    try {
      this.#deps.executor.start(this.slot, this.#target);
    } catch (err) {
      this.#inFlight = false;
      this.#deps.onFlight(-1);
      this.#deps.logger.error('probe-error', { backend: this.backend, type: 'agent', err: errorMessage(err) });
      this.#next();
    }
  }

  onResult(o: ProbeOutcome): void {
    if (!this.#inFlight) return;
    this.#inFlight = false;
    this.#deps.onFlight(-1);
    if (!o.discarded) this.#record(o);
    if (this.#inFlight || this.#deps.schedule.has(this.slot)) return; // a callback restarted the loop
    this.#next();
  }

  #record(o: ProbeOutcome): void {
    if (o.code !== 'L7OK') {
      this.#lastError = `${o.code} ${formatProbeDetail(o.detail, o.arg, o.text)}`;
      const log = this.#deps.logger;
      if (log.enabled('debug')) log.debug('backend-agent-unreachable', { backend: this.backend, code: o.code, detail: formatProbeDetail(o.detail, o.arg, o.text) });
      return;
    }
    const answer = o.text ?? '';
    const parsed = parseAgentAnswer(answer);
    if (!parsed.ok) {
      this.#badAnswers++;
      this.#lastError = `bad answer: ${parsed.reason}`;
      const repeated = this.#lastBad === answer;
      this.#lastBad = answer;
      this.#deps.onBadAnswer(this, answer, parsed.reason, repeated);
      return;
    }
    this.#lastBad = undefined;
    this.#lastError = '';
    this.#lastAnswer = answer;
    this.#lastAnswerAt = o.at + o.durationMs;
    const from = this.#verdict;
    const next = nextAgentVerdict(from, parsed);
    if (sameAgentVerdict(from, next)) return;
    this.#verdict = next;
    this.#deps.onVerdict(this, from, answer);
  }

  #next(): void {
    if (this.#deps.running()) this.#wait(jittered(this.#target.check.agent!.intervalMs, this.#deps.random));
  }

  #wait(ms: number): void {
    this.#deps.schedule.set(this.slot, this.#deps.clock.now() + ms);
  }
}
