// maglev_heap_live_bytes: the main thread's V8 heap in use right after its last major GC, i.e.
// the live set. Heap-used and RSS follow a GC sawtooth whose peaks V8 sizes from its own
// heuristics; the floor after a mark-compact is what grows when something leaks.

import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Gauge, type Registry } from 'prom-client';

export const liveHeapMetric = 'maglev_heap_live_bytes';

/** Registers the gauge and starts observing GCs; the returned function stops observing. */
export function registerLiveHeapGauge(registry: Registry): () => void {
  const gauge = new Gauge({
    name: liveHeapMetric,
    help: 'V8 heap used right after the last major GC of the main thread (the live set); until the first one, the heap used at start.',
    registers: [registry],
  });
  gauge.set(getHeapStatistics().used_heap_size);
  // Entries arrive in a batch shortly after the GC; the heap read then is the floor plus
  // whatever was allocated in between, which is small next to the sawtooth.
  const observer = new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => (e as { detail?: { kind?: number } | null }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (major) gauge.set(getHeapStatistics().used_heap_size);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
