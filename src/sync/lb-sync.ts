// The sync engine: SyncLBStateAll and SyncLBStateVIP. Asks the pure planner
// for the operations, executes them in order through LbApi, logs each change and counts it. Only
// the reconciler calls it, one run at a time.
//
// A full sync reads the whole lb state, reports drift from what this engine believed it had
// programmed (programmed-state.ts), and diffs against the read. A VIP sync diffs against that
// belief instead, so it sends its first write without any dump; it reads only when the belief
// is missing (after a (re)connect, or a failed write, which forgets the VIP). A VIP sync reports
// when all its last writes are on the socket, so the next run need not wait for their replies.

import { desiredConf, desiredVip, desiredVips, flowTableLength, vipKeyString, type DesiredInputs, type DesiredVip } from '../core/desired-state.js';
import type { Clock } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import { formatDurationMs } from '../shared/duration.js';
import { DaemonError, errorMessage, notFound } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { LbApi } from '../vpp/lb-api.js';
import { asPhase, fullSyncBatches, opKinds, pipelineBatches, planAll, planConf, planVip, syncKinds, zeroCounts, type FlushHints, type LbOp, type SyncCounts, type SyncKind } from './lb-plan.js';
import { readVips, type CurrentVip } from './lb-state.js';
import { ProgrammedState } from './programmed-state.js';
import { VppApiError } from '../vpp/vpp-api-error.js';

export type SyncScope = 'all' | 'vip';

export interface SyncReport {
  /** 'all' also for a VIP sync that escalated to a full sync. */
  readonly scope: SyncScope;
  readonly counts: SyncCounts;
  readonly elapsedMs: number;
}

/** One frontend of a VIP sync run. */
export interface VipRequest {
  readonly frontend: string;
  /** Backend addresses whose AS gets is_flush in this sync. */
  readonly flushHints?: ReadonlySet<string>;
}

/** The outcome of a run over several VIPs: the report, and the error of each frontend that failed. */
export interface VipsReport {
  readonly report: SyncReport;
  readonly failures: ReadonlyMap<string, unknown>;
}

/** Told once per frontend, right after the first AS call of its VIP was written to the API socket. */
export type FirstAsWrite = (frontend: string) => void;

/** Lets a full sync's caller run VIP syncs while the full sync waits for its read, and between its write batches. */
export interface ReadWindow {
  /** The read is on its way: VIP syncs may write until closing() resolves. */
  opened(): void;
  /** The read is in; resolves when no VIP sync is planning or sending any more. */
  closing(): Promise<void>;
  /**
   * Between two write batches (nothing of the full sync in flight): VIP syncs waiting to run may
   * plan and send now; resolves when none is planning or sending any more.
   */
  lend?(): Promise<void>;
}

/** maglev_vpp_lbsync_total{scope,kind} += n; called only for non-zero kinds. */
export type SyncCountHook = (scope: SyncScope, kind: SyncKind, n: number) => void;

export interface LbSyncOptions {
  /** The lb API, or a getter for the current connection's (resolved once per run; may throw VPP_NOT_CONNECTED). */
  readonly api: LbApi | (() => LbApi);
  readonly clock: Clock;
  readonly log: Logger;
  readonly onCount?: SyncCountHook;
  /** A full read found this many differences from what was believed programmed. */
  readonly onDrift?: (n: number) => void;
}

const retvalValueExist = -81;
/** AS calls of one batch in flight at once: enough to hide the round trip, small next to VPP's 5 s reply budget. */
const maxInFlight = 64;
/**
 * A full sync's batches are smaller: it lends its slot between them, so a transition that
 * arrives while it writes waits for one batch of its calls (a periodic sync re-flushes every
 * flush-on-down backend still down: hundreds of calls in a flapping fleet).
 */
const fullSyncInFlight = 16;
const retvalInvalidArgument = -73;
/** Drift lines quoted in the vpp-lb-drift log (the count is always complete). */
const driftExamples = 5;

