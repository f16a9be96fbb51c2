// A thin LbApi over the simulator's faithful lb model (src/vpp/sim/lb-model.ts), so sync tests
// can also run against VPP's real quirks (GC, revival, Maglev tables) without sockets. The CLI
// text goes through the real renderer and parser. Records write calls like FakeLbApi, and calls
// `afterWrite` after each write so tests can inspect the Maglev table between calls.

import type { Clock } from '../../src/shared/clock.js';
import { parseVipsVerbose } from '../../src/vpp/cli-vips-parser.js';
import type { CliVip, LbApi, LbAs, LbVip } from '../../src/vpp/lb-api.js';
import type { Encap, LbConf, VipKey } from '../../src/shared/lb-vip.js';
import { renderVipsVerbose } from '../../src/vpp/sim/lb-cli-render.js';
import { LbModel, vipPrefix } from '../../src/vpp/sim/lb-model.js';
import { VppApiError } from '../../src/vpp/vpp-api-error.js';

export class ModelLbApi implements LbApi {
  readonly model: LbModel;
  readonly writes: string[] = [];
  afterWrite: ((call: string) => void) | undefined;

  constructor(clock: Clock) {
    this.model = new LbModel({ clock, backgroundGc: false });
  }

  #check(msg: string, call: string, retval: number): void {
    if (retval !== 0) throw new VppApiError(msg, retval);
    this.writes.push(call);
    this.afterWrite?.(call);
  }

  confGet(): Promise<LbConf> {
    return Promise.resolve({ ...this.model.conf });
  }

  conf(c: LbConf): Promise<void> {
    this.#check('lb_conf', 'conf', this.model.setConf(c));
    return Promise.resolve();
  }

  addDelVip(req: { vip: VipKey; encap: Encap; srcIpSticky: boolean; newFlowsTableLength: number; isDel: boolean }): Promise<void> {
    const call = `${req.isDel ? 'vip-del' : 'vip-add'} ${req.vip.prefix} ${req.vip.port}`;
    const rv = req.isDel ? this.model.delVip(req.vip) : this.model.addVip({ ...req.vip, encap: req.encap, newFlowsTableLength: req.newFlowsTableLength, srcIpSticky: req.srcIpSticky });
    return Promise.resolve().then(() => this.#check('lb_add_del_vip_v2', call, rv));
  }

  addDelAs(req: { vip: VipKey; address: string; weight: number; isDel: boolean; isFlush: boolean }): Promise<void> {
    const call = `${req.isDel ? 'as-del' : 'as-add'} ${req.vip.prefix} ${req.address}${req.isDel ? '' : ` w=${req.weight}`}`;
    const rv = req.isDel ? this.model.delAs(req.vip, req.address, req.isFlush) : this.model.addAs(req.vip, req.address, req.weight, req.isFlush);
    return Promise.resolve().then(() => this.#check('lb_add_del_as_v2', call, rv));
  }

  asSetWeight(req: { vip: VipKey; address: string; weight: number; isFlush: boolean }): Promise<void> {
    const rv = this.model.setWeight(req.vip, req.address, req.weight, req.isFlush);
    return Promise.resolve().then(() => this.#check('lb_as_set_weight', `as-weight ${req.vip.prefix} ${req.address} w=${req.weight} flush=${req.isFlush ? 1 : 0}`, rv));
  }

  vipDump(): Promise<LbVip[]> {
    return Promise.resolve(
      this.model.liveVips().map((v) => ({ prefix: vipPrefix(v), protocol: v.protocol, port: v.port, encap: v.encap, flowTableLength: v.newSize })),
    );
  }

  asDump(): Promise<LbAs[]> {
    const out: LbAs[] = [];
    for (const v of this.model.allVips()) {
      const vip = { prefix: vipPrefix(v), protocol: v.protocol, port: v.port };
      for (const as of v.ases) {
        out.push({ vip, address: as.address, weight: as.weight, flags: as.used ? 1 : 0, numBuckets: this.model.buckets(v, as), inUseSince: as.lastUsed });
      }
    }
    return Promise.resolve(out);
  }

  vipsVerbose(): Promise<CliVip[]> {
    return Promise.resolve(parseVipsVerbose(renderVipsVerbose(this.model)));
  }
}
