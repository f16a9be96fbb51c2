// The typed lb plugin calls maglevd makes, as the sync engine sees them. Implemented over the
// real binary API by the VPP client (src/vpp/lb-client.ts) and by in-memory fakes in tests.
// Every call goes through the client's single request wrapper (logging, metrics, timeout).

import type { Encap, LbConf, VipKey } from '../shared/lb-vip.js';

/** lb_vip_details. */
export interface LbVip extends VipKey {
  readonly encap: Encap;
  readonly flowTableLength: number;
}

/** lb_as_v2_details. flags bit 0 = in use. */
export interface LbAs {
  readonly vip: VipKey;
  readonly address: string;
  readonly weight: number;
  readonly flags: number;
  readonly numBuckets: number;
  readonly inUseSince: number;
}

/** One block of `show lb vips verbose`. */
export interface CliVip extends VipKey {
  readonly index: number;
  readonly encap: Encap;
  readonly srcIpSticky: boolean;
  readonly removed: boolean;
  readonly newSize: number;
  /** next, first, untracked, no-server — summed over threads. */
  readonly counters: { readonly next: number; readonly first: number; readonly untracked: number; readonly noServer: number };
}

export interface LbApi {
  confGet(): Promise<LbConf>;
  /** lb_conf. Both addresses are always sent; 0xffffffff keeps a numeric value. */
  conf(conf: LbConf): Promise<void>;
  addDelVip(req: {
    readonly vip: VipKey;
    readonly encap: Encap;
    readonly srcIpSticky: boolean;
    readonly newFlowsTableLength: number;
    readonly isDel: boolean;
  }): Promise<void>;
  addDelAs(req: {
    readonly vip: VipKey;
    readonly address: string;
    readonly weight: number;
    readonly isDel: boolean;
    readonly isFlush: boolean;
  }): Promise<void>;
  asSetWeight(req: { readonly vip: VipKey; readonly address: string; readonly weight: number; readonly isFlush: boolean }): Promise<void>;
  /** Every live VIP (VPP ignores the dump filters). */
  vipDump(): Promise<LbVip[]>;
  /** Every AS of every VIP, removed ones included (flags bit 0 clear). */
  asDump(): Promise<LbAs[]>;
  /** `show lb vips verbose`, parsed. */
  vipsVerbose(): Promise<CliVip[]>;
  /**
   * Runs fn, sending the requests it starts in one socket write (one syscall and one wake-up of
   * VPP for a pipelined batch). Optional: without it each request is its own write.
   */
  inOneWrite?<T>(fn: () => T): T;
}
