// npm's "prepare" step (it runs after `npm ci` / `npm install` in this folder). With the dev
// toolchain installed (a plain `npm ci`) it builds dist/ (`npm run build`). Without it
// (`npm ci --omit=dev`, or NODE_ENV=production) there is no TypeScript compiler or Vite to build
// with, and failing here would fail the whole production install, native addon included. So it
// keeps a dist/ that is already there (built elsewhere from the same commit), and otherwise says
// how to get one and exits 0: the dependencies and the addon are installed either way.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * True when the build's tools are installed. They are direct dev dependencies, so npm puts them
 * in the root node_modules (require.resolve('x/package.json') is no test: not every package
 * exports its package.json).
 */
function hasToolchain() {
  return ['typescript', 'vite', 'vite-plugin-solid'].every((tool) => existsSync(join(root, 'node_modules', tool, 'package.json')));
}

const builtFiles = ['dist/daemon/maglevd.js', 'dist/maglevc/maglevc.js', 'dist/web/ui/index.html'];

if (hasToolchain()) {
  // npm tells its scripts where its CLI is; by hand, `npm` from PATH.
  const npmCli = process.env.npm_execpath;
  const r =
    npmCli === undefined
      ? spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
      : spawnSync(process.execPath, [npmCli, 'run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const missing = builtFiles.filter((f) => !existsSync(join(root, f)));
if (missing.length === 0) {
  console.log('vpp-maglev: dev dependencies are not installed; using the dist/ that is already built.');
  process.exit(0);
}
console.warn(
  [
    'vpp-maglev: production install (dev dependencies omitted): the dependencies and the native addon',
    'are installed, but dist/ is not built and cannot be built without the dev toolchain (TypeScript,',
    `Vite); missing: ${missing.join(', ')}. The binaries in bin/ need dist/. Either:`,
    '  - build here once: npm ci && npm run build && npm prune --omit=dev',
    '  - or copy a dist/ built from the same commit into this folder',
    '  - or install the Debian package (npm run package on a build machine; see docs/install.md).',
  ].join('\n'),
);
