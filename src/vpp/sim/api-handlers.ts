// The simulator's request handlers: one decoded request in, the reply or details messages out
// (vpp-wire.md §3–§5, §8). Bodies are decoded in wire form (no IPv4-in-IPv6 rewriting), as VPP
// sees them. lb semantics live in lb-model.ts; this file only maps wire fields to model calls.

import type { MessageBody, MessageName } from '../messages.js';
import { encapByNumber, lbModuleNameCrc } from '../messages.js';
import type { Encap } from '../../shared/lb-vip.js';
import { ipFromBytes } from '../../shared/ip-address.js';
import { renderLbMain, renderVips, renderVipsVerbose } from './lb-cli-render.js';
import { rv, vipPrefix, type LbModel, type SimAs, type SimVip } from './lb-model.js';

export interface SimVersion {
  readonly version: string;
  readonly buildDate: string;
  readonly buildDirectory: string;
}

/** What a handler may read: the current model (replaced on restart), VPP's pid and version. */
export interface SimRuntime {
  readonly model: LbModel;
  readonly pid: number;
  readonly version: SimVersion;
  /** The id of the first lb message, for get_first_msg_id. */
  readonly lbBase: number;
}

export interface SimReply {
  readonly name: MessageName;
  readonly body: unknown;
}

export interface HandlerResult {
  readonly replies: readonly SimReply[];
  /** Close the connection after the replies (sockclnt_delete). */
  readonly close?: boolean;
}

function retvalOnly(name: MessageName, retval: number): HandlerResult {
  return { replies: [{ name, body: { retval } }] };
}

function encapOf(n: number): Encap | undefined {
  return encapByNumber[n];
}

function vipDetails(v: SimVip): MessageBody<'lb_vip_details'> {
  return {
    pfx: vipPrefix(v),
    protocol: v.protocol,
    port: v.port,
    encap: encapByNumber.indexOf(v.encap),
    dscp: v.dscp,
    srv_type: v.srvType,
    target_port: v.targetPort,
    // A u16 on the wire: 65536 (and 2^32) truncate.
    flow_table_length: v.newSize & 0xffff,
  };
}

/**
 * An AS address as VPP's lb dump writes it: ip_address_encode(IP46_TYPE_ANY) takes an ip46
 * whose first 96 bits are zero for IPv4 (ip46_address_is_ip4), so an AS ::1 dumps as 0.0.0.1.
 */
export function dumpedAsAddress(ip46: Uint8Array): string {
  return ip46.subarray(0, 12).every((b) => b === 0) ? ipFromBytes(ip46.subarray(12)) : ipFromBytes(ip46);
}

function asDetails(model: LbModel, vip: SimVip, as: SimAs): MessageBody<'lb_as_v2_details'> {
  return {
    pfx: vipPrefix(vip),
    protocol: vip.protocol,
    port: vip.port,
    app_srv: dumpedAsAddress(as.ip46),
    flags: as.used ? 1 : 0,
    in_use_since: as.lastUsed,
    weight: as.weight,
    num_buckets: model.buckets(vip, as),
  };
}

function cli(rt: SimRuntime, cmd: string): { retval: number; reply: string } {
  const words = cmd.trim().split(/\s+/).join(' ');
  switch (words) {
    case '':
      return { retval: 0, reply: '' };
    case 'show lb vips verbose':
      return { retval: 0, reply: renderVipsVerbose(rt.model) };
    case 'show lb vips':
      return { retval: 0, reply: renderVips(rt.model) };
    case 'show lb':
      return { retval: 0, reply: renderLbMain(rt.model) };
    case 'show version':
      return { retval: 0, reply: `vpp v${rt.version.version} built by vppsim on vppsim at ${rt.version.buildDate}\n` };
    default:
      return { retval: -1, reply: `unknown input \`${words}'` };
  }
}

