// An in-memory LbApi for tests: applies calls to maps the way VPP's lb handlers do (the retvals
// the sync relies on: -81 VIP/AS exists, -6 missing, -73 encap clash on a prefix, -97 family,
// removed ASes kept with flags 0 and revived by add), and records every call as a short text
// line so tests can assert on the exact write sequence.

import { canonicalPrefix, vipKeyString } from '../../src/core/desired-state.js';
import { DaemonError } from '../../src/shared/errors.js';
import { ipFamily } from '../../src/shared/ip-address.js';
import type { CliVip, LbApi, LbAs, LbVip } from '../../src/vpp/lb-api.js';
import type { Encap, LbConf, VipKey } from '../../src/shared/lb-vip.js';
import { VppApiError } from '../../src/vpp/vpp-api-error.js';

interface FakeAs {
  weight: number;
  inUse: boolean;
}

interface FakeVip {
  readonly key: VipKey;
  readonly encap: Encap;
  readonly srcIpSticky: boolean;
  readonly flowTableLength: number;
  readonly index: number;
  readonly ases: Map<string, FakeAs>;
}

export interface SeedVip {
  readonly prefix: string;
  readonly protocol?: number;
  readonly port?: number;
  readonly encap?: Encap;
  readonly srcIpSticky?: boolean;
  readonly flowTableLength?: number;
  /** address → weight (in use). */
  readonly ases?: Record<string, number>;
}

const readMsgs = new Set(['conf-get', 'vip-dump', 'as-dump', 'vips-verbose']);

function normalKey(k: VipKey): VipKey {
  return { prefix: canonicalPrefix(k.prefix), protocol: k.port === 0 ? 255 : k.protocol, port: k.port };
}

const addrOf = (prefix: string): string => prefix.slice(0, prefix.lastIndexOf('/'));
const b = (x: boolean): number => (x ? 1 : 0);

export class FakeLbApi implements LbApi {
  /** The global lb_conf VPP holds. */
  lbConf: LbConf = { ip4SrcAddress: '255.255.255.255', ip6SrcAddress: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', stickyBucketsPerCore: 1024, flowTimeoutS: 40 };
  readonly vips = new Map<string, FakeVip>();
  /** Deleted VIPs not yet garbage-collected: their ASes dump with flags 0, their CLI block says removed. */
  readonly removedVips: FakeVip[] = [];
  /** Every call, e.g. "as-add 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0". */
  readonly calls: string[] = [];
  connected = true;
  /** Runs before each call (after recording it); may await to hold the call. */
  beforeCall: ((call: string) => void | Promise<void>) | undefined;
  readonly #failures: Array<{ readonly match: RegExp; readonly retval: number; once: boolean }> = [];
  #nextIndex = 1;

  /** Write calls only. */
  writes(): string[] {
    return this.calls.filter((c) => !readMsgs.has(c.split(' ')[0] ?? ''));
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Makes matching calls answer this retval (once, unless `always`). */
  failOn(match: RegExp, retval: number, always = false): void {
    this.#failures.push({ match, retval, once: !always });
  }

  /** Installs state without recording calls. */
  seed(v: SeedVip): void {
    const key = normalKey({ prefix: v.prefix, protocol: v.protocol ?? 255, port: v.port ?? 0 });
    const ases = new Map<string, FakeAs>();
    for (const [a, w] of Object.entries(v.ases ?? {})) ases.set(a, { weight: w, inUse: true });
    const encap = v.encap ?? (ipFamily(Object.keys(v.ases ?? {})[0] ?? addrOf(key.prefix)) === 6 ? 'gre6' : 'gre4');
    this.vips.set(vipKeyString(key), {
      key,
      encap,
      srcIpSticky: v.srcIpSticky ?? false,
      flowTableLength: v.flowTableLength ?? 1024,
      index: this.#nextIndex++,
      ases,
    });
  }

  /** Live VIP → address → weight of in-use ASes, for assertions. */
  table(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [id, v] of this.vips) {
      const row: Record<string, number> = {};
      for (const [a, as] of v.ases) if (as.inUse) row[a] = as.weight;
      out[id] = row;
    }
    return out;
  }

  /** VPP restarted: everything is gone. */
  wipe(): void {
    this.vips.clear();
    this.removedVips.length = 0;
  }

  async #call(text: string, msg: string): Promise<void> {
    this.calls.push(text);
    await this.beforeCall?.(text);
    if (!this.connected) throw new DaemonError('VPP_NOT_CONNECTED', 'VPP not connected');
    const i = this.#failures.findIndex((f) => f.match.test(text));
    if (i >= 0) {
      const f = this.#failures[i]!;
      if (f.once) this.#failures.splice(i, 1);
      throw new VppApiError(msg, f.retval);
    }
  }

  async confGet(): Promise<LbConf> {
    await this.#call('conf-get', 'lb_conf_get');
    return { ...this.lbConf };
  }

