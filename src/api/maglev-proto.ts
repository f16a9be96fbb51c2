// Loads proto/maglev.proto at run time with @grpc/proto-loader. Field names keep their proto
// spelling (keepCase), so reflection serves the exact descriptors and grpcurl sees snake_case;
// int64 travels as decimal strings (longs: String) because unix nanoseconds exceed 2^53.
// The server decodes without defaults (to tell an unset optional bool from false); clients decode
// with defaults, so every scalar is present and unset messages are null. The generated types
// (maglev-messages.ts) describe the client side.

import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType } from '../generated/proto/maglev.js';

export const maglevServiceName = 'maglev.Maglev';

/** proto/maglev.proto, from src/api/ (tsx) and dist/api/ (build) alike. */
export function maglevProtoPath(): string {
  return fileURLToPath(new URL('../../proto/maglev.proto', import.meta.url));
}

export type ProtoSide = 'server' | 'client';

export function maglevProtoOptions(side: ProtoSide): Options {
  return { keepCase: true, longs: String, enums: String, oneofs: true, defaults: side === 'client' };
}

export function loadMaglevProto(side: ProtoSide): PackageDefinition {
  return loadSync(maglevProtoPath(), maglevProtoOptions(side));
}

/** The proto loaded for clients: its descriptors, and its grpc-js objects as the generated types. */
export interface MaglevClientProto {
  readonly definition: PackageDefinition;
  readonly grpc: ProtoGrpcType;
}

export function loadMaglevClientProto(): MaglevClientProto {
  const definition = loadMaglevProto('client');
  // loadPackageDefinition is untyped; ProtoGrpcType was generated from this proto with these
  // options (the generator's documented pattern, made here once).
  return { definition, grpc: loadPackageDefinition(definition) as unknown as ProtoGrpcType };
}
