// The TypeScript loader of the test processes (tap's node-arg; worker threads run it too): tsx,
// told to put sourcesContent in its source maps when tap measures this test's coverage. tsx does
// that only when it sees NODE_V8_COVERAGE (tap measures through the inspector instead), and
// without sourcesContent tap's report (c8, v8-to-istanbul) maps every file onto one line and
// calls it 100% covered. The variable is set only where tsx reads it, never for processes the
// test spawns: in the module-hooks thread on Node 20 (tsx transforms there), and around loading
// tsx in this thread on Node >= 22.15 (tsx transforms here, through module.registerHooks).
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const flag = 'NODE_V8_COVERAGE';

if (isMainThread && process.env._TAPJS_PROCESSINFO_COVERAGE_ === '1' && process.env[flag] === undefined) {
  register('./tsx-sources-content.mjs', import.meta.url);
  process.env[flag] = 'tsx-sources-content';
  await import('tsx');
  delete process.env[flag];
} else {
  await import('tsx');
}
