// Builds the native addon (binding.gyp) with node-gyp, offline: the headers come from the running
// Node's own install prefix (<prefix>/include/node, e.g. /usr for Debian's nodejs) when present,
// so node-gyp never tries to download them. Meant as the package's "install" script; also
// runnable by hand: `node native/build.mjs`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = dirname(dirname(process.execPath));
const args = ['rebuild'];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
// npm tells scripts where its bundled node-gyp is; otherwise use the one in node_modules.
const nodeGyp = process.env.npm_config_node_gyp ?? createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
const result = spawnSync(process.execPath, [nodeGyp, ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
