// The layer rules of eslint.config.js fire: a file that imports across a forbidden boundary
// fails lint, and the allowed imports pass. The fixtures are linted as text at paths inside
// src/, so nothing is written there.

import t from 'tap';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The layer rules need no types; linting text at paths that do not exist needs no program.
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });

const cases: Array<{ name: string; file: string; from: string; fires: boolean }> = [
  { name: 'core imports the VPP client', file: 'src/core/fixture.ts', from: '../vpp/lb-api.js', fires: true },
  { name: 'core imports shared', file: 'src/core/fixture.ts', from: '../shared/config.js', fires: false },
  { name: 'core imports a sibling', file: 'src/core/fixture.ts', from: './weights.js', fires: false },
  { name: 'vpp imports core', file: 'src/vpp/fixture.ts', from: '../core/desired-state.js', fires: true },
  { name: 'the simulator imports the sync', file: 'src/vpp/sim/fixture.ts', from: '../../sync/lb-plan.js', fires: true },
  { name: 'the simulator imports the VPP client', file: 'src/vpp/sim/fixture.ts', from: '../codec.js', fires: false },
  { name: 'checker imports the sync', file: 'src/checker/fixture.ts', from: '../sync/reconciler.js', fires: true },
  { name: 'checker imports the VPP client', file: 'src/checker/fixture.ts', from: '../vpp/lb-client.js', fires: true },
  { name: 'checker imports core', file: 'src/checker/fixture.ts', from: '../core/weights.js', fires: false },
  { name: 'a worker imports the checker', file: 'src/workers/probes/fixture.ts', from: '../../checker/checker.js', fires: true },
  { name: 'a worker imports shared', file: 'src/workers/probes/fixture.ts', from: '../../shared/health.js', fires: false },
  { name: 'maglevc imports the control plane', file: 'src/maglevc/fixture.ts', from: '../control/grpc-convert.js', fires: true },
  { name: 'maglevc imports the api', file: 'src/maglevc/fixture.ts', from: '../api/maglev-client.js', fires: false },
  { name: 'the dashboard imports the daemon', file: 'src/web/fixture.ts', from: '../daemon/maglevd-options.js', fires: true },
  { name: 'maglevt imports the config loader', file: 'src/maglevt/fixture.ts', from: '../config/loader.js', fires: false },
  { name: 'maglevt imports the checker', file: 'src/maglevt/fixture.ts', from: '../checker/checker.js', fires: true },
  { name: 'shared imports core', file: 'src/shared/fixture.ts', from: '../core/weights.js', fires: true },
  { name: 'a type-only import counts too', file: 'src/core/fixture.ts', from: '../control/control-plane.js', fires: true },
  { name: 'escaping src', file: 'src/core/fixture.ts', from: '../../test/support/wait-for.js', fires: true },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const code = `import type { X } from '${c.from}';\nexport type Y = X;\n`;
    const [result] = await eslint.lintText(code, { filePath: `${root}${c.file}` });
    const layerErrors = (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');
    t.equal(layerErrors.length, c.fires ? 1 : 0, `${c.file} → ${c.from}`);
    if (c.fires) t.match(layerErrors[0]?.message, /may import only/);
  });
}
