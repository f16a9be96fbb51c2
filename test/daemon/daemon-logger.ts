// The daemon's logger and WatchEvents hub: a stream cut off as too slow is logged as `event-drop`
// at warn, on the log output and to the other streams that asked for warn records.

import t from 'tap';
import type { BackendTransitionEvent } from '../../src/checker/events.js';
import { createDaemonLogger } from '../../src/daemon/daemon-logger.js';

const ev: BackendTransitionEvent = {
  kind: 'backend',
  backend: 'b1',
  frontends: ['web'],
  transition: { from: 'up', to: 'down', at: 0, code: 'L4CON', detail: '' },
};

void t.test('a stream cut off as too slow is logged as event-drop through the logger that taps the hub', async (t) => {
  const lines: string[] = [];
  const { logger, hub } = createDaemonLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) }, queueLimit: 2 });
  const slow = hub.subscribe({ peer: 'slow:1', logLevel: undefined, accept: (e) => e.kind === 'backend' });
  const watcher = hub.subscribe({ peer: 'watcher:1', logLevel: 'warn', accept: (e) => e.kind === 'log' });
  logger.info('below-warn'); // stdout only: the watcher asked for warn
  hub.publish(ev);
  hub.publish(ev);
  t.equal(slow.closedReason, undefined, 'a full queue is still fine');
  hub.publish(ev);
  t.equal(slow.closedReason, 'too-slow');
  const out = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(
    out.map((r) => r.msg),
    ['below-warn', 'event-drop'],
  );
  t.match(out[1], { level: 'WARN', msg: 'event-drop', peer: 'slow:1', queued: 2 });
  t.match((await watcher.next()).value, {
    kind: 'log',
    record: { level: 'warn', msg: 'event-drop', attrs: [['peer', 'slow:1'], ['queued', '2']] },
  });
  t.equal(watcher.queued, 0, 'and nothing else reached the watcher');
  hub.closeAll();
});
