// The rise/fall health counter: HAProxy's model, one integer in [0, Max]
// with Max = rise + fall - 1, jumping to Max on reaching rise and to 0 on dropping below it.
// Pure: it knows only the three probing states; operator states live in backend-machine.ts.

export interface RiseFall {
  readonly rise: number;
  readonly fall: number;
}

/** The states a probe result can move between. */
export type HealthState = 'unknown' | 'up' | 'down';

export interface HealthStatus {
  readonly state: HealthState;
  readonly counter: number;
}

/** Max = rise + fall - 1, the top of the counter. */
export function counterMax(rf: RiseFall): number {
  return rf.rise + rf.fall - 1;
}

/** enterUnknown(): "expedited unknown resolution", so one result decides. */
export function unknownStatus(rf: RiseFall): HealthStatus {
  return { state: 'unknown', counter: rf.rise - 1 };
}

/** One step of the counter, with the jumps. */
export function stepCounter(counter: number, ok: boolean, rf: RiseFall): number {
  const max = counterMax(rf);
  let c = counter;
  if (ok) {
    if (c < max) c += 1;
    if (c >= rf.rise) c = max;
  } else {
    if (c > 0) c -= 1;
    if (c < rf.rise) c = 0;
  }
  return c;
}

/** The record() rule: new counter and state; any failure while unknown means down. */
export function recordProbe(current: HealthStatus, ok: boolean, rf: RiseFall): HealthStatus {
  const counter = stepCounter(current.counter, ok, rf);
  if (current.state === 'unknown' && !ok) return { state: 'down', counter };
  return { state: counter >= rf.rise ? 'up' : 'down', counter };
}

/**
 * The counter after a reload changed the health-check definition: `rise` when up (one
 * failure of the new check takes it down, one pass confirms it), 0 when down, `rise - 1` when
 * unknown.
 */
export function counterAfterCheckChange(state: HealthState, rf: RiseFall): number {
  switch (state) {
    case 'up':
      return rf.rise;
    case 'down':
      return 0;
    case 'unknown':
      return rf.rise - 1;
    /* c8 ignore next 4: unreachable; the never check fails to compile if a case is missing */
    default: {
      const exhaustive: never = state;
      return exhaustive;
    }
  }
}
