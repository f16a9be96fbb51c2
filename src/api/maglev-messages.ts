// The wire shapes of proto/maglev.proto, generated at build time by proto-loader-gen-types
// (scripts/proto-types.mjs → src/generated/proto/) with the client options of maglev-proto.ts:
// proto field names, int64 as decimal strings, oneof name in `event`.
// `X` is a message complete: as a client decodes it (defaults filled in, unset messages null)
// and as the server builds its responses. `X__Input` is what the encoder accepts, every field
// optional: what clients send, and what the server sees, since it decodes requests without
// defaults to tell an unset optional bool from false.

export type * from '../generated/proto/maglev-messages.js';

/** int64/uint64 as decoded (longs: String): a decimal string. */
export type Int64 = string;