  async conf(c: LbConf): Promise<void> {
    await this.#call(`conf ip4=${c.ip4SrcAddress} ip6=${c.ip6SrcAddress} buckets=${c.stickyBucketsPerCore} timeout=${c.flowTimeoutS}`, 'lb_conf');
    this.lbConf = { ...c };
  }

  async addDelVip(req: { vip: VipKey; encap: Encap; srcIpSticky: boolean; newFlowsTableLength: number; isDel: boolean }): Promise<void> {
    const key = normalKey(req.vip);
    const id = vipKeyString(key);
    const text = req.isDel ? `vip-del ${id}` : `vip-add ${id} ${req.encap} sticky=${b(req.srcIpSticky)} len=${req.newFlowsTableLength}`;
    await this.#call(text, 'lb_add_del_vip_v2');
    if (req.isDel) {
      const v = this.vips.get(id);
      if (v === undefined) throw new VppApiError('lb_add_del_vip_v2', -6);
      for (const as of v.ases.values()) as.inUse = false;
      this.vips.delete(id);
      this.removedVips.push(v);
      return;
    }
    if (req.newFlowsTableLength === 0) throw new Error('new_flows_table_length 0: VPP would try a 2^32-entry table');
    if (this.vips.has(id)) throw new VppApiError('lb_add_del_vip_v2', -81);
    for (const v of this.vips.values()) {
      if (v.key.prefix !== key.prefix) continue;
      if ((v.key.port === 0) !== (key.port === 0)) throw new VppApiError('lb_add_del_vip_v2', -81);
      if (v.encap !== req.encap) throw new VppApiError('lb_add_del_vip_v2', -73);
    }
    if ((req.newFlowsTableLength & (req.newFlowsTableLength - 1)) !== 0) throw new VppApiError('lb_add_del_vip_v2', -70);
    this.vips.set(id, { key, encap: req.encap, srcIpSticky: req.srcIpSticky, flowTableLength: req.newFlowsTableLength, index: this.#nextIndex++, ases: new Map() });
  }

  async addDelAs(req: { vip: VipKey; address: string; weight: number; isDel: boolean; isFlush: boolean }): Promise<void> {
    const id = vipKeyString(normalKey(req.vip));
    const text = req.isDel
      ? `as-del ${id} ${req.address} flush=${b(req.isFlush)}`
      : `as-add ${id} ${req.address} w=${req.weight} flush=${b(req.isFlush)}`;
    await this.#call(text, 'lb_add_del_as_v2');
    const v = this.vips.get(id);
    if (v === undefined) throw new VppApiError('lb_add_del_as_v2', -6);
    const as = v.ases.get(req.address);
    if (req.isDel) {
      if (as === undefined) throw new VppApiError('lb_add_del_as_v2', -6);
      as.inUse = false;
      return;
    }
    if (as?.inUse === true) throw new VppApiError('lb_add_del_as_v2', -81);
    if ((ipFamily(req.address) === 4) !== (v.encap === 'gre4')) throw new VppApiError('lb_add_del_as_v2', -97);
    v.ases.set(req.address, { weight: req.weight, inUse: true });
  }

  async asSetWeight(req: { vip: VipKey; address: string; weight: number; isFlush: boolean }): Promise<void> {
    const id = vipKeyString(normalKey(req.vip));
    await this.#call(`as-weight ${id} ${req.address} w=${req.weight} flush=${b(req.isFlush)}`, 'lb_as_set_weight');
    const as = this.vips.get(id)?.ases.get(req.address);
    if (as === undefined || !as.inUse) throw new VppApiError('lb_as_set_weight', -6);
    as.weight = req.weight;
  }

  async vipDump(): Promise<LbVip[]> {
    await this.#call('vip-dump', 'lb_vip_dump');
    return [...this.vips.values()]
      .sort((x, y) => x.index - y.index)
      .map((v) => ({ ...v.key, encap: v.encap, flowTableLength: v.flowTableLength }));
  }

  async asDump(): Promise<LbAs[]> {
    await this.#call('as-dump', 'lb_as_v2_dump');
    const out: LbAs[] = [];
    for (const v of [...this.removedVips, ...this.vips.values()]) {
      for (const [address, as] of v.ases) {
        out.push({ vip: v.key, address, weight: as.weight, flags: as.inUse ? 1 : 0, numBuckets: 0, inUseSince: 0 });
      }
    }
    return out;
  }

  async vipsVerbose(): Promise<CliVip[]> {
    await this.#call('vips-verbose', 'cli_inband');
    const counters = { next: 0, first: 0, untracked: 0, noServer: 0 };
    const block = (v: FakeVip, removed: boolean): CliVip => ({ ...v.key, index: v.index, encap: v.encap, srcIpSticky: v.srcIpSticky, removed, newSize: v.flowTableLength, counters });
    return [...this.removedVips.map((v) => block(v, true)), ...[...this.vips.values()].map((v) => block(v, false))];
  }
}