/** Handles one request (never sockclnt_create, which the server answers itself). */
export function handleRequest(name: MessageName, body: Record<string, unknown>, rt: SimRuntime, clientIndex: number): HandlerResult {
  const m = rt.model;
  const b = body as never;
  switch (name) {
    case 'control_ping':
      return { replies: [{ name: 'control_ping_reply', body: { retval: 0, client_index: clientIndex, vpe_pid: rt.pid } }] };
    case 'sockclnt_delete':
      // VPP answers +1 on success, then closes the socket.
      return { replies: [{ name: 'sockclnt_delete_reply', body: { response: 1 } }], close: true };
    case 'get_first_msg_id': {
      const r = b as MessageBody<'get_first_msg_id'>;
      const ok = r.name === lbModuleNameCrc;
      return { replies: [{ name: 'get_first_msg_id_reply', body: { retval: ok ? 0 : rv.invalidValue, first_msg_id: ok ? rt.lbBase : 0 } }] };
    }
    case 'show_version':
      return {
        replies: [
          {
            name: 'show_version_reply',
            body: { retval: 0, program: 'vpe', version: rt.version.version, build_date: rt.version.buildDate, build_directory: rt.version.buildDirectory },
          },
        ],
      };
    case 'cli_inband':
      return { replies: [{ name: 'cli_inband_reply', body: cli(rt, (b as MessageBody<'cli_inband'>).cmd) }] };
    case 'ip_route_lookup': {
      const r = b as MessageBody<'ip_route_lookup'>;
      const found = m.routeLookup(r.table_id, r.prefix);
      const ok = found.retval === 0;
      return {
        replies: [
          {
            name: 'ip_route_lookup_reply',
            body: { retval: found.retval, table_id: ok ? r.table_id : 0, stats_index: found.statsIndex, prefix: ok ? r.prefix : '0.0.0.0/0', paths: [] },
          },
        ],
      };
    }
    case 'lb_conf': {
      const r = b as MessageBody<'lb_conf'>;
      const retval = m.setConf({
        ip4SrcAddress: r.ip4_src_address,
        ip6SrcAddress: r.ip6_src_address,
        stickyBucketsPerCore: r.sticky_buckets_per_core,
        flowTimeoutS: r.flow_timeout,
      });
      return retvalOnly('lb_conf_reply', retval);
    }
    case 'lb_conf_get': {
      const c = m.conf;
      return {
        replies: [
          {
            name: 'lb_conf_get_reply',
            body: { retval: 0, ip4_src_address: c.ip4SrcAddress, ip6_src_address: c.ip6SrcAddress, sticky_buckets_per_core: c.stickyBucketsPerCore, flow_timeout: c.flowTimeoutS },
          },
        ],
      };
    }
    case 'lb_add_del_vip':
    case 'lb_add_del_vip_v2': {
      const r = b as MessageBody<'lb_add_del_vip_v2'>;
      const reply = name === 'lb_add_del_vip' ? 'lb_add_del_vip_reply' : 'lb_add_del_vip_v2_reply';
      const key = { prefix: r.pfx, protocol: r.protocol, port: r.port };
      if (r.is_del) return retvalOnly(reply, m.delVip(key));
      const encap = encapOf(r.encap);
      if (encap === undefined) return retvalOnly(reply, rv.invalidValue);
      const retval = m.addVip({
        ...key,
        encap,
        dscp: r.dscp,
        srvType: r.type,
        targetPort: r.target_port,
        newFlowsTableLength: r.new_flows_table_length,
        // v1 has no src_ip_sticky (its byte 48 is is_del).
        srcIpSticky: name === 'lb_add_del_vip_v2' && r.src_ip_sticky,
      });
      return retvalOnly(reply, retval);
    }
    case 'lb_add_del_as':
    case 'lb_add_del_as_v2': {
      const r = b as MessageBody<'lb_add_del_as_v2'>;
      const reply = name === 'lb_add_del_as' ? 'lb_add_del_as_reply' : 'lb_add_del_as_v2_reply';
      const key = { prefix: r.pfx, protocol: r.protocol, port: r.port };
      // v1 carries no weight: the simulator uses 100.
      const weight = name === 'lb_add_del_as' ? 100 : r.weight;
      const retval = r.is_del ? m.delAs(key, r.as_address, r.is_flush) : m.addAs(key, r.as_address, weight, r.is_flush);
      return retvalOnly(reply, retval);
    }
    case 'lb_as_set_weight': {
      const r = b as MessageBody<'lb_as_set_weight'>;
      return retvalOnly('lb_as_set_weight_reply', m.setWeight({ prefix: r.pfx, protocol: r.protocol, port: r.port }, r.as_address, r.weight, r.is_flush));
    }
    case 'lb_flush_vip': {
      const r = b as MessageBody<'lb_flush_vip'>;
      return retvalOnly('lb_flush_vip_reply', m.flushVip({ prefix: r.pfx, protocol: r.protocol, port: r.port }));
    }
    case 'lb_vip_dump':
      // Every filter field is ignored.
      return { replies: m.liveVips().map((v) => ({ name: 'lb_vip_details', body: vipDetails(v) })) };
    case 'lb_as_dump':
    case 'lb_as_v2_dump': {
      const r = b as MessageBody<'lb_as_v2_dump'>;
      const details = name === 'lb_as_dump' ? 'lb_as_details' : 'lb_as_v2_details';
      const rows = m.asDump({ prefix: r.pfx, protocol: r.protocol, port: r.port });
      return { replies: rows.map(({ vip, as }) => ({ name: details, body: asDetails(m, vip, as) })) };
    }
    case 'lb_add_del_intf_nat4':
      return retvalOnly('lb_add_del_intf_nat4_reply', 0);
    case 'lb_add_del_intf_nat6':
      return retvalOnly('lb_add_del_intf_nat6_reply', 0);
    default:
      // Replies, details and sockclnt_create are never handled here.
      return { replies: [] };
  }
}
