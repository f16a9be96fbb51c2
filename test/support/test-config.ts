// Test helper: a typed Config from the YAML of its backends and frontends, through the real
// loader, with the lb source address and one tcp health check `hc` already in place.

import { parseConfig } from '../../src/config/loader.js';
import type { Config } from '../../src/shared/config.js';

/** `body`: the `backends:` and `frontends:` sections, indented under `maglev:`. Throws on any problem. */
export function configFromYaml(body: string): Config {
  const r = parseConfig(`maglev:
  vpp:
    lb:
      ipv4-src-address: 192.0.2.254
  healthchecks:
    hc: { type: tcp, port: 80 }
${body}`);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.config;
}
