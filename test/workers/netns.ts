import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { enterNetns, netnsPath } from '../../src/workers/netns.js';
import { warmThreadpool } from '../../src/checker/threadpool-warmup.js';
import { startTsWorker } from '../support/ts-worker.js';

const run = promisify(execFile);
const ns = `maglevtest-${process.pid}`;

function fetchTag(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
}

t.test('a name that does not exist gives the exact detail', async (t) => {
  const before = statSync('/proc/thread-self/ns/net').ino;
  t.same(enterNetns(`maglevtest-missing-${process.pid}`), {
    ok: false,
    code: 'NETNS',
    detail: `enter netns "maglevtest-missing-${process.pid}": no such file or directory`,
  });
  t.equal(statSync('/proc/thread-self/ns/net').ino, before, 'thread stays where it was');
});

let canNetns: string | false = false;
try {
  await run('ip', ['netns', 'add', ns]);
} catch (e) {
  canNetns = `cannot create a network namespace here (${(e as Error).message.split('\n')[0]})`;
  console.log(`# skipping namespace tests: ${canNetns}`);
}
if (canNetns === false) {
  t.teardown(() => run('ip', ['netns', 'del', ns]).then(() => undefined));
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  // Unprivileged ICMP inside: ping_group_range is per namespace and starts at "1 0".
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ping_group_range=0 2147483647']);
}

t.test('a worker in the namespace and the main thread reach different servers on one port', { skip: canNetns }, async (t) => {
  const mainServer = createServer((s) => s.end('main'));
  await new Promise<void>((resolve) => mainServer.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => mainServer.close(() => resolve())));
  const port = (mainServer.address() as AddressInfo).port;

  const script = `require('net').createServer((s) => s.end('netns')).listen(${port}, '127.0.0.1', () => console.log('ready'))`;
  const nsServer = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => void nsServer.kill());
  await new Promise<void>((resolve, reject) => {
    nsServer.stdout.once('data', () => resolve());
    nsServer.once('exit', (code) => reject(new Error(`namespace server exited with ${code}`)));
  });

  await warmThreadpool();
  const w = startTsWorker(new URL('../support/netns-worker.ts', import.meta.url), { netns: ns, port });
  t.teardown(() => w.terminate());
  const report = await new Promise<Record<string, unknown>>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  const nsIno = statSync(netnsPath(ns)).ino;
  t.same(report.entered, { ok: true });
  t.equal(report.tag, 'netns', 'worker reached the server inside the namespace');
  t.equal(report.ino, nsIno, "worker thread's namespace is the named one");
  t.equal(report.echoRaw, false, 'unprivileged ping socket works inside (ping_group_range set)');
  t.equal(await fetchTag(port), 'main', 'main thread still reaches the default-namespace server');

  const inNs = readdirSync('/proc/self/task').filter((tid) => {
    try {
      return statSync(`/proc/self/task/${tid}/ns/net`).ino === nsIno;
    } catch {
      return false; // thread exited meanwhile
    }
  });
  t.equal(inNs.length, 1, 'only the worker thread moved; the threadpool stayed in the default namespace');
  w.postMessage('exit');
});

t.test('the trap the warmup avoids: a pool first used from inside follows the worker', { skip: canNetns }, async (t) => {
  // A fresh plain node (no tsx, nothing touched the pool yet): the worker enters, then does fs work.
  const addon = new URL('../../build/Release/maglev_native.node', import.meta.url).pathname;
  // The main thread blocks in Atomics.wait until the worker's fs job is done, so nothing of its
  // own can reach the pool first.
  const workerCode = `const { workerData: flag } = require('worker_threads');
require(${JSON.stringify(addon)}).setnsNet(${JSON.stringify(netnsPath(ns))});
require('fs').promises.stat('/').then(() => { Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); });
setTimeout(() => {}, 60000); // stay alive until terminated: a finished worker's thread leaves /proc/self/task`;
  const main = `const fs = require('fs');
const ino = fs.statSync(${JSON.stringify(netnsPath(ns))}).ino;
const flag = new Int32Array(new SharedArrayBuffer(4));
const w = new (require('worker_threads').Worker)(${JSON.stringify(workerCode)}, { eval: true, workerData: flag });
Atomics.wait(flag, 0, 0, 5000);
const n = fs.readdirSync('/proc/self/task').filter((t) => { try { return fs.statSync('/proc/self/task/' + t + '/ns/net').ino === ino; } catch { return false; } }).length;
console.log(n);
w.terminate();`;
  // env -u: tap's process-info hook adds an --import to NODE_OPTIONS of every child process,
  // and that import would start the pool before our worker does.
  const { stdout } = await run('env', ['-u', 'NODE_OPTIONS', 'UV_THREADPOOL_SIZE=4', process.execPath, '-e', main]);
  t.equal(stdout.trim(), '5', 'the worker and all 4 pool threads ended up in the namespace');
});

t.test('without CAP_SYS_ADMIN the detail says operation not permitted', { skip: canNetns }, async (t) => {
  const code = `import { enterNetns } from ${JSON.stringify(new URL('../../src/workers/netns.ts', import.meta.url).href)};
console.log(JSON.stringify(enterNetns(${JSON.stringify(ns)})));`;
  let out: string;
  try {
    ({ stdout: out } = await run('setpriv', [
      '--inh-caps=-sys_admin',
      '--bounding-set=-sys_admin',
      process.execPath,
      '--import=tsx',
      '--input-type=module',
      '-e',
      code,
    ]));
  } catch (e) {
    t.plan(0, `setpriv cannot drop CAP_SYS_ADMIN here: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  t.same(JSON.parse(out), { ok: false, code: 'NETNS', detail: `enter netns "${ns}": operation not permitted` });
});
