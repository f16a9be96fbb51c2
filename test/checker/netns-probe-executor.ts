import t from 'tap';
import { NetnsProbeExecutor } from '../../src/checker/netns-probe-executor.js';
import type { ProbeExecutor } from '../../src/checker/probe-executor.js';
import type { HealthCheck } from '../../src/shared/config.js';

function fakePool(netns: string, log: string[]): ProbeExecutor {
  return {
    run(target, onResult) {
      log.push(`${netns}:${target.backend}`);
      onResult({ ok: true, layer: 'L4', code: 'L4OK', detail: netns, at: 0, durationMs: 1 });
      return () => {};
    },
    close: () => {
      log.push(`close ${netns}`);
      return Promise.resolve();
    },
  };
}

const check = { name: 'hc', type: 'tcp' } as unknown as HealthCheck;

t.test('routes probes to the pool of the current namespace and closes the old one on demand', async (t) => {
  const log: string[] = [];
  const made: string[] = [];
  const ex = await NetnsProbeExecutor.create((ns) => {
    made.push(ns);
    return Promise.resolve(fakePool(ns, log));
  }, '');
  const details: string[] = [];
  ex.run({ backend: 'a', address: '127.0.0.1', check }, (r) => details.push(r.detail));
  t.equal(await ex.switchTo(''), undefined, 'same namespace: no new pool');
  const closeOld = await ex.switchTo('blue');
  t.equal(ex.netns, 'blue');
  ex.run({ backend: 'b', address: '127.0.0.1', check }, (r) => details.push(r.detail));
  t.same(details, ['', 'blue']);
  t.same(made, ['', 'blue']);
  t.notOk(log.includes('close '), 'old pool still open until the loops restarted');
  await closeOld?.();
  await ex.close();
  t.same(log, [':a', 'blue:b', 'close ', 'close blue']);
});
