// Lint: typescript-eslint's type-checked rules and the layer rules of docs/architecture.md; the
// build and tests enforce the rest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * What each folder of src/ may import besides itself (and src/generated, the build stamp). The
 * layers of docs/architecture.md: the pure core and the VPP client stand alone, the checker never
 * reaches the dataplane, workers know only the thread contracts, and the clients see the daemon
 * only through its API.
 */
export const layers = {
  shared: [],
  core: ['shared'],
  config: ['shared', 'core'],
  vpp: ['shared'],
  workers: ['shared'],
  checker: ['shared', 'core'],
  sync: ['shared', 'core', 'vpp', 'checker'],
  control: ['shared', 'core', 'config', 'checker', 'api'],
  metrics: ['shared', 'core', 'checker', 'control'],
  api: ['shared'],
  daemon: ['shared', 'core', 'config', 'checker', 'sync', 'vpp', 'control', 'metrics', 'api'],
  maglevc: ['shared', 'api'],
  web: ['shared', 'api'],
  maglevt: ['shared', 'api', 'config'],
  fleet: ['shared'],
  demo: ['shared'],
};

/** no-restricted-imports for one layer: a relative import that leaves the folder must land in an allowed one. */
function layerRule(layer, allowed) {
  const ok = [...allowed, 'generated'].join('|');
  const message = `src/${layer} may import only ${allowed.length === 0 ? 'itself' : allowed.map((a) => `src/${a}`).join(', ')} (docs/architecture.md)`;
  const outOf = (up) => ({ regex: `^${'\\.\\./'.repeat(up)}(?!(${ok})/)[^.]`, message });
  return [
    // Files directly in src/<layer>/: '../x/' leaves the layer. In src/<layer>/<sub>/: '../../x/'.
    { files: [`src/${layer}/*.ts`], rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [outOf(1), { regex: '^\\.\\./\\.\\./', message }] }] } },
    { files: [`src/${layer}/*/*.ts`], rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [outOf(2), { regex: '^\\.\\./\\.\\./\\.\\./', message }] }] } },
  ];
}

export const config = tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', '.tap/**', 'src/generated/**', 'src/web/ui/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // tap's t.test() returns a promise the runner tracks; async callbacks without await are its idiom.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/require-await': 'off' },
  },
  ...Object.entries(layers).flatMap(([layer, allowed]) => layerRule(layer, allowed)),
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
);

export default config;
