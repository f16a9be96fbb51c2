import t from 'tap';
import { mkdtempSync, readSync, rmSync, writeSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNativeError, loadNative } from '../../src/shared/native.js';
import { echoOnce } from '../support/icmp-echo.js';
import { startTsWorker } from '../support/ts-worker.js';

const n = loadNative();
const dir = mkdtempSync(join(tmpdir(), 'maglev-native-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function readAll(fd: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  readSync(fd, b, 0, len, 0);
  return b;
}

t.test('loader caches one instance', async (t) => {
  t.equal(loadNative(), n);
});

t.test('errors carry the errno name and lowercase strerror text', async (t) => {
  const cases: Array<{ name: string; run: () => unknown; code: string; message: string }> = [
    { name: 'setns on a missing path', run: () => n.setnsNet(join(dir, 'nope')), code: 'ENOENT', message: 'no such file or directory' },
    { name: 'setns on a non-namespace file', run: () => n.setnsNet('/dev/null'), code: 'EINVAL', message: 'invalid argument' },
    { name: 'fstat of a closed fd', run: () => n.fstatSize(99999), code: 'EBADF', message: 'bad file descriptor' },
    { name: 'connect to a missing socket', run: () => n.connectSeqpacket(join(dir, 'none.sock')), code: 'ENOENT', message: 'no such file or directory' },
  ];
  for (const c of cases) {
    let caught: unknown;
    try {
      c.run();
    } catch (e) {
      caught = e;
    }
    t.ok(isNativeError(caught), c.name);
    t.match(caught, { code: c.code, message: c.message }, c.name);
  }
  t.throws(() => (n.setnsNet as (p: unknown) => void)(42), TypeError, 'bad argument type is a TypeError');
});

t.test('memfd holds bytes and reports its size', async (t) => {
  const fd = n.memfdCreate('native-test');
  t.teardown(() => n.closeFd(fd));
  n.ftruncate(fd, 8192);
  t.equal(n.fstatSize(fd), 8192);
  writeSync(fd, Buffer.from('hello'), 0, 5, 4096);
  t.equal(readAll(fd, 8192).subarray(4096, 4101).toString(), 'hello');
});

t.test('SEQPACKET fd passing, non-blocking pair in one thread', async (t) => {
  const path = join(dir, 'pair.sock');
  const memfd = n.memfdCreate('pair');
  writeSync(memfd, Buffer.from('known bytes'), 0, 11, 0);
  const listener = n.listenSeqpacket(path);
  t.teardown(() => {
    n.closeFd(listener);
    n.closeFd(memfd);
  });
  t.equal(n.acceptSendFd(listener, memfd), 0, 'no client pending');
  const sock = n.connectSeqpacket(path);
  t.equal(n.tryRecvFd(sock), -1, 'nothing yet');
  t.equal(n.acceptSendFd(listener, memfd), 1, 'client served');
  const got = n.tryRecvFd(sock);
  n.closeFd(sock);
  t.ok(got >= 0 && got !== memfd, 'a new fd arrived');
  t.equal(readAll(got, 11).toString(), 'known bytes');
  t.equal(n.fstatSize(got), 11);
  n.closeFd(got);

  const sock2 = n.connectSeqpacket(path);
  t.throws(() => n.acceptSendFd(listener, -1), { code: 'EBADF' }, 'sending a bad fd fails on the server');
  t.throws(() => n.tryRecvFd(sock2), { code: 'EBADMSG', message: 'no file descriptor received' }, 'client sees a close without fd');
  n.closeFd(sock2);

  const stale = n.listenSeqpacket(path);
  t.ok(stale >= 0, 'listening again on the same path replaces the stale socket file');
  n.closeFd(stale);
});

t.test('blocking recvFd against a server in a worker', async (t) => {
  const path = join(dir, 'worker.sock');
  const w = startTsWorker(new URL('../support/fd-server-worker.ts', import.meta.url), { path, bytes: Buffer.from('stat segment bytes') });
  t.teardown(() => w.terminate());
  const messages: string[] = [];
  const served = new Promise<void>((resolve) => w.on('message', (m: string) => (messages.push(m), m === 'served' && resolve())));
  await new Promise<void>((resolve) => w.once('message', () => resolve()));
  const fd = n.recvFd(path, 2000);
  t.equal(readAll(fd, 18).toString(), 'stat segment bytes');
  n.closeFd(fd);
  await served;
  t.same(messages, ['listening', 'served']);
});

t.test('blocking recvFd times out when nobody answers', async (t) => {
  const path = join(dir, 'silent.sock');
  const listener = n.listenSeqpacket(path);
  t.teardown(() => n.closeFd(listener));
  const start = performance.now();
  t.throws(() => n.recvFd(path, 100), { code: 'ETIMEDOUT', message: 'connection timed out' });
  t.ok(performance.now() - start >= 95, 'waited for the timeout');
});

t.test('ICMP echo round trip to 127.0.0.1', async (t) => {
  const r = await echoOnce(4, '127.0.0.1', 11);
  t.equal(r.from, '127.0.0.1');
  t.equal(r.icmp[0], 0, 'echo reply');
  t.equal(r.icmp.subarray(8, 24).toString(), 'maglev-echo-test', 'payload echoed');
  t.comment(`socket kind: ${r.raw ? 'raw' : 'ping'}`);
});

const hasV6Loopback = Object.values(networkInterfaces()).some((l) => l?.some((a) => a.address === '::1'));
t.test('ICMPv6 echo round trip to ::1', { skip: hasV6Loopback ? false : 'no ::1 on this machine' }, async (t) => {
  const r = await echoOnce(6, '::1', 12);
  t.equal(r.from, '::1');
  t.equal(r.icmp[0], 129, 'echo reply');
});

t.test('bindAddress binds a local source and rejects a foreign one', async (t) => {
  const { fd } = n.openIcmpSocket(4);
  t.teardown(() => n.closeFd(fd));
  t.throws(() => n.bindAddress(fd, 4, '192.0.2.1'), { code: 'EADDRNOTAVAIL' });
  t.throws(() => n.bindAddress(fd, 4, 'not-an-ip'), { code: 'EINVAL' });
  n.bindAddress(fd, 4, '127.0.0.1');
  t.pass('bound to 127.0.0.1');
});

t.test('a watcher calls back on readable and stops on unwatch', async (t) => {
  const { fd } = n.openIcmpSocket(4);
  let calls = 0;
  const id = n.watchReadable(fd, () => {
    calls++;
    while (n.recvFrom(fd, Buffer.alloc(256)) !== null);
  });
  n.unwatch(id);
  n.unwatch(id);
  n.closeFd(fd);
  await new Promise((r) => setTimeout(r, 20));
  t.equal(calls, 0, 'no callback after unwatch, and a second unwatch is harmless');
});
