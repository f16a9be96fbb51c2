// Test helper: a valid config of `count` static backends (about 38 bytes each, so 100,000 make
// ~3.8 MB, a quarter of the 16 MiB limit), used by the attack tests and the config-parse benchmark to
// make parsing expensive. Only the first few are in the frontend; the rest draw "unused" warnings.

/** The address of backend number i (0-based): 10.a.b.c, unique for i < 2^24. */
function addressOf(i: number): string {
  const n = i + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function bigConfig(count: number): string {
  const lines = ['maglev:', '  vpp:', '    lb:', '      ipv4-src-address: 192.0.2.254', '  backends:'];
  for (let i = 0; i < count; i++) lines.push(`    b${String(i).padStart(5, '0')}: { address: ${addressOf(i)} }`);
  lines.push(
    '  frontends:',
    '    big:',
    '      address: 192.0.2.80',
    '      protocol: tcp',
    '      port: 80',
    '      pools:',
    '        - name: p',
    `          backends: { ${Array.from({ length: Math.min(count, 4) }, (_, i) => `b${String(i).padStart(5, '0')}: {}`).join(', ')} }`,
  );
  return `${lines.join('\n')}\n`;
}