/** Changes worth an INFO summary: flush-only calls repeat every sync while a backend is down. */
function hasChanges(c: SyncCounts): boolean {
  return syncKinds.some((k) => k !== 'as_flushed' && c[k] > 0);
}

/** -73 on a VIP add: a sibling VIP on the prefix still has the old encap; only a full sync can fix it. */
function needsEscalation(err: unknown): boolean {
  return err instanceof VppApiError && err.retval === retvalInvalidArgument && err.msgName.startsWith('lb_add_del_vip');
}

interface Wanted {
  readonly frontend: string;
  readonly flushHints: ReadonlySet<string> | undefined;
  readonly desired: DesiredVip;
}

export class LbSync {
  readonly #api: () => LbApi;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #onCount: SyncCountHook | undefined;
  readonly #onDrift: ((n: number) => void) | undefined;
  readonly #state = new ProgrammedState();
  /** The API the belief was built over: another one is another connection, so the belief is dropped. */
  #stateApi: LbApi | undefined;
  /** Per VIP id, the settling of the last run that wrote to it (never rejects). */
  readonly #tails = new Map<string, Promise<void>>();
  /** While a full sync writes: the VIPs that VIP syncs planned meanwhile (its plan for them is stale). */
  #overtaken: Set<string> | undefined;
  /** Bumped when a full sync starts: a full sync that sees it change was overtaken by a whole one. */
  #fullSyncs = 0;
  /** Depth of our own inOneWrite calls; write notices wait until the outermost one has sent. */
  #corked = 0;
  #afterWrite: Array<() => void> = [];

  constructor(opts: LbSyncOptions) {
    const api = opts.api;
    this.#api = typeof api === 'function' ? api : () => api;
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.#onCount = opts.onCount;
    this.#onDrift = opts.onDrift;
  }

  /** Forgets what was programmed (VPP connected or went away); the next sync reads. */
  reset(): void {
    this.#state.reset();
  }

