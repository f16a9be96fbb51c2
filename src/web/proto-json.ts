// Decoded gRPC messages as the dashboard's JSON ("objects in proto3 JSON"): field names in
// lowerCamelCase (protoc's json_name), int64 as decimal strings (proto-loader's longs: String),
// and every field present, unset messages as null (Go protojson's EmitUnpopulated), so the SPA
// never has to guess a default. The messages come from a client decoding with defaults.

/** protoc's json_name: drop each underscore and capitalise the letter after it. */
export function jsonFieldName(field: string): string {
  return field.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** A deep copy with every object key renamed and undefined fields dropped. */
export function toProtoJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toProtoJson);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[jsonFieldName(k)] = toProtoJson(v);
  }
  return out;
}
