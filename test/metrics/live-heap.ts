// maglev_heap_live_bytes follows major GCs: it drops back to the live set after garbage is
// collected, rises when the live set really grows, and stops moving once observation stops.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Registry } from 'prom-client';
import t from 'tap';
import { liveHeapMetric, registerLiveHeapGauge } from '../../src/metrics/live-heap.js';

// A major GC on demand without starting node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function value(registry: Registry): Promise<number> {
  const m = await registry.getSingleMetric(liveHeapMetric)?.get();
  return m?.values[0]?.value ?? NaN;
}

/** A major GC, then a wait until the observer has seen it. */
async function collect(): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
}

void t.test('the gauge tracks the live set after each major GC', async (t) => {
  const registry = new Registry();
  const stop = registerLiveHeapGauge(registry);
  t.teardown(stop);
  t.ok((await value(registry)) > 0, 'set at registration');

  await collect();
  const base = await value(registry);
  // Garbage only: after the next major GC the floor is back near the base.
  let garbage: number[][] | undefined = Array.from({ length: 200 }, () => Array.from({ length: 1000 }, (_, i) => i * 1.5));
  t.ok(garbage.length > 0);
  garbage = undefined;
  await collect();
  const afterGarbage = await value(registry);
  t.ok(afterGarbage < base + 4 * 2 ** 20, `garbage is not live (${base} → ${afterGarbage})`);

  // ~16 MB kept alive: the floor rises by about that much.
  const kept = Array.from({ length: 2000 }, () => Array.from({ length: 1000 }, (_, i) => i * 1.5));
  await collect();
  const afterKept = await value(registry);
  t.ok(afterKept > afterGarbage + 8 * 2 ** 20, `kept objects are live (${afterGarbage} → ${afterKept})`);
  t.equal(kept.length, 2000);
});

void t.test('after stop the gauge no longer moves', async (t) => {
  const registry = new Registry();
  const stop = registerLiveHeapGauge(registry);
  await collect();
  stop();
  const before = await value(registry);
  let kept: number[][] | undefined = Array.from({ length: 2000 }, () => Array.from({ length: 1000 }, (_, i) => i * 1.5));
  await collect();
  t.equal(await value(registry), before);
  t.equal(kept.length, 2000);
  kept = undefined;
});