  /**
   * SyncLBStateAll: lb_conf, then removals, then creation and reconciliation of every VIP.
   * `window`, when given, is told when the read of the lb state is on its way and asked before
   * planning resumes: in between, VIP syncs may write (the read, answered in order, predates
   * them, and the belief keeps what they wrote). The plan is made against that belief.
   *
   * The window is also lent between write batches, so a transition does not wait for a full
   * sync to write a whole fleet: the rest of the plan then skips the VIPs that VIP syncs planned
   * meanwhile (they planned from fresher inputs), and those are planned again at the end, with
   * this sync's flush hints, against the belief.
   */
  async syncAll(cfg: Config, inputs: DesiredInputs, hints: FlushHints = new Map(), written?: FirstAsWrite, window?: ReadWindow): Promise<SyncReport> {
    return this.#run('all', async (api, counts) => {
      const epoch = ++this.#fullSyncs;
      if (this.#tails.size > 0) await Promise.all(this.#tails.values());
      await this.#syncConf(api, cfg, counts);
      const mark = this.#state.mark();
      const reading = readVips(api);
      window?.opened();
      let current: Map<string, CurrentVip>;
      try {
        current = await reading;
      } finally {
        await window?.closing();
      }
      // What VIP syncs wrote meanwhile must be in the belief before it is planned from.
      if (this.#tails.size > 0) await Promise.all(this.#tails.values());
      this.#load(current, 'all', mark);
      const desired = desiredVips(cfg, inputs);
      const tell = written === undefined ? undefined : (id: string): void => {
        const d = desired.get(id);
        if (d !== undefined) written(d.frontend);
      };
      const batches = fullSyncBatches(planAll(desired, this.#state.believed(), hints), fullSyncInFlight);
      const overtaken = (this.#overtaken = new Set<string>());
      const skipped = new Set<string>();
      try {
        for (const [i, planned] of batches.entries()) {
          if (i > 0 && window?.lend !== undefined) await window.lend();
          // A full sync that started meanwhile (a VIP sync's escalation) read and planned after this one's writes.
          if (this.#fullSyncs !== epoch) return true;
          let batch = planned;
          if (overtaken.size > 0) {
            batch = [];
            for (const op of planned) {
              const id = 'vip' in op ? vipKeyString(op.vip) : undefined;
              if (id !== undefined && overtaken.has(id)) skipped.add(id);
              else batch.push(op);
            }
          }
          await this.#execute(api, batch.length === 0 ? [] : [batch], counts, tell);
        }
      } finally {
        this.#overtaken = undefined;
      }
      await this.#replan(api, cfg, inputs, desired, skipped, hints, counts, written);
      return true;
    });
  }

  /** Plans again, against the belief and with fresh inputs, the VIPs whose full-sync writes were skipped (a VIP deleted from the config needs nothing). */
  async #replan(api: LbApi, cfg: Config, inputs: DesiredInputs, desired: ReadonlyMap<string, DesiredVip>, ids: ReadonlySet<string>, hints: FlushHints, counts: SyncCounts, written: FirstAsWrite | undefined): Promise<void> {
    const wanted: Wanted[] = [];
    for (const id of ids) {
      const frontend = desired.get(id)?.frontend;
      const fe = frontend === undefined ? undefined : cfg.frontends.get(frontend);
      if (frontend !== undefined && fe !== undefined) wanted.push({ frontend, flushHints: hints.get(frontend), desired: desiredVip(cfg, fe, inputs) });
    }
    if (wanted.length === 0) return;
    const errors = await this.#reconcile(api, wanted, counts, written, () => {});
    const first = errors.values().next();
    if (first.done !== true) throw first.value;
  }

  /** lb_conf alone (the warmup's conf step: VIPs it releases get their encap sources at once). */
  async syncConf(cfg: Config): Promise<void> {
    const counts = zeroCounts();
    try {
      await this.#syncConf(this.#api(), cfg, counts);
    } finally {
      // Counted as part of full syncs (it is their first step); no sync-done line of its own.
      for (const k of syncKinds) if (counts[k] > 0) this.#onCount?.('all', k, counts[k]);
    }
  }

  async #syncConf(api: LbApi, cfg: Config, counts: SyncCounts): Promise<void> {
    const conf = await api.confGet();
    await this.#execute(api, pipelineBatches(planConf(conf, desiredConf(cfg.vpp.lb, conf)), maxInFlight), counts);
  }

  /**
   * SyncLBStateVIP: one frontend's VIP; never removes other VIPs. Throws NOT_FOUND for an unknown
   * frontend. A VIP add answering -73 (a sibling VIP on the prefix has the old encap) escalates
   * to a full sync.
   */
  async syncVip(cfg: Config, inputs: DesiredInputs, frontend: string, flushHints: ReadonlySet<string> = new Set(), written?: () => void): Promise<SyncReport> {
    if (!cfg.frontends.has(frontend)) throw notFound('frontend', frontend);
    const { report, failures } = await this.syncVips(cfg, inputs, [{ frontend, flushHints }], written === undefined ? undefined : () => written());
    if (failures.has(frontend)) throw failures.get(frontend);
    return report;
  }

  /**
   * SyncLBStateVIP for several frontends in one run: each VIP is planned and executed on its own
   * (make before break within it), and the first calls of all of them leave in one write. A
   * frontend's failure does not stop the others; it is returned in `failures` (NOT_FOUND for a
   * frontend not in the config). Frontends whose VIP add answered -73 are then covered by one
   * full sync, whose report is returned.
   *
   * `issued` is told once every VIP's last batch is on the socket (or the VIP has failed): from
   * then on the caller may start the next run, because VPP answers one connection's requests in
   * order and nothing is left to decide. The replies still settle this promise. A VIP whose last
   * batch is still unanswered (its tail) is waited for before it is planned again, and a full
   * sync waits for every tail.
   */
  async syncVips(cfg: Config, inputs: DesiredInputs, requests: readonly VipRequest[], written?: FirstAsWrite, issued?: () => void): Promise<VipsReport> {
    let toldIssued = false;
    const tellIssued = (): void => {
      if (toldIssued) return;
      toldIssued = true;
      issued?.();
    };
    const failures = new Map<string, unknown>();
    const wanted: Wanted[] = [];
    for (const r of requests) {
      const fe = cfg.frontends.get(r.frontend);
      if (fe === undefined) failures.set(r.frontend, notFound('frontend', r.frontend));
      else wanted.push({ frontend: r.frontend, flushHints: r.flushHints, desired: desiredVip(cfg, fe, inputs) });
    }
    const escalate = new Map<string, ReadonlySet<string>>();
    let report: SyncReport = { scope: 'vip', counts: zeroCounts(), elapsedMs: 0 };
    try {
      if (wanted.length > 0) {
        try {
          report = await this.#run('vip', async (api, counts) => {
            // No await on the common path: the first write leaves in the caller's own task. A
            // read waits for every unanswered write first, or it would report them as drift.
            if (wanted.some((w) => !this.#state.knows(w.desired.id))) {
              if (this.#tails.size > 0) await Promise.all(this.#tails.values());
              await this.#read(api, 'vip');
            }
            let unissued = wanted.length;
            const errors = await this.#reconcile(api, wanted, counts, written, (err) => {
              // A VIP that must escalate keeps the run from being issued: its full sync comes first.
              if (err !== undefined && needsEscalation(err) && !toldIssued) return;
              if (--unissued === 0) tellIssued();
            });
            for (const w of wanted) {
              if (!errors.has(w.frontend)) continue;
              const err = errors.get(w.frontend);
              if (needsEscalation(err) && !toldIssued) {
                this.#log.info('vpp-lb-sync-escalate', { frontend: w.frontend, err: errorMessage(err) });
                escalate.set(w.frontend, w.flushHints ?? new Set());
              } else {
                failures.set(w.frontend, err);
              }
            }
            return errors.size === 0;
          });
        } catch (err) {
          // The run could not start or read: every frontend it covered failed with that error.
          for (const w of wanted) failures.set(w.frontend, err);
        }
      }
      if (escalate.size > 0) {
        try {
          report = await this.syncAll(cfg, inputs, escalate, written);
        } catch (err) {
          for (const f of escalate.keys()) failures.set(f, err);
        }
      }
    } finally {
      tellIssued();
    }
    return { report, failures };
  }

