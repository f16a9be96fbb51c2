// OffThreadConfigLoader (src/config/off-thread-loader.ts): parses in a Piscina worker thread, so
// the main thread's event loop keeps running; configs come back frozen; a parse over the heap
// cap and a worker that is closed mid-load become parse failures, never rejections.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseConfig } from '../../src/config/loader.js';
import { defaultConfigWorkerHeapMb, OffThreadConfigLoader } from '../../src/config/off-thread-loader.js';
import { bigConfig } from '../support/big-config.js';

void t.test('OffThreadConfigLoader', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'maglev-off-thread-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const goodText = 'maglev:\n  backends:\n    a: { address: 10.0.0.1 }\n';
  const good = join(dir, 'good.yaml');
  await writeFile(good, goodText);
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'maglev:\n  backends:\n    a: { address: nope }\n');
  t.equal(defaultConfigWorkerHeapMb, 2048);

  const loader = new OffThreadConfigLoader({ idleMs: 100 });
  t.teardown(() => loader.close());
  const load = await loader.load(good);
  const inProcess = parseConfig(goodText);
  t.same(load, inProcess, 'the same load as in-process parsing');
  t.ok(load.ok && Object.isFrozen(load.config) && Object.isFrozen(load.config.backends.get('a')), 'frozen on arrival');
  t.same(await loader.check(good), { ok: true, warnings: inProcess.ok ? inProcess.warnings : [] }, 'a check: verdict and warnings');
  t.match(await loader.load(bad), { ok: false, stage: 'parse', errors: [{ path: 'maglev.backends.a.address', line: 3, col: 19 }] });
  const parsed = await loader.parse(goodText);
  t.same(parsed, inProcess, 'a candidate text: the same load as in-process parsing');
  t.ok(parsed.ok && Object.isFrozen(parsed.config), 'frozen on arrival too');
  t.match(await loader.parse('maglev:\n  backends:\n    a: { address: nope }\n'), { ok: false, stage: 'parse', errors: [{ path: 'maglev.backends.a.address', line: 3, col: 19 }] });
  t.match(await loader.check(join(dir, 'missing.yaml')), { ok: false, stage: 'parse', errors: [{ message: /cannot read config file: ENOENT/ }] });
});

void t.test('the main thread keeps running while a big config is parsed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'maglev-off-thread-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'big.yaml');
  await writeFile(file, bigConfig(20_000));
  const loader = new OffThreadConfigLoader();
  t.teardown(() => loader.close());
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const r = await loader.check(file);
  clearInterval(timer);
  t.match(r, { ok: true });
  // The parse takes hundreds of ms of worker CPU; the main thread's timers fire meanwhile.
  t.ok(ticks >= 3, `${ticks} timer ticks during the parse`);
});

void t.test('a parse over the heap cap is a parse failure', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'maglev-off-thread-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'big.yaml');
  await writeFile(file, bigConfig(50_000));
  const loader = new OffThreadConfigLoader({ maxHeapMb: 32 });
  t.teardown(() => loader.close());
  t.match(await loader.load(file), { ok: false, stage: 'parse', errors: [{ path: '', line: 0, col: 0, message: "the config could not be parsed within the parser's memory limit (32 MiB)" }] });
});

void t.test('a worker that dies before it takes the task answers a parser failure, not never', async (t) => {
  // A 1 MiB heap cannot even load the task's modules: the worker dies outside any task.
  const loader = new OffThreadConfigLoader({ maxHeapMb: 1 });
  t.teardown(() => loader.close());
  const file = fileURLToPath(new URL('../../examples/maglev.yaml', import.meta.url));
  t.match(await loader.load(file), { ok: false, stage: 'parse', errors: [{ path: '', line: 0, col: 0, message: /^the config (could not be parsed within the parser's memory limit \(1 MiB\)|parser failed: )/ }] });
});

void t.test('closing the loader during a load answers a parser failure', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'maglev-off-thread-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'big.yaml');
  await writeFile(file, bigConfig(20_000));
  const loader = new OffThreadConfigLoader();
  const pending = loader.load(file);
  await loader.close();
  t.match(await pending, { ok: false, stage: 'parse', errors: [{ path: '', line: 0, col: 0, message: /^the config parser failed: / }] });
});
