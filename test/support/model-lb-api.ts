// The LbApi the sync, reconciler and warmup tests run against: the simulator's lb model
// (src/vpp/sim/lb-model.ts: VPP's retvals, removed ASes revived by add, removed VIPs lingering in
// dumps and in the CLI text, the -73 encap clash, Maglev tables) without sockets; the CLI text
// goes through the real renderer and parser. Every call is recorded as a short text line (e.g.
// "as-add 192.0.2.1/32 tcp 80 10.0.0.2 w=100 flush=0") before it is applied, and the test hooks
// sit around the model, never in it: a disconnected switch, injected retvals, a hook that may
// hold a call, and one after each applied write (to inspect the Maglev table between calls).

import { canonicalPrefix, vipKeyString } from '../../src/core/desired-state.js';
import type { Clock } from '../../src/shared/clock.js';
import { DaemonError } from '../../src/shared/errors.js';
import { ipFamily } from '../../src/shared/ip-address.js';
import type { Encap, LbConf, VipKey } from '../../src/shared/lb-vip.js';
import { parseVipsVerbose } from '../../src/vpp/cli-vips-parser.js';
import type { CliVip, LbApi, LbAs, LbVip } from '../../src/vpp/lb-api.js';
import { renderVipsVerbose } from '../../src/vpp/sim/lb-cli-render.js';
import { LbModel, vipPrefix } from '../../src/vpp/sim/lb-model.js';
import { VppApiError } from '../../src/vpp/vpp-api-error.js';
import { ManualClock } from './manual-clock.js';

/** State installed without a recorded call, as a previous maglevd (or an operator) left it. */
export interface SeedVip {
  readonly prefix: string;
  readonly protocol?: number;
  readonly port?: number;
  /** Default: gre6 when the first AS (or the VIP) is IPv6, else gre4. */
  readonly encap?: Encap;
  readonly srcIpSticky?: boolean;
  readonly flowTableLength?: number;
  /** address → weight (in use). */
  readonly ases?: Record<string, number>;
}

const readCalls = new Set(['conf-get', 'vip-dump', 'as-dump', 'vips-verbose']);
const flag = (x: boolean): number => (x ? 1 : 0);
/** The key as VPP files it: canonical address, protocol 255 on an all-port VIP. */
const keyText = (k: VipKey): string => vipKeyString({ prefix: canonicalPrefix(k.prefix), protocol: k.port === 0 ? 255 : k.protocol, port: k.port });
const addressOf = (prefix: string): string => prefix.slice(0, prefix.lastIndexOf('/'));

function seeded(retval: number, what: string): void {
  if (retval !== 0) throw new Error(`seeding ${what}: the lb model answered ${retval}`);
}

export class ModelLbApi implements LbApi {
  readonly #clock: Clock;
  #model: LbModel;
  /** Every call, reads included, in call order (failed ones too). */
  readonly calls: string[] = [];
  /** When false, every call is recorded and then fails with VPP_NOT_CONNECTED. */
  connected = true;
  /** Runs before each call is applied (after recording it); may return a promise to hold the call. */
  beforeCall: ((call: string) => void | Promise<void>) | undefined;
  /** Runs after each write the model accepted. */
  afterWrite: ((call: string) => void) | undefined;
  readonly #failures: Array<{ readonly match: RegExp; readonly retval: number; readonly once: boolean }> = [];

  constructor(clock: Clock = new ManualClock()) {
    this.#clock = clock;
    this.#model = new LbModel({ clock, backgroundGc: false });
  }

  get model(): LbModel {
    return this.#model;
  }

