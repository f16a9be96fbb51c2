// The typed lb plugin calls (LbApi) and the few vpe/ip calls maglevd makes, over one
// ApiConnection: it maps between the sync engine's shapes (canonical CIDR text, encap names)
// and wire bodies, and applies the client-side rules of vpp-wire.md §5 (never send a table
// length of 0, dump all ASes and filter here, vipsVerbose from the CLI text).

import { DaemonError } from '../shared/errors.js';
import type { ApiConnection } from './api-connection.js';
import { parseVipsVerbose } from './cli-vips-parser.js';
import type { CliVip, LbApi, LbAs, LbVip } from './lb-api.js';
import type { Encap, LbConf, VipKey } from '../shared/lb-vip.js';
import { isPowerOfTwo } from '../shared/maglev.js';
import { encapByNumber } from './messages.js';
import { VppApiError } from './vpp-api-error.js';

export interface VppVersion {
  readonly program: string;
  readonly version: string;
  readonly buildDate: string;
  readonly buildDirectory: string;
}

/** A CLI command VPP refused; `output` holds VPP's error text. */
export class VppCliError extends VppApiError {
  readonly output: string;

  constructor(command: string, retval: number, output: string) {
    super('cli_inband', retval);
    this.name = 'VppCliError';
    this.output = output;
    this.message = `${this.message}: ${JSON.stringify(command)}: ${output.trim()}`;
  }
}

function encapNumber(e: Encap): number {
  return encapByNumber.indexOf(e);
}

function encapName(n: number): Encap {
  const e = encapByNumber[n];
  if (e === undefined) throw new DaemonError('VPP_PROTOCOL', `unknown lb encap ${n}`);
  return e;
}

function vipKey(pfx: string, protocol: number, port: number): VipKey {
  return { prefix: pfx, protocol, port };
}

export class LbClient implements LbApi {
  readonly #conn: ApiConnection;

  constructor(conn: ApiConnection) {
    this.#conn = conn;
  }

  get connection(): ApiConnection {
    return this.#conn;
  }

  inOneWrite<T>(fn: () => T): T {
    return this.#conn.inOneWrite(fn);
  }

  /** True when VPP offers ip_route_lookup (FIB counters). */
  get hasRouteLookup(): boolean {
    return this.#conn.has('ip_route_lookup');
  }

  async confGet(): Promise<LbConf> {
    const r = await this.#conn.request('lb_conf_get', {});
    return {
      ip4SrcAddress: r.ip4_src_address,
      ip6SrcAddress: r.ip6_src_address,
      stickyBucketsPerCore: r.sticky_buckets_per_core,
      flowTimeoutS: r.flow_timeout,
    };
  }

  async conf(c: LbConf): Promise<void> {
    await this.#conn.request('lb_conf', {
      ip4_src_address: c.ip4SrcAddress,
      ip6_src_address: c.ip6SrcAddress,
      sticky_buckets_per_core: c.stickyBucketsPerCore,
      flow_timeout: c.flowTimeoutS,
    });
  }

  async addDelVip(req: Parameters<LbApi['addDelVip']>[0]): Promise<void> {
    // VPP's is_pow2 passes 0 and then tries a 2^32-entry table: refuse it here.
    if (!isPowerOfTwo(req.newFlowsTableLength)) {
      throw new DaemonError('INVALID_ARGUMENT', `new_flows_table_length ${req.newFlowsTableLength} is not a power of 2`);
    }
    await this.#conn.request('lb_add_del_vip_v2', {
      pfx: req.vip.prefix,
      protocol: req.vip.protocol,
      port: req.vip.port,
      encap: encapNumber(req.encap),
      dscp: 0,
      type: 0,
      target_port: 0,
      node_port: 0,
      new_flows_table_length: req.newFlowsTableLength,
      src_ip_sticky: req.srcIpSticky,
      is_del: req.isDel,
    });
  }

  async addDelAs(req: Parameters<LbApi['addDelAs']>[0]): Promise<void> {
    await this.#conn.request('lb_add_del_as_v2', {
      pfx: req.vip.prefix,
      protocol: req.vip.protocol,
      port: req.vip.port,
      as_address: req.address,
      weight: req.weight,
      is_del: req.isDel,
      is_flush: req.isFlush,
    });
  }

  async asSetWeight(req: Parameters<LbApi['asSetWeight']>[0]): Promise<void> {
    await this.#conn.request('lb_as_set_weight', {
      pfx: req.vip.prefix,
      protocol: req.vip.protocol,
      port: req.vip.port,
      as_address: req.address,
      weight: req.weight,
      is_flush: req.isFlush,
    });
  }

  async vipDump(): Promise<LbVip[]> {
    // VPP ignores every filter field of lb_vip_dump.
    const rows = await this.#conn.dump('lb_vip_dump', { pfx: '0.0.0.0/0', pfx_matcher_le: 0, pfx_matcher_ge: 0, protocol: 255, port: 0 });
    return rows.map((d) => ({
      ...vipKey(d.pfx, d.protocol, d.port),
      encap: encapName(d.encap),
      // A u16 on the wire: 65536 arrives as 0.
      flowTableLength: d.flow_table_length === 0 ? 65536 : d.flow_table_length,
    }));
  }

  async asDump(): Promise<LbAs[]> {
    // An all-zero prefix dumps every AS; a VIP filter with an IPv4 prefix would return nothing.
    const rows = await this.#conn.dump('lb_as_v2_dump', { pfx: '0.0.0.0/0', protocol: 0, port: 0 });
    return rows.map((d) => ({
      vip: vipKey(d.pfx, d.protocol, d.port),
      address: d.app_srv,
      weight: d.weight,
      flags: d.flags,
      numBuckets: d.num_buckets,
      inUseSince: d.in_use_since,
    }));
  }

  /** The VIP lines of `show lb vips verbose` (its AS lines are skipped: nothing here needs them). */
  async vipsVerbose(): Promise<CliVip[]> {
    return parseVipsVerbose(await this.cliInband('show lb vips verbose'), { ases: false });
  }

  async showVersion(): Promise<VppVersion> {
    const r = await this.#conn.request('show_version', {});
    return { program: r.program, version: r.version, buildDate: r.build_date, buildDirectory: r.build_directory };
  }

  /** control_ping; resolves to VPP's pid (vpe_pid). */
  async controlPing(opts: { readonly timeoutMs?: number } = {}): Promise<number> {
    const r = await this.#conn.request('control_ping', {}, opts);
    return r.vpe_pid;
  }

  /** Runs a CLI command; a non-zero retval throws VppCliError carrying VPP's error text. */
  async cliInband(cmd: string): Promise<string> {
    const r = await this.#conn.request('cli_inband', { cmd }, { rawStatus: true });
    if (r.retval !== 0) throw new VppCliError(cmd, r.retval, r.reply);
    return r.reply;
  }

  /**
   * The FIB load-balance index of an exact prefix in table 0 (the `/net/route/to` index), or
   * undefined when the route does not exist or VPP lacks ip_route_lookup.
   */
  async ipRouteLookup(prefix: string): Promise<number | undefined> {
    if (!this.hasRouteLookup) return undefined;
    const r = await this.#conn.request('ip_route_lookup', { table_id: 0, exact: 1, prefix }, { rawStatus: true });
    if (r.retval === -6) return undefined;
    if (r.retval !== 0) throw new VppApiError('ip_route_lookup', r.retval);
    return r.stats_index;
  }
}
