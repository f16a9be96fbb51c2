// Fault injection for the simulator: armed faults that answer a matching request with an error
// retval (the model is not touched) or drop the client's connection unanswered, each for a
// bounded number of hits. Lets end-to-end tests make VPP refuse one AS add, or vanish in the
// middle of a sync, at a chosen point.

import { vppMessages, type MessageName } from '../messages.js';

interface FaultBase {
  readonly msg: MessageName;
  /** Only requests whose decoded (wire-form) body this accepts; default: every one. */
  readonly match?: (body: Readonly<Record<string, unknown>>) => boolean;
  /** Matching requests to let through before the fault fires (default 0). */
  readonly skip?: number;
  /** How many matching requests it hits once it fires (default 1). */
  readonly times?: number;
}

/** Answer with `retval` instead of handling the request (messages with a retval-only reply). */
export interface RetvalFault extends FaultBase {
  readonly retval: number;
}

/** Close the client's connection instead of answering (as a VPP crash mid-request would). */
export interface DropFault extends FaultBase {
  readonly drop: true;
}

export type SimFault = RetvalFault | DropFault;

/** What to do with one request. */
export type FaultAction = { readonly kind: 'retval'; readonly reply: MessageName; readonly retval: number } | { readonly kind: 'drop' };

interface Armed {
  readonly fault: SimFault;
  skip: number;
  left: number;
}

export class SimFaults {
  #armed: Armed[] = [];

  /** Arms a fault; throws for a retval fault on a message whose reply carries more than a retval. */
  add(fault: SimFault): void {
    if ('retval' in fault) {
      const reply = (vppMessages[fault.msg] as { reply?: MessageName }).reply;
      const fields = reply === undefined ? [] : vppMessages[reply].fields;
      if (fields.length !== 1 || fields[0]?.name !== 'retval') throw new TypeError(`${fault.msg}: retval faults need a retval-only reply`);
    }
    this.#armed.push({ fault, skip: fault.skip ?? 0, left: fault.times ?? 1 });
  }

  clear(): void {
    this.#armed = [];
  }

  /** Armed faults that have not fired their last time yet. */
  get pending(): number {
    return this.#armed.length;
  }

  /** The action for this request, consuming one hit of the first matching fault. */
  take(name: MessageName, body: Readonly<Record<string, unknown>>): FaultAction | undefined {
    const a = this.#armed.find((x) => x.fault.msg === name && (x.fault.match?.(body) ?? true));
    if (a === undefined) return undefined;
    if (a.skip > 0) {
      a.skip--;
      return undefined;
    }
    if (--a.left <= 0) this.#armed = this.#armed.filter((x) => x !== a);
    const f = a.fault;
    if ('drop' in f) return { kind: 'drop' };
    return { kind: 'retval', reply: (vppMessages[f.msg] as { reply: MessageName }).reply, retval: f.retval };
  }
}