  /**
   * Plans each VIP against the belief and executes the plans side by side; returns each
   * frontend's error. A VIP whose previous writes are unanswered (its tail) is planned once they
   * are; the others at once, their first calls in one write. `settled(err)` is told once per
   * VIP: when its last batch is sent, or when it fails before that. Each VIP's execution is its
   * tail until it settles.
   */
  async #reconcile(api: LbApi, wanted: readonly Wanted[], counts: SyncCounts, written: FirstAsWrite | undefined, settled: (err: unknown) => void): Promise<Map<string, unknown>> {
    const runs = this.#inOneWrite(api, () =>
      wanted.map((w) => {
        const id = w.desired.id;
        this.#overtaken?.add(id);
        let told = false;
        const settle = (err: unknown): void => {
          if (told) return;
          told = true;
          settled(err);
        };
        const go = (): Promise<void> => {
          // The tail failed meanwhile: what VPP holds for this VIP is unknown until a read.
          if (!this.#state.knows(id)) return Promise.reject(new DaemonError('FAILED_PRECONDITION', `${id}: not synced: an earlier write to it failed`));
          const batches = pipelineBatches(planVip(w.desired, this.#state.get(id), w.flushHints), maxInFlight);
          const firstAs = written === undefined ? undefined : (): void => written(w.frontend);
          return this.#execute(api, batches, counts, firstAs, () => settle(undefined));
        };
        const tail = this.#tails.get(id);
        // A VIP behind its tail has its turn fixed already: it does not hold the next run back.
        if (tail !== undefined) settle(undefined);
        const done = (tail === undefined ? go() : tail.then(go)).catch((err: unknown) => {
          settle(err);
          throw err;
        });
        this.#setTail(id, done);
        return done;
      }),
    );
    const results = await Promise.allSettled(runs);
    const errors = new Map<string, unknown>();
    results.forEach((r, i) => {
      if (r.status === 'rejected') errors.set(wanted[i]!.frontend, r.reason);
    });
    return errors;
  }

  /** Records a VIP's execution as its tail until it settles (a later one replaces it). */
  #setTail(id: string, done: Promise<void>): void {
    const tail = done.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(id, tail);
    void tail.then(() => {
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    });
  }

