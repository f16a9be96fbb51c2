import t from 'tap';
import { NetnsProbeExecutor } from '../../src/checker/netns-probe-executor.js';
import type { ProbeExecutor, ProbeSink } from '../../src/checker/probe-executor.js';
import type { HealthCheck } from '../../src/shared/config.js';
import { detailKind } from '../../src/shared/probe-detail.js';
import { ProbeClient } from '../support/probe-client.js';

function fakePool(netns: string, log: string[]): ProbeExecutor {
  let sink: ProbeSink | undefined;
  return {
    setSink: (s) => (sink = s),
    start(key, target) {
      log.push(`${netns}:${target.backend}`);
      sink?.onProbeResult(key, { code: 'L4OK', detail: detailKind.text, arg: 0, text: netns, at: 0, durationMs: 1, discarded: false, lagMs: NaN });
    },
    cancel: (key) => log.push(`cancel ${netns}:${key}`),
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
  const client = new ProbeClient(ex);
  const details: string[] = [];
  client.run({ backend: 'a', address: '127.0.0.1', check }, (r) => details.push(r.detail));
  t.equal(await ex.switchTo(''), undefined, 'same namespace: no new pool');
  const closeOld = await ex.switchTo('blue');
  t.equal(ex.netns, 'blue');
  client.run({ backend: 'b', address: '127.0.0.1', check }, (r) => details.push(r.detail));
  t.same(details, ['', 'blue'], 'the new pool delivers to the same sink');
  t.same(made, ['', 'blue']);
  t.notOk(log.includes('close '), 'old pool still open until the loops restarted');
  ex.cancel(7);
  t.same(log.slice(-2), ['cancel blue:7', 'cancel :7'], 'a cancel reaches the old pool while it is open');
  await closeOld?.();
  ex.cancel(8);
  t.same(log.slice(-2), ['close ', 'cancel blue:8'], 'and no longer once it is closed');
  await ex.close();
  t.same(log, [':a', 'blue:b', 'cancel blue:7', 'cancel :7', 'close ', 'cancel blue:8', 'close blue']);
});
