// The one table of VPP binary-API messages maglev speaks or simulates: name,
// CRC, header shape and fields in wire order. The codec (codec.ts) walks this table, so no byte
// offset is written anywhere else. Field names are the .api names, so the table can be checked
// against lb.api / memclnt.api line by line. lb messages are listed in lb.api order: the simulator
// uses that order for its ordinals (base + k); clients resolve ids by name_crc only.

import type { Encap } from '../shared/lb-vip.js';

/** Scalar wire types. `enum32` is an .api enum without width (u32 BE); `address` is 17 B, `prefix` 18 B. */
export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 'i32' | 'bool' | 'enum32' | 'ip4' | 'ip6' | 'address' | 'prefix' | 'vstring';

export interface ScalarField {
  readonly name: string;
  readonly type: ScalarType;
}
/** `string name[N]` (NUL-padded text) or N opaque bytes. */
export interface FixedField {
  readonly name: string;
  readonly type: 'string' | 'bytes';
  readonly size: number;
}
/** Elements inline, preceded immediately by their count (true of every array used here). */
export interface ArrayField {
  readonly name: string;
  readonly type: 'array';
  readonly count: 'u8' | 'u16' | 'u32';
  readonly of: readonly FieldDef[];
}
export type FieldDef = ScalarField | FixedField | ArrayField;

/** `client`: u16 id | u32 client_index | u32 context. `context`: u16 id | u32 context. */
export type HeaderShape = 'client' | 'context';

export interface MessageDef {
  readonly crc: string;
  readonly header: HeaderShape;
  readonly fields: readonly FieldDef[];
  /** memclnt ids are fixed by VPP; all others are assigned per instance. */
  readonly fixedId?: number;
  /** The reply of a request. */
  readonly reply?: string;
  /** The details stream of a dump (terminated by the control_ping_reply of the same context). */
  readonly details?: string;
  /** Which reply field carries the status, and which value means success (default retval = 0). */
  readonly status?: { readonly field: string; readonly ok: number };
}

const pfx = { name: 'pfx', type: 'prefix' } as const;
const protocol = { name: 'protocol', type: 'u8' } as const;
const port = { name: 'port', type: 'u16' } as const;
const asAddress = { name: 'as_address', type: 'address' } as const;
const retval = { name: 'retval', type: 'i32' } as const;
/** `e8d4e804`: u16 id | u32 context | i32 retval. */
const autoreply = { crc: 'e8d4e804', header: 'context', fields: [retval] } as const;

