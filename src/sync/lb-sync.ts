// The sync engine (behaviour.md §5.4): SyncLBStateAll and SyncLBStateVIP. Reads the lb state,
// asks the pure planner for the operations, executes them in order through LbApi, logs each
// change and counts it. Only the reconciler calls it, one run at a time; it keeps no state
// between runs, so a run after a failure simply diffs again.

import { desiredConf, desiredVip, desiredVips, flowTableLength, vipKeyString, type DesiredInputs } from '../core/desired-state.js';
import type { Clock } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import { formatDurationMs } from '../shared/duration.js';
import { DaemonError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { LbApi } from '../vpp/lb-api.js';
import { opKinds, pipelineBatches, planAll, planConf, planVip, syncKinds, zeroCounts, type FlushHints, type LbOp, type SyncCounts, type SyncKind } from './lb-plan.js';
import { readVips } from './lb-state.js';
import { VppApiError } from '../vpp/vpp-api-error.js';

export type SyncScope = 'all' | 'vip';

export interface SyncReport {
  /** 'all' also for a VIP sync that escalated to a full sync. */
  readonly scope: SyncScope;
  readonly counts: SyncCounts;
  readonly elapsedMs: number;
}

/** maglev_vpp_lbsync_total{scope,kind} += n; called only for non-zero kinds. */
export type SyncCountHook = (scope: SyncScope, kind: SyncKind, n: number) => void;

export interface LbSyncOptions {
  /** The lb API, or a getter for the current connection's (resolved once per run; may throw VPP_NOT_CONNECTED). */
  readonly api: LbApi | (() => LbApi);
  readonly clock: Clock;
  readonly log: Logger;
  readonly onCount?: SyncCountHook;
}

const retvalValueExist = -81;
/** AS calls of one batch in flight at once: enough to hide the round trip, small next to VPP's 5 s reply budget. */
const maxInFlight = 64;
const retvalInvalidArgument = -73;

/** Changes worth an INFO summary: flush-only calls repeat every sync while a backend is down. */
function hasChanges(c: SyncCounts): boolean {
  return syncKinds.some((k) => k !== 'as_flushed' && c[k] > 0);
}

export class LbSync {
  readonly #api: () => LbApi;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #onCount: SyncCountHook | undefined;

  constructor(opts: LbSyncOptions) {
    const api = opts.api;
    this.#api = typeof api === 'function' ? api : () => api;
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.#onCount = opts.onCount;
  }

  /** SyncLBStateAll: lb_conf, then removals, then creation and reconciliation of every VIP. */
  async syncAll(cfg: Config, inputs: DesiredInputs, hints: FlushHints = new Map()): Promise<SyncReport> {
    return this.#run('all', async (api, counts) => {
      await this.#syncConf(api, cfg, counts);
      const current = await readVips(api);
      await this.#execute(api, planAll(desiredVips(cfg, inputs), current, hints), counts);
    });
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
    await this.#execute(api, planConf(conf, desiredConf(cfg.vpp.lb, conf)), counts);
  }

  /**
   * SyncLBStateVIP: one frontend's VIP; never removes other VIPs. Throws NOT_FOUND for an unknown
   * frontend. A VIP add answering -73 (a sibling VIP on the prefix has the old encap) escalates
   * to a full sync.
   */
  async syncVip(cfg: Config, inputs: DesiredInputs, frontend: string, flushHints: ReadonlySet<string> = new Set()): Promise<SyncReport> {
    const fe = cfg.frontends.get(frontend);
    if (fe === undefined) throw new DaemonError('NOT_FOUND', `frontend ${frontend} not found`);
    try {
      return await this.#run('vip', async (api, counts) => {
        const current = await readVips(api);
        const d = desiredVip(cfg, fe, inputs);
        await this.#execute(api, planVip(d, current.get(d.id), flushHints), counts);
      });
    } catch (err) {
      if (!(err instanceof VppApiError && err.retval === retvalInvalidArgument && err.msgName.startsWith('lb_add_del_vip'))) throw err;
      this.#log.info('vpp-lb-sync-escalate', { frontend, err: err.message });
      return this.syncAll(cfg, inputs, new Map([[frontend, flushHints]]));
    }
  }

  async #run(scope: SyncScope, body: (api: LbApi, counts: SyncCounts) => Promise<void>): Promise<SyncReport> {
    const start = this.#clock.now();
    const counts = zeroCounts();
    try {
      await body(this.#api(), counts);
    } finally {
      // Changes made before a failure are real changes: count them either way.
      for (const k of syncKinds) if (counts[k] > 0) this.#onCount?.(scope, k, counts[k]);
    }
    const elapsedMs = this.#clock.now() - start;
    const attrs = { scope, ...counts, elapsed: formatDurationMs(elapsedMs) };
    if (hasChanges(counts)) this.#log.info('vpp-lb-sync-done', attrs);
    else this.#log.debug('vpp-lb-sync-done', attrs);
    return { scope, counts, elapsedMs };
  }

  async #execute(api: LbApi, ops: readonly LbOp[], counts: SyncCounts): Promise<void> {
    for (const batch of pipelineBatches(ops, maxInFlight)) {
      // A batch's calls go out back to back (each #apply sends before its first await) and are
      // answered in order; the whole batch settles before the next one starts.
      const start = (): Array<Promise<SyncKind | undefined>> => batch.map((op) => this.#apply(api, op));
      const results = await Promise.allSettled(batch.length > 1 && api.inOneWrite !== undefined ? api.inOneWrite(start) : start());
      let failure: { reason: unknown } | undefined;
      for (const r of results) {
        if (r.status === 'rejected') failure ??= { reason: r.reason };
        else if (r.value !== undefined) counts[r.value]++;
      }
      if (failure !== undefined) throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
    }
  }

  /** Executes one operation and logs it; returns the kind it counts as. */
  async #apply(api: LbApi, op: LbOp): Promise<SyncKind | undefined> {
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
