// Test helper (not a test): freezes worker threads of this process through the inspector (the
// main thread's session, NodeWorker domain), so a test can make a probe shard hang on purpose.
// A busy loop evaluated in the worker keeps its event loop from running for `ms`; every worker
// that starts while the freezer is on is frozen as soon as it attaches.

import { Session } from 'node:inspector';

export interface WorkerFreezer {
  /** Freezes every worker attached so far (and keeps freezing new ones until stop). */
  freezeAll(): void;
  stop(): void;
}

export function startWorkerFreezer(ms: number): WorkerFreezer {
  const session = new Session();
  session.connect();
  const workers = new Set<string>();
  let freezing = false;
  let id = 0;
  const freeze = (sessionId: string): void => {
    const message = JSON.stringify({ id: ++id, method: 'Runtime.evaluate', params: { expression: `{ const end = Date.now() + ${ms}; while (Date.now() < end); }` } });
    session.post('NodeWorker.sendMessageToWorker', { sessionId, message }, () => {});
  };
  session.on('NodeWorker.attachedToWorker', (m) => {
    const sessionId = (m.params as { sessionId: string }).sessionId;
    workers.add(sessionId);
    if (freezing) freeze(sessionId);
  });
  session.on('NodeWorker.detachedFromWorker', (m) => workers.delete(m.params.sessionId));
  session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, () => {});
  return {
    freezeAll() {
      freezing = true;
      for (const w of workers) freeze(w);
    },
    stop() {
      freezing = false;
      session.disconnect();
    },
  };
}
