// The scrape-time state gauges: the reads of backend and frontend views yield to the event loop
// often enough that a slow view (a frontend with many pool members) cannot hold the main thread
// for a long stretch of the scrape.

import t from 'tap';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { registerStateGauges, type StateSource } from '../../src/metrics/state.js';
import { countEventLoopTurns } from '../support/event-loop-turns.js';
import { FakeControlPlane } from '../support/fake-control-plane.js';

/** Busy for `ms` of main-thread time, as a view with hundreds of members is. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

void t.test('each slow frontend view is followed by a chance to yield', async (t) => {
  const fake = new FakeControlPlane();
  const frontend = fake.getFrontend(fake.listFrontends()[0]!);
  const names = Array.from({ length: 40 }, (_, i) => `fe${i}`);
  const source: StateSource = {
    listBackends: () => [],
    getBackend: (n) => fake.getBackend(n),
    listFrontends: () => names,
    getFrontend: (name) => {
      busy(2);
      return { ...frontend, name };
    },
  };
  const registry = new MetricsRegistry({ sliceMs: 4 });
  registerStateGauges(registry, source);
  const turns = countEventLoopTurns();
  const text = await registry.metrics();
  const turned = turns.stop();
  t.equal(text.match(/^maglev_frontend_state\{/gm)?.length, 40, 'every frontend printed');
  // 40 views of 2 ms in slices of 4 ms: about 20 turns; paced every 256 views it was none.
  t.ok(turned >= 15, `the event loop turned ${turned} times while 40 slow views were read`);
});