  /** Reads every live VIP, reports drift from the belief, and makes the read the new belief. */
  async #read(api: LbApi, scope: SyncScope): Promise<void> {
    this.#load(await readVips(api), scope);
  }

  /** Makes a read the belief (VIPs written since `since` keep theirs) and reports drift from it. */
  #load(current: ReadonlyMap<string, CurrentVip>, scope: SyncScope, since?: number): void {
    const drift = this.#state.load(current, since);
    if (drift.length > 0) {
      this.#log.warn('vpp-lb-drift', { scope, count: drift.length, examples: drift.slice(0, driftExamples).join('; ') });
      this.#onDrift?.(drift.length);
    }
  }

  /** `body` resolves false when part of the run failed without throwing: no sync-done then. */
  async #run(scope: SyncScope, body: (api: LbApi, counts: SyncCounts) => Promise<boolean>): Promise<SyncReport> {
    const start = this.#clock.now();
    const counts = zeroCounts();
    let clean: boolean;
    try {
      clean = await body(this.#currentApi(), counts);
    } finally {
      // Changes made before a failure are real changes: count them either way.
      for (const k of syncKinds) if (counts[k] > 0) this.#onCount?.(scope, k, counts[k]);
    }
    const elapsedMs = this.#clock.now() - start;
    const attrs = { scope, ...counts, elapsed: formatDurationMs(elapsedMs) };
    if (!clean) return { scope, counts, elapsedMs };
    if (hasChanges(counts)) this.#log.info('vpp-lb-sync-done', attrs);
    else this.#log.debug('vpp-lb-sync-done', attrs);
    return { scope, counts, elapsedMs };
  }

  #currentApi(): LbApi {
    const api = this.#api();
    if (api !== this.#stateApi) {
      this.#state.reset();
      this.#stateApi = api;
    }
    return api;
  }

  /** Runs fn so that the calls it starts leave in one write; write notices wait for that write. */
  #inOneWrite<T>(api: LbApi, fn: () => T): T {
    this.#corked++;
    try {
      return api.inOneWrite === undefined ? fn() : api.inOneWrite(fn);
    } finally {
      if (--this.#corked === 0) {
        const notices = this.#afterWrite;
        this.#afterWrite = [];
        for (const n of notices) n();
      }
    }
  }

  /**
   * Executes a plan cut into batches (lb-plan.ts). A batch's calls go out back to back (each
   * #apply sends before its first await) and are answered in order; the whole batch settles
   * before the next one starts. `firstAs` hears of each VIP's first AS call once it is on the socket.
   */
  async #execute(api: LbApi, batches: readonly (readonly LbOp[])[], counts: SyncCounts, firstAs?: (id: string) => void, lastSent?: () => void): Promise<void> {
    const told = new Set<string>();
    if (batches.length === 0) lastSent?.();
    for (const [i, batch] of batches.entries()) {
      const started = batch.length > 1 ? this.#inOneWrite(api, () => batch.map((op) => this.#apply(api, op))) : batch.map((op) => this.#apply(api, op));
      if (i === batches.length - 1) lastSent?.();
      if (firstAs !== undefined) {
        for (const op of batch) {
          if (asPhase(op) === undefined || !('vip' in op)) continue;
          const id = vipKeyString(op.vip);
          if (told.has(id)) continue;
          told.add(id);
          if (this.#corked > 0) this.#afterWrite.push(() => firstAs(id));
          else firstAs(id);
        }
      }
      const results = await Promise.allSettled(started);
      let failure: { reason: unknown } | undefined;
      for (const r of results) {
        if (r.status === 'rejected') failure ??= { reason: r.reason };
        else if (r.value !== undefined) counts[r.value]++;
      }
      if (failure !== undefined) throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
    }
  }

  /** Executes one operation, records it in the belief and logs it; returns the kind it counts as. */
  async #apply(api: LbApi, op: LbOp): Promise<SyncKind | undefined> {
    try {
      const kind = await this.#call(api, op);
      this.#state.record(op);
      return kind;
    } catch (err) {
      if ('vip' in op) this.#state.forget(op.vip);
      throw err;
    }
  }

  async #call(api: LbApi, op: LbOp): Promise<SyncKind | undefined> {
    switch (op.kind) {
      case 'conf': {
        await api.conf(op.to);
        this.#log.info('vpp-lb-conf', {
          'ipv4-src-address': op.to.ip4SrcAddress,
          'ipv6-src-address': op.to.ip6SrcAddress,
          'sticky-buckets-per-core': op.to.stickyBucketsPerCore,
          'flow-timeout': formatDurationMs(op.to.flowTimeoutS * 1000),
        });
        break;
      }
      case 'vip-recreate':
        this.#log.info('vpp-lb-vip-recreate', { frontend: op.frontend, vip: vipKeyString(op.vip), reason: op.reason });
        break;
      case 'vip-add':
      case 'vip-del': {
        const isDel = op.kind === 'vip-del';
        await api.addDelVip({ vip: op.vip, encap: op.encap, srcIpSticky: op.srcIpSticky, newFlowsTableLength: flowTableLength, isDel });
        this.#log.info(isDel ? 'vpp-lb-vip-del' : 'vpp-lb-vip-add', { vip: vipKeyString(op.vip), encap: op.encap, 'src-ip-sticky': op.srcIpSticky });
        break;
      }
      case 'as-add': {
        try {
          await api.addDelAs({ vip: op.vip, address: op.address, weight: op.weight, isDel: false, isFlush: op.flush });
        } catch (err) {
          if (!(err instanceof VppApiError && err.retval === retvalValueExist)) throw err;
          // Present and in use after all (the read raced something): set its weight instead.
          await api.asSetWeight({ vip: op.vip, address: op.address, weight: op.weight, isFlush: op.flush });
          this.#log.info('vpp-lb-as-weight', { vip: vipKeyString(op.vip), address: op.address, to: op.weight, flush: op.flush });
          return 'as_weight_updated';
        }
        this.#log.info('vpp-lb-as-add', { vip: vipKeyString(op.vip), address: op.address, weight: op.weight, flush: op.flush });
        break;
      }
      case 'as-del':
        await api.addDelAs({ vip: op.vip, address: op.address, weight: 0, isDel: true, isFlush: true });
        this.#log.info('vpp-lb-as-del', { vip: vipKeyString(op.vip), address: op.address, weight: op.weight, flush: true });
        break;
      case 'as-weight':
        await api.asSetWeight({ vip: op.vip, address: op.address, weight: op.to, isFlush: op.flush });
        this.#log.info('vpp-lb-as-weight', { vip: vipKeyString(op.vip), address: op.address, from: op.from, to: op.to, flush: op.flush });
        break;
      case 'as-flush':
        await api.asSetWeight({ vip: op.vip, address: op.address, weight: op.weight, isFlush: true });
        this.#log.debug('vpp-lb-as-flush', { vip: vipKeyString(op.vip), address: op.address });
        break;
      default: {
        const exhaustive: never = op;
        return exhaustive;
      }
    }
    return opKinds[op.kind];
  }
}
