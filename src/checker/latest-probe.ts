// The latest recorded probe of one backend, kept as numbers and overwritten by every result:
// the ProbeResult record (and its detail text) is made only when a view or a transition reads
// it, so recording a probe allocates nothing. It is what BackendMachine.record() reads: ok and
// code always, the detail only on a transition.

import { isPassCode, probeCodeLayer, type ProbeCode, type ProbeResult } from '../shared/health.js';
import { formatProbeDetail, type DetailKind } from '../shared/probe-detail.js';
import type { ProbeOutcome } from '../shared/probe-outcome.js';

export class LatestProbe {
  code: ProbeCode = 'L4OK';
  #kind: DetailKind = 0;
  #arg = 0;
  #text: string | undefined;
  #at = 0;
  #durationMs = 0;
  #set = false;

  /** Overwrites it with an outcome (whose fields are copied: the outcome may be reused). */
  record(o: ProbeOutcome): void {
    this.code = o.code;
    this.#kind = o.detail;
    this.#arg = o.arg;
    this.#text = o.text;
    this.#at = o.at;
    this.#durationMs = o.durationMs;
    this.#set = true;
  }

  get ok(): boolean {
    return isPassCode(this.code);
  }

  get detail(): string {
    return formatProbeDetail(this.#kind, this.#arg, this.#text);
  }

  /** The record; undefined before the first result. */
  result(): ProbeResult | undefined {
    if (!this.#set) return undefined;
    return { ok: this.ok, layer: probeCodeLayer[this.code], code: this.code, detail: this.detail, at: this.#at, durationMs: this.#durationMs };
  }
}
