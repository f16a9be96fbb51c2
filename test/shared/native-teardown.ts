// The native addon's env teardown: a worker thread that dies while it holds live ICMP readable
// watchers (terminate(), process.exit(), an uncaught throw, a throw inside the watcher callback,
// terminate() while the callback is busy or while echoes flood in, an unwatch still closing)
// must leave the process running and leak no fd. Each case runs in a CHILD process, so a
// regression (it used to SIGSEGV the whole process) fails one assertion instead of killing tap.
// MAGLEV_TEARDOWN_NODE=/path/to/node runs the children under another Node (e.g. Node 24);
// MAGLEV_TEARDOWN_ADDON=/path/to/maglev_native.node tests another build of the addon.

import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isNativeError, loadNative } from '../../src/shared/native.js';

const addonPath = process.env.MAGLEV_TEARDOWN_ADDON ?? fileURLToPath(new URL('../../build/Release/maglev_native.node', import.meta.url));
const nodeBin = process.env.MAGLEV_TEARDOWN_NODE ?? process.execPath;

// The worker: one (or 50) ICMP sockets with watchers, then the mode's way of dying.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const n = require(workerData.addon);
const mode = workerData.mode;
const buf = Buffer.alloc(2048);
function echo(seq) {
  const b = Buffer.alloc(16);
  b[0] = 8; b.writeUInt16BE(0x4d47, 4); b.writeUInt16BE(seq & 0xffff, 6);
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) + b[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff, 2);
  return b;
}
const drain = (fd) => { while (n.recvFrom(fd, buf) !== null); };
const sockets = [];
for (let i = 0; i < (mode === 'many' ? 50 : 1); i++) {
  const { fd } = n.openIcmpSocket(4);
  const onReadable =
    mode === 'busy' ? () => { parentPort.postMessage('busy'); for (;;); } :
    mode === 'throw-in-callback' ? () => { drain(fd); throw new Error('thrown by the watcher callback'); } :
    () => drain(fd);
  sockets.push({ fd, id: n.watchReadable(fd, onReadable) });
}
const [first] = sockets;
if (mode === 'busy' || mode === 'throw-in-callback') n.sendTo(first.fd, echo(1), '127.0.0.1');
if (mode === 'flood') {
  let seq = 0;
  const send = () => { for (let i = 0; i < 20; i++) n.sendTo(first.fd, echo(seq++), '127.0.0.1'); setImmediate(send); };
  send();
}
if (mode === 'unwatch-exit') { n.unwatch(first.id); n.closeFd(first.fd); process.exit(0); }
if (mode === 'exit') setTimeout(() => process.exit(0), 5);
if (mode === 'throw') setTimeout(() => { throw new Error('uncaught in the worker'); }, 5);
if (mode !== 'busy' && mode !== 'throw-in-callback') parentPort.postMessage('ready');
`;

// The child: runs the mode twice with the addon loaded only in the worker (the worker's exit
// unloads it: the original crash) and twice with it also loaded in the main thread.
const childSource = `
const { Worker } = require('node:worker_threads');
const { readdirSync } = require('node:fs');
const { mode, addon, workerSource } = JSON.parse(process.env.TEARDOWN_CASE);
const fds = () => readdirSync('/proc/self/fd').length;
function runOnce() {
  return new Promise((resolve) => {
    const w = new Worker(workerSource, { eval: true, workerData: { mode, addon } });
    const errors = [];
    w.on('error', (e) => errors.push(e.message));
    w.on('message', (m) => {
      if (mode === 'terminate' || mode === 'many' || mode === 'flood' || m === 'busy') setTimeout(() => w.terminate(), mode === 'flood' ? 30 : 0);
    });
    w.on('exit', (code) => resolve({ code, errors }));
  });
}
(async () => {
  await runOnce(); // warm-up: the first worker leaves lasting state (threadpool, inspector)
  const before = fds();
  const exits = [];
  for (let i = 0; i < 2; i++) exits.push(await runOnce());
  require(addon);
  for (let i = 0; i < 2; i++) exits.push(await runOnce());
  console.log(JSON.stringify({ exits, fdsBefore: before, fdsAfter: fds() }));
})();
`;

interface ChildOutcome {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runChild(mode: string): Promise<ChildOutcome> {
  const child = spawn(nodeBin, ['-e', childSource], {
    env: { ...process.env, NODE_OPTIONS: '', TEARDOWN_CASE: JSON.stringify({ mode, addon: addonPath, workerSource }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    }),
  );
}

function icmpUnavailable(): string | false {
  try {
    const n = loadNative();
    n.closeFd(n.openIcmpSocket(4).fd);
    return false;
  } catch (e) {
    if (isNativeError(e) && (e.code === 'EPERM' || e.code === 'EACCES')) return `no ICMP socket permission (${e.code})`;
    throw e;
  }
}

const cases: Array<{ mode: string; how: string; exitCode: number; error?: RegExp }> = [
  { mode: 'terminate', how: 'terminate() with an idle watcher', exitCode: 1 },
  { mode: 'many', how: 'terminate() with 50 watchers', exitCode: 1 },
  { mode: 'busy', how: 'terminate() while the watcher callback runs', exitCode: 1 },
  { mode: 'flood', how: 'terminate() while echo replies flood the watcher', exitCode: 1 },
  { mode: 'exit', how: 'process.exit() in the worker', exitCode: 0 },
  { mode: 'throw', how: 'an uncaught throw in the worker', exitCode: 1, error: /^uncaught in the worker$/ },
  { mode: 'throw-in-callback', how: 'a throw inside the watcher callback', exitCode: 1, error: /^thrown by the watcher callback$/ },
  { mode: 'unwatch-exit', how: 'process.exit() while an unwatched handle is still closing', exitCode: 0 },
];

const skip = icmpUnavailable();
t.comment(`children run ${nodeBin}`);
for (const c of cases) {
  t.test(c.how, { skip }, async (t) => {
    const out = await runChild(c.mode);
    t.equal(out.signal, null, `child not killed by a signal (${out.signal ?? 'none'})`);
    t.equal(out.status, 0, `child exits 0${out.stderr === '' ? '' : `; stderr: ${out.stderr.slice(0, 500)}`}`);
    const line = out.stdout.trim().split('\n').pop() ?? '';
    const report = JSON.parse(line === '' ? '{}' : line) as { exits?: Array<{ code: number; errors: string[] }>; fdsBefore?: number; fdsAfter?: number };
    t.equal(report.exits?.length, 4, 'four workers ran');
    for (const e of report.exits ?? []) {
      t.equal(e.code, c.exitCode, 'worker exit code');
      if (c.error !== undefined) t.match(e.errors, [c.error], 'the worker error reached the parent');
      else t.same(e.errors, [], 'no worker error');
    }
    // Watchers still live at teardown close their fds: the process is back where it started.
    t.equal(report.fdsAfter, report.fdsBefore, `no fd leaked (${report.fdsBefore} → ${report.fdsAfter})`);
  });
}