export const vppMessages = {
  // memclnt (fixed ids)
  get_first_msg_id: { crc: 'ebf79a66', header: 'client', fixedId: 10, reply: 'get_first_msg_id_reply', fields: [{ name: 'name', type: 'string', size: 64 }] },
  get_first_msg_id_reply: { crc: '7d337472', header: 'context', fixedId: 11, fields: [retval, { name: 'first_msg_id', type: 'u16' }] },
  sockclnt_create: {
    crc: '455fb9c4',
    header: 'context',
    fixedId: 15,
    reply: 'sockclnt_create_reply',
    fields: [{ name: 'name', type: 'string', size: 64 }],
  },
  sockclnt_create_reply: {
    crc: '35166268',
    header: 'client',
    fixedId: 16,
    status: { field: 'response', ok: 0 },
    fields: [
      { name: 'response', type: 'i32' },
      { name: 'index', type: 'u32' },
      {
        name: 'message_table',
        type: 'array',
        count: 'u16',
        of: [
          { name: 'id', type: 'u16' },
          { name: 'name', type: 'string', size: 64 },
        ],
      },
    ],
  },
  sockclnt_delete: { crc: '8ac76db6', header: 'client', fixedId: 17, reply: 'sockclnt_delete_reply', fields: [{ name: 'index', type: 'u32' }] },
  // VPP answers +1 on success (a quirk).
  sockclnt_delete_reply: { crc: '8f38b1ee', header: 'context', fixedId: 18, status: { field: 'response', ok: 1 }, fields: [{ name: 'response', type: 'i32' }] },
  control_ping: { crc: '51077d14', header: 'client', fixedId: 23, reply: 'control_ping_reply', fields: [] },
  control_ping_reply: {
    crc: 'f6b0b8ca',
    header: 'context',
    fixedId: 24,
    fields: [retval, { name: 'client_index', type: 'u32' }, { name: 'vpe_pid', type: 'u32' }],
  },

  // vpe
  show_version: { crc: '51077d14', header: 'client', reply: 'show_version_reply', fields: [] },
  show_version_reply: {
    crc: 'c919bde1',
    header: 'context',
    fields: [
      retval,
      { name: 'program', type: 'string', size: 32 },
      { name: 'version', type: 'string', size: 32 },
      { name: 'build_date', type: 'string', size: 32 },
      { name: 'build_directory', type: 'string', size: 256 },
    ],
  },
  cli_inband: { crc: 'f8377302', header: 'client', reply: 'cli_inband_reply', fields: [{ name: 'cmd', type: 'vstring' }] },
  cli_inband_reply: { crc: '05879051', header: 'context', fields: [retval, { name: 'reply', type: 'vstring' }] },

  // ip
  ip_route_lookup: {
    crc: '710d6471',
    header: 'client',
    reply: 'ip_route_lookup_reply',
    fields: [
      { name: 'table_id', type: 'u32' },
      { name: 'exact', type: 'u8' },
      { name: 'prefix', type: 'prefix' },
    ],
  },
  ip_route_lookup_reply: {
    crc: '5d8febcb',
    header: 'context',
    fields: [
      retval,
      { name: 'table_id', type: 'u32' },
      { name: 'stats_index', type: 'u32' },
      { name: 'prefix', type: 'prefix' },
      { name: 'paths', type: 'array', count: 'u8', of: [{ name: 'path', type: 'bytes', size: 167 }] },
    ],
  },

  // lb 1.2.0, in lb.api order (ordinal k = position in this block)
  lb_conf: {
    crc: '56cd3261',
    header: 'client',
    reply: 'lb_conf_reply',
    fields: [
      { name: 'ip4_src_address', type: 'ip4' },
      { name: 'ip6_src_address', type: 'ip6' },
      { name: 'sticky_buckets_per_core', type: 'u32' },
      { name: 'flow_timeout', type: 'u32' },
    ],
  },
  lb_conf_reply: autoreply,
  lb_conf_get: { crc: '51077d14', header: 'client', reply: 'lb_conf_get_reply', fields: [] },
  lb_conf_get_reply: {
    crc: '923427ac',
    header: 'context',
    fields: [
      retval,
      { name: 'ip4_src_address', type: 'ip4' },
      { name: 'ip6_src_address', type: 'ip6' },
      { name: 'sticky_buckets_per_core', type: 'u32' },
      { name: 'flow_timeout', type: 'u32' },
    ],
  },
  lb_add_del_vip: {
    crc: '6fa569c7',
    header: 'client',
    reply: 'lb_add_del_vip_reply',
    fields: [
      pfx,
      protocol,
      port,
      { name: 'encap', type: 'enum32' },
      { name: 'dscp', type: 'u8' },
      { name: 'type', type: 'enum32' },
      { name: 'target_port', type: 'u16' },
      { name: 'node_port', type: 'u16' },
      { name: 'new_flows_table_length', type: 'u32' },
      { name: 'is_del', type: 'bool' },
    ],
  },
  lb_add_del_vip_reply: autoreply,
  lb_add_del_vip_v2: {
    crc: '7c520e0f',
    header: 'client',
    reply: 'lb_add_del_vip_v2_reply',
    fields: [
      pfx,
      protocol,
      port,
      { name: 'encap', type: 'enum32' },
      { name: 'dscp', type: 'u8' },
      { name: 'type', type: 'enum32' },
      { name: 'target_port', type: 'u16' },
      { name: 'node_port', type: 'u16' },
      { name: 'new_flows_table_length', type: 'u32' },
      { name: 'src_ip_sticky', type: 'bool' },
      { name: 'is_del', type: 'bool' },
    ],
  },
  lb_add_del_vip_v2_reply: autoreply,
  lb_add_del_as: {
    crc: '35d72500',
    header: 'client',
    reply: 'lb_add_del_as_reply',
    fields: [pfx, protocol, port, asAddress, { name: 'is_del', type: 'bool' }, { name: 'is_flush', type: 'bool' }],
  },
  lb_add_del_as_reply: autoreply,
  lb_add_del_as_v2: {
    crc: '2f1d3b0e',
    header: 'client',
    reply: 'lb_add_del_as_v2_reply',
    fields: [pfx, protocol, port, asAddress, { name: 'weight', type: 'u8' }, { name: 'is_del', type: 'bool' }, { name: 'is_flush', type: 'bool' }],
  },
  lb_add_del_as_v2_reply: autoreply,
  lb_as_set_weight: {
    crc: '2d89bdbd',
    header: 'client',
    reply: 'lb_as_set_weight_reply',
    fields: [pfx, protocol, port, asAddress, { name: 'weight', type: 'u8' }, { name: 'is_flush', type: 'bool' }],
  },
  lb_as_set_weight_reply: autoreply,
  lb_flush_vip: { crc: '1063f819', header: 'client', reply: 'lb_flush_vip_reply', fields: [pfx, protocol, port] },
  lb_flush_vip_reply: autoreply,
  lb_vip_dump: {
    crc: '56110cb7',
    header: 'client',
    details: 'lb_vip_details',
    fields: [pfx, { name: 'pfx_matcher_le', type: 'u8' }, { name: 'pfx_matcher_ge', type: 'u8' }, protocol, port],
  },
  lb_vip_details: {
    crc: '1329ec9b',
    header: 'context',
    fields: [
      pfx,
      protocol,
      port,
      { name: 'encap', type: 'enum32' },
      { name: 'dscp', type: 'u8' },
      { name: 'srv_type', type: 'enum32' },
      { name: 'target_port', type: 'u16' },
      { name: 'flow_table_length', type: 'u16' },
    ],
  },
  lb_as_dump: { crc: '1063f819', header: 'client', details: 'lb_as_details', fields: [pfx, protocol, port] },
  lb_as_details: {
    crc: '8d24c29e',
    header: 'context',
    fields: [pfx, protocol, port, { name: 'app_srv', type: 'address' }, { name: 'flags', type: 'u8' }, { name: 'in_use_since', type: 'u32' }],
  },
  lb_as_v2_dump: { crc: '1063f819', header: 'client', details: 'lb_as_v2_details', fields: [pfx, protocol, port] },
  lb_as_v2_details: {
    crc: '90064aae',
    header: 'context',
    fields: [
      pfx,
      protocol,
      port,
      { name: 'app_srv', type: 'address' },
      { name: 'flags', type: 'u8' },
      { name: 'in_use_since', type: 'u32' },
      { name: 'weight', type: 'u8' },
      { name: 'num_buckets', type: 'u32' },
    ],
  },
  lb_add_del_intf_nat4: {
    crc: '47d6e753',
    header: 'client',
    reply: 'lb_add_del_intf_nat4_reply',
    fields: [
      { name: 'is_add', type: 'bool' },
      { name: 'sw_if_index', type: 'u32' },
    ],
  },
  lb_add_del_intf_nat4_reply: autoreply,
  lb_add_del_intf_nat6: {
    crc: '47d6e753',
    header: 'client',
    reply: 'lb_add_del_intf_nat6_reply',
    fields: [
      { name: 'is_add', type: 'bool' },
      { name: 'sw_if_index', type: 'u32' },
    ],
  },
  lb_add_del_intf_nat6_reply: autoreply,
} as const satisfies Record<string, MessageDef>;

