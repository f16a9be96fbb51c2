// packaging/vpp-maglev.default (/etc/default/vpp-maglev): it lists every environment variable the
// two daemons read, each commented out with the daemon's real default, names no variable that
// nothing reads, and holds only lines systemd's EnvironmentFile= accepts.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { maglevdFlags } from '../../src/daemon/maglevd-options.js';
import { formatDurationMs } from '../../src/shared/duration.js';
import type { FlagSpec } from '../../src/shared/go-flags.js';
import { adminCredentialsFromEnv } from '../../src/web/basic-auth.js';
import { frontendFlags } from '../../src/web/frontend-options.js';
import { parseUnit } from '../support/systemd-unit.js';

const text = readFileSync(fileURLToPath(new URL('../../packaging/vpp-maglev.default', import.meta.url)), 'utf8');
const frontendUnit = parseUnit(readFileSync(fileURLToPath(new URL('../../packaging/maglevd-frontend.service', import.meta.url)), 'utf8'));

/** `#NAME=value` lines: the documented variables and the defaults they show. */
const documented = new Map<string, string>();
for (const m of text.matchAll(/^#([A-Z][A-Z0-9_]*)=(.*)$/gm)) documented.set(m[1]!, m[2]!);

/** A default as the variable would spell it (durations in Go syntax, as the flag parser reads them). */
function shown(f: FlagSpec): string {
  if (!('default' in f) || f.default === undefined) return '';
  return f.kind === 'duration' ? formatDurationMs(f.default) : String(f.default);
}
const flagEnvs = [...maglevdFlags, ...frontendFlags].flatMap((f) => ('env' in f && f.env !== undefined ? [{ env: f.env, default: shown(f) }] : []));
// Read outside the flag tables: the admin credentials (basic-auth.ts) and the unit's extra flags.
const otherEnvs = ['MAGLEV_FRONTEND_USER', 'MAGLEV_FRONTEND_PASSWORD', 'MAGLEV_FRONTEND_ARGS', 'NODE_OPTIONS'];

void t.test('every variable the daemons read is documented with its default', async (t) => {
  t.ok(flagEnvs.length >= 9, `${flagEnvs.length} flag variables`);
  for (const { env, default: def } of flagEnvs) {
    t.ok(documented.has(env), `${env} is listed`);
    // -server has no built-in default: the frontend unit supplies maglevd's gRPC address.
    const want = env === 'MAGLEV_FRONTEND_SERVER' ? (frontendUnit.get('Service')?.get('Environment')?.[0]?.split('=')[1] ?? '?') : def;
    t.equal(documented.get(env), want, `${env} shows the default`);
  }
  for (const env of otherEnvs) t.ok(documented.has(env), `${env} is listed`);
});

void t.test('the admin credentials are the variables basic auth reads', async (t) => {
  t.ok(adminCredentialsFromEnv({ MAGLEV_FRONTEND_USER: 'ops', MAGLEV_FRONTEND_PASSWORD: 'secret' }) !== undefined);
  t.equal(adminCredentialsFromEnv({ MAGLEV_FRONTEND_USER: 'ops' }), undefined, 'both are needed');
});

void t.test('no variable that nothing reads; only comments and blank lines', async (t) => {
  const known = new Set([...flagEnvs.map((f) => f.env), ...otherEnvs]);
  for (const name of text.matchAll(/\b(MAGLEV_[A-Z0-9_]+)/g)) t.ok(known.has(name[1]!), `${name[1]} is read by a daemon`);
  for (const name of documented.keys()) t.ok(known.has(name), `${name} is known`);
  const active = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  t.same(active, [], 'everything is commented out: the file changes nothing until edited');
});
