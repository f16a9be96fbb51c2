// The Prometheus text format pieces the fast families write themselves, byte for byte as
// prom-client writes them (its Registry escapes and joins every label of every sample on every
// scrape, which costs microseconds per line at fleet scale): label escaping, sample values,
// HELP/TYPE headers and label sets.

const needsEscape = /[\\\n"]/;

/** A label value as it appears between the quotes. */
export function escapeLabelValue(v: string): string {
  return needsEscape.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

/** A sample value: finite numbers as JavaScript prints them, else +Inf, -Inf or NaN. */
export function sampleValue(v: number): string {
  if (Number.isFinite(v)) return `${v}`;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

export type FamilyType = 'counter' | 'gauge' | 'histogram';

/** `# HELP` and `# TYPE` lines of a family. */
export function familyHeader(name: string, help: string, type: FamilyType): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}`;
}

/** `a="x",b="y"` for label names and values in the same order. */
export function labelText(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) out += `${i === 0 ? '' : ','}${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  return out;
}
