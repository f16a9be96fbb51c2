// The SYN counter (compiled here as the bench compiles it) counts connection attempts to its
// port on lo exactly: one per connect, none for other ports, and it keeps a running total.

import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { compileBenchC, startReporting } from '../../bench/c-program.js';
import { parseSynReport } from '../../bench/syn-counter.js';

t.test('report lines', async (t) => {
  t.equal(parseSynReport('syns=42'), 42);
  t.equal(parseSynReport('ready'), undefined);
});

function connectOnce(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => s.resetAndDestroy());
    s.once('close', () => resolve());
    s.once('error', () => resolve());
  });
}

t.test('counts connects to its port only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syn-counter-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const built = compileBenchC('syn-counter', dir);
  if (!built.ok) throw new Error(built.error);
  const listen = async (): Promise<{ close: () => void; port: number }> => {
    const server = createServer((s) => s.on('error', () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return { close: () => server.close(), port: typeof address === 'object' && address !== null ? address.port : 0 };
  };
  const [mine, other] = [await listen(), await listen()];
  t.teardown(() => (mine.close(), other.close()));
  const counter = await startReporting('syn-counter', built.path, [String(mine.port)], parseSynReport);
  t.teardown(() => counter.part.stop());
  t.equal(await counter.report(), 0, 'nothing yet');
  for (let i = 0; i < 5; i++) await connectOnce(mine.port);
  for (let i = 0; i < 3; i++) await connectOnce(other.port);
  t.equal(await counter.report(), 5, 'five connects to its port');
  await connectOnce(mine.port);
  t.equal(await counter.report(), 6, 'a running total');
});
