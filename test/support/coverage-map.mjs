// tap's coverage map: which source files a test file's coverage counts for. Only the pure core,
// the config loader and the IP address rules are measured, each by its own unit tests (never by
// accidental coverage from integration tests), against the thresholds in package.json "tap".
// Every other test maps to null: it runs without coverage, so the suite pays nothing for it
// (and V8 coverage would not reach the probe worker threads anyway). The config fuzz test is
// left out too: its coverage changes with its random inputs.

/** @param {string} testFile the test's path relative to the project root */
export default function coverageMap(testFile) {
  if (testFile === 'test/config/loader.ts') return 'src/config/*.ts';
  if (testFile === 'test/config/fuzz.ts') return null;
  const m = /^test\/(core|config)\/([a-z0-9-]+)\.ts$/.exec(testFile);
  if (m !== null) return `src/${m[1]}/${m[2]}.ts`;
  if (testFile === 'test/shared/ip-address.ts') return 'src/shared/ip-address.ts';
  return null;
}
