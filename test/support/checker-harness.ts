// Test helper (not a test): a Checker wired to a ManualClock, the fake executor, a recording
// logger and an event/observer recorder, with random() = 0.5 so jitter is exactly 1.

import { Checker, type CheckerObserver } from '../../src/checker/checker.js';
import type { CheckerEvent } from '../../src/checker/events.js';
import { ManualClock } from './manual-clock.js';
import { FakeProbeExecutor } from './fake-probe-executor.js';
import { makeConfig, type FixtureSpec } from './checker-fixtures.js';
import { RecordingLogger } from './recording-logger.js';

export interface CheckerHarness {
  readonly clock: ManualClock;
  readonly t0: number;
  readonly exec: FakeProbeExecutor;
  readonly log: RecordingLogger;
  readonly events: CheckerEvent[];
  /**
   * Probe observer calls and transition events in order, as short strings, e.g.
   * "probe b1 tcp L4OK recorded", "backend b1 unknown>up", "frontend web unknown>up".
   */
  readonly observed: string[];
  readonly checker: Checker;
  /** Milliseconds since t0. */
  rel(): number;
  /** Backend events as "backend:from>to:code@frontend,frontend" ('-' for none). */
  backendEvents(): string[];
  /** Frontend events as "frontend:from>to". */
  frontendEvents(): string[];
}

export function checkerHarness(spec: FixtureSpec, opts: { debug?: boolean; random?: () => number } = {}): CheckerHarness {
  const clock = new ManualClock();
  const t0 = clock.now();
  const exec = new FakeProbeExecutor(clock);
  const log = new RecordingLogger({ debug: opts.debug ?? true });
  const events: CheckerEvent[] = [];
  const observed: string[] = [];
  const observer: CheckerObserver = {
    onProbe: (b, type, code, outcome) => observed.push(`probe ${b} ${type} ${code} ${outcome}`),
  };
  const checker = new Checker({ config: makeConfig(spec), clock, logger: log, executor: exec, random: opts.random ?? (() => 0.5), observer });
  checker.subscribe((ev) => {
    events.push(ev);
    observed.push(ev.kind === 'backend' ? `backend ${ev.backend} ${ev.transition.from}>${ev.transition.to}` : ev.kind === 'frontend' ? `frontend ${ev.frontend} ${ev.from}>${ev.to}` : ev.kind === 'panic' ? `panic ${ev.frontend} ${ev.panic}` : ev.kind === 'ramp' ? `ramp ${ev.backend} ${ev.level}/${ev.steps}` : `agent ${ev.backend} ${ev.to.state} ${ev.to.percent}%`);
  });
  return {
    clock,
    t0,
    exec,
    log,
    events,
    observed,
    checker,
    rel: () => clock.now() - t0,
    backendEvents: () =>
      events.flatMap((e) => (e.kind === 'backend' ? [`${e.backend}:${e.transition.from}>${e.transition.to}:${e.transition.code}@${e.frontends.join(',') || '-'}`] : [])),
    frontendEvents: () => events.flatMap((e) => (e.kind === 'frontend' ? [`${e.frontend}:${e.from}>${e.to}`] : [])),
  };
}