  /** Write calls only. */
  writes(): string[] {
    return this.calls.filter((c) => !readCalls.has(c.split(' ')[0] ?? ''));
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Holds every call starting with `prefix` (recorded, not yet applied) until the returned release is called. */
  holdCalls(prefix: string): () => void {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    this.beforeCall = (call) => (call.startsWith(prefix) ? held : undefined);
    return release;
  }

  /** Makes matching calls answer this retval without reaching the model (once, unless `always`). */
  failOn(match: RegExp, retval: number, always = false): void {
    this.#failures.push({ match, retval, once: !always });
  }

  /** VPP restarted: a fresh model, everything gone. */
  wipe(): void {
    this.#model = new LbModel({ clock: this.#clock, backgroundGc: false });
  }

  seedConf(c: LbConf): void {
    seeded(this.#model.setConf(c), 'lb_conf');
  }

  seed(v: SeedVip): void {
    const key = { prefix: v.prefix, protocol: v.protocol ?? 255, port: v.port ?? 0 };
    const first = Object.keys(v.ases ?? {})[0] ?? addressOf(v.prefix);
    const encap = v.encap ?? (ipFamily(first) === 6 ? 'gre6' : 'gre4');
    seeded(this.#model.addVip({ ...key, encap, srcIpSticky: v.srcIpSticky ?? false, newFlowsTableLength: v.flowTableLength ?? 1024 }), `VIP ${keyText(key)}`);
    for (const [address, weight] of Object.entries(v.ases ?? {})) this.seedAs(key, address, weight);
  }

  seedAs(vip: VipKey, address: string, weight: number): void {
    seeded(this.#model.addAs(vip, address, weight, false), `AS ${address} of ${keyText(vip)}`);
  }

  /** Live VIP → address → weight of its in-use ASes, for assertions. */
  table(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const v of this.#model.liveVips()) {
      out[keyText({ prefix: vipPrefix(v), protocol: v.protocol, port: v.port })] = Object.fromEntries(v.ases.filter((a) => a.used).map((a) => [a.address, a.weight]));
    }
    return out;
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

  async #write(text: string, msg: string, apply: (model: LbModel) => number): Promise<void> {
    await this.#call(text, msg);
    const retval = apply(this.#model);
    if (retval !== 0) throw new VppApiError(msg, retval);
    this.afterWrite?.(text);
  }

  async confGet(): Promise<LbConf> {
    await this.#call('conf-get', 'lb_conf_get');
    return { ...this.#model.conf };
  }

  conf(c: LbConf): Promise<void> {
    const text = `conf ip4=${c.ip4SrcAddress} ip6=${c.ip6SrcAddress} buckets=${c.stickyBucketsPerCore} timeout=${c.flowTimeoutS}`;
    return this.#write(text, 'lb_conf', (m) => m.setConf(c));
  }

  addDelVip(req: { vip: VipKey; encap: Encap; srcIpSticky: boolean; newFlowsTableLength: number; isDel: boolean }): Promise<void> {
    const id = keyText(req.vip);
    const text = req.isDel ? `vip-del ${id}` : `vip-add ${id} ${req.encap} sticky=${flag(req.srcIpSticky)} len=${req.newFlowsTableLength}`;
    return this.#write(text, 'lb_add_del_vip_v2', (m) =>
      req.isDel ? m.delVip(req.vip) : m.addVip({ ...req.vip, encap: req.encap, newFlowsTableLength: req.newFlowsTableLength, srcIpSticky: req.srcIpSticky }),
    );
  }

  addDelAs(req: { vip: VipKey; address: string; weight: number; isDel: boolean; isFlush: boolean }): Promise<void> {
    const id = keyText(req.vip);
    const text = req.isDel ? `as-del ${id} ${req.address} flush=${flag(req.isFlush)}` : `as-add ${id} ${req.address} w=${req.weight} flush=${flag(req.isFlush)}`;
    return this.#write(text, 'lb_add_del_as_v2', (m) => (req.isDel ? m.delAs(req.vip, req.address, req.isFlush) : m.addAs(req.vip, req.address, req.weight, req.isFlush)));
  }

  asSetWeight(req: { vip: VipKey; address: string; weight: number; isFlush: boolean }): Promise<void> {
    const text = `as-weight ${keyText(req.vip)} ${req.address} w=${req.weight} flush=${flag(req.isFlush)}`;
    return this.#write(text, 'lb_as_set_weight', (m) => m.setWeight(req.vip, req.address, req.weight, req.isFlush));
  }

  async vipDump(): Promise<LbVip[]> {
    await this.#call('vip-dump', 'lb_vip_dump');
    return this.#model.liveVips().map((v) => ({ prefix: vipPrefix(v), protocol: v.protocol, port: v.port, encap: v.encap, flowTableLength: v.newSize }));
  }

  async asDump(): Promise<LbAs[]> {
    await this.#call('as-dump', 'lb_as_v2_dump');
    const out: LbAs[] = [];
    for (const v of this.#model.allVips()) {
      const vip = { prefix: vipPrefix(v), protocol: v.protocol, port: v.port };
      for (const as of v.ases) {
        out.push({ vip, address: as.address, weight: as.weight, flags: as.used ? 1 : 0, numBuckets: this.#model.buckets(v, as), inUseSince: as.lastUsed });
      }
    }
    return out;
  }

  async vipsVerbose(): Promise<CliVip[]> {
    await this.#call('vips-verbose', 'cli_inband');
    return parseVipsVerbose(renderVipsVerbose(this.#model));
  }
}