export type MessageName = keyof typeof vppMessages;
type Defs = typeof vppMessages;

/** lb_encap_type (u32 enum) values, by wire number: GRE4=0, GRE6=1, L3DSR=2, NAT4=3, NAT6=4. */
export const encapByNumber: readonly Encap[] = ['gre4', 'gre6', 'l3dsr', 'nat4', 'nat6'];

/** The lb module's name_crc as get_first_msg_id knows it (lb API 1.2.0). */
export const lbModuleNameCrc = 'lb_ac602d7b';

/** Messages maglevd refuses to run without. */
export const requiredMessages: readonly MessageName[] = [
  'control_ping',
  'control_ping_reply',
  'show_version',
  'show_version_reply',
  'cli_inband',
  'cli_inband_reply',
  'lb_conf',
  'lb_conf_reply',
  'lb_conf_get',
  'lb_conf_get_reply',
  'lb_add_del_vip_v2',
  'lb_add_del_vip_v2_reply',
  'lb_add_del_as_v2',
  'lb_add_del_as_v2_reply',
  'lb_as_set_weight',
  'lb_as_set_weight_reply',
  'lb_vip_dump',
  'lb_vip_details',
  'lb_as_v2_dump',
  'lb_as_v2_details',
];

export const messageNames = Object.keys(vppMessages) as MessageName[];

/** `<name>_<crc>`, the key of the sockclnt_create_reply table. */
export function nameCrc(name: MessageName): string {
  return `${name}_${vppMessages[name].crc}`;
}

export function isMessageName(s: string): s is MessageName {
  return Object.hasOwn(vppMessages, s);
}

// ---- value types derived from the table ------------------------------------------------------

type ScalarValue<T extends ScalarType> = T extends 'u64' ? bigint : T extends 'bool' ? boolean : T extends 'u8' | 'u16' | 'u32' | 'i32' | 'enum32' ? number : string;

type FieldValue<F> = F extends { readonly type: 'array'; readonly of: infer E extends readonly FieldDef[] }
  ? Array<StructValue<E>>
  : F extends { readonly type: 'bytes' }
    ? Uint8Array
    : F extends { readonly type: 'string' }
      ? string
      : F extends { readonly type: infer T extends ScalarType }
        ? ScalarValue<T>
        : never;

/** The decoded form of a field list: addresses as text, prefixes as "addr/len", u64 as bigint. */
export type StructValue<Fs extends readonly FieldDef[]> = { [F in Fs[number] as F['name']]: FieldValue<F> };

/** The body (fields after the header) of a message. */
export type MessageBody<N extends MessageName> = StructValue<Defs[N]['fields']>;

/** Requests with a single reply. */
export type RequestName = { [N in MessageName]: Defs[N] extends { readonly reply: string } ? N : never }[MessageName];
/** Dumps with a details stream. */
export type DumpName = { [N in MessageName]: Defs[N] extends { readonly details: string } ? N : never }[MessageName];
export type ReplyName<N extends RequestName> = Defs[N] extends { readonly reply: infer R extends MessageName } ? R : never;
export type DetailsName<N extends DumpName> = Defs[N] extends { readonly details: infer D extends MessageName } ? D : never;
