// The RPCs of maglev.Maglev as types, read off the generated service definition: each RPC's
// request as the encoder accepts it (every field optional, which is also how the server, decoding
// without defaults, receives it) and its response complete (as a client decodes it with defaults,
// and as the server builds it).

import type { MaglevDefinition } from '../generated/proto/maglev/Maglev.js';

/** The RPC names (the definition's index signature left out). */
export type MaglevRpc = keyof { [K in keyof MaglevDefinition as string extends K ? never : number extends K ? never : K]: unknown };

/** The unary RPCs: all but the WatchEvents stream and the PreviewConfig upload. */
export type UnaryRpc = Exclude<MaglevRpc, 'WatchEvents' | 'PreviewConfig'>;

export type RpcRequest<M extends MaglevRpc> = Parameters<MaglevDefinition[M]['requestSerialize']>[0];

export type RpcResponse<M extends MaglevRpc> = ReturnType<MaglevDefinition[M]['responseDeserialize']>;
