// Compact proto3 JSON (protojson) of a decoded message, driven by the message descriptors that
// @grpc/proto-loader keeps: lowerCamelCase names, int64 as strings, fields at their default
// value omitted, set messages kept (even when empty). Used for `watch events` lines.

import type { PackageDefinition } from '@grpc/proto-loader';

interface FieldDescriptor {
  readonly name: string;
  readonly type: string;
  readonly label: string;
  readonly typeName: string;
}

const int64Types = new Set(['TYPE_INT64', 'TYPE_UINT64', 'TYPE_SINT64', 'TYPE_FIXED64', 'TYPE_SFIXED64']);

/** protoc's json_name: drop each underscore and capitalise the letter after it. */
export function jsonName(field: string): string {
  return field.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function descriptor(pkg: PackageDefinition, typeName: string, scope: string): { name: string; fields: readonly FieldDescriptor[] } {
  const bare = typeName.replace(/^\./, '');
  for (const name of [bare, `${scope}.${bare}`]) {
    const def = pkg[name] as { format?: string; type?: { field: FieldDescriptor[] } } | undefined;
    if (def?.format === 'Protocol Buffer 3 DescriptorProto' && def.type !== undefined) return { name, fields: def.type.field };
  }
  throw new Error(`protojson: unknown message type ${typeName}`);
}

function isDefault(f: FieldDescriptor, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (int64Types.has(f.type)) return v === '0' || v === 0;
  if (f.type === 'TYPE_STRING') return v === '';
  if (f.type === 'TYPE_BOOL') return v === false;
  if (typeof v === 'number') return v === 0;
  return false;
}

function scalar(f: FieldDescriptor, v: unknown): unknown {
  return int64Types.has(f.type) && (typeof v === 'number' || typeof v === 'bigint') ? String(v) : v;
}

function convert(pkg: PackageDefinition, typeName: string, scope: string, value: Record<string, unknown>): Record<string, unknown> {
  const d = descriptor(pkg, typeName, scope);
  const pkgScope = d.name.slice(0, d.name.lastIndexOf('.'));
  const out: Record<string, unknown> = {};
  for (const f of d.fields) {
    const v = value[f.name];
    const key = jsonName(f.name);
    const message = f.type === 'TYPE_MESSAGE';
    if (f.label === 'LABEL_REPEATED') {
      if (!Array.isArray(v) || v.length === 0) continue;
      out[key] = v.map((x: unknown) => (message ? convert(pkg, f.typeName, pkgScope, x as Record<string, unknown>) : scalar(f, x)));
    } else if (message) {
      if (v !== undefined && v !== null) out[key] = convert(pkg, f.typeName, pkgScope, v as Record<string, unknown>);
    } else if (!isDefault(f, v)) {
      out[key] = scalar(f, v);
    }
  }
  return out;
}

/** One message as a compact protojson line (no newline). */
export function toProtoJson(pkg: PackageDefinition, typeName: string, value: object): string {
  return JSON.stringify(convert(pkg, typeName, '', value as Record<string, unknown>));
}
