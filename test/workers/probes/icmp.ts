// The icmp prober: packets (encode/decode, table-driven), demultiplexing over a scripted fake
// socket (replies, unreachables, strays), and real echoes to 127.0.0.1 and ::1 over the native
// addon. Timeouts and unreachables on a real path are in test/workers/probe-worker.ts (netns).

import t from 'tap';
import { loadNative, type NativeAddon } from '../../../src/shared/native.js';
import { decodeIcmp, encodeEchoRequest, internetChecksum, unreachableReason } from '../../../src/workers/probes/icmp-packet.js';
import { IcmpSockets } from '../../../src/workers/probes/icmp-sockets.js';
import { createProbeEnv } from '../../../src/workers/probes/probe-env.js';
import { probeOnce } from '../../support/probe-harness.js';
import type { IcmpProbeSpec } from '../../../src/shared/probe-messages.js';

function icmpSpec(address: string, more: Partial<IcmpProbeSpec> = {}): IcmpProbeSpec {
  return { kind: 'icmp', address, family: address.includes(':') ? 6 : 4, timeoutMs: 1000, sourceAddress: undefined, ...more };
}

/** An IPv4 header (20 bytes) for raw-socket packets. */
function ipv4Header(proto: number, src: number[], dst: number[]): Buffer {
  return Buffer.from([0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0, ...src, ...dst]);
}

t.test('echo request encoding', (t) => {
  const v4 = encodeEchoRequest(4, 0x1234, 0xbeef, 1700000000000.5, 0x0102030405060708n);
  t.equal(v4.length, 24);
  t.equal(v4[0], 8);
  t.equal(v4.readUInt16BE(4), 0x1234);
  t.equal(v4.readUInt16BE(6), 0xbeef);
  t.equal(v4.readDoubleBE(8), 1700000000000.5);
  t.equal(v4.readBigUInt64BE(16), 0x0102030405060708n);
  t.equal(internetChecksum(v4), 0, 'a valid checksum sums to zero');
  const v6 = encodeEchoRequest(6, 1, 2, 0, 3n);
  t.equal(v6[0], 128);
  t.equal(v6.readUInt16BE(2), 0, 'ICMPv6 checksum left to the kernel');
  t.end();
});

t.test('decoding', (t) => {
  const reply4 = Buffer.from(encodeEchoRequest(4, 7, 9, 0, 42n));
  reply4[0] = 0;
  const reply6 = Buffer.from(encodeEchoRequest(6, 7, 9, 0, 42n));
  reply6[0] = 129;
  const req4 = encodeEchoRequest(4, 7, 9, 0, 42n);
  const unreach4 = Buffer.concat([Buffer.from([3, 1, 0, 0, 0, 0, 0, 0]), ipv4Header(1, [10, 0, 0, 1], [10, 9, 8, 7]), req4.subarray(0, 8)]);
  const ip6 = Buffer.alloc(40);
  ip6[0] = 0x60;
  ip6[6] = 58;
  Buffer.from('20010db8000000000000000000000005', 'hex').copy(ip6, 24);
  const unreach6 = Buffer.concat([Buffer.from([1, 3, 0, 0, 0, 0, 0, 0]), ip6, encodeEchoRequest(6, 7, 9, 0, 1n).subarray(0, 8)]);
  const cases = [
    { name: 'v4 reply (ping socket)', family: 4, hdr: false, pkt: reply4, want: { type: 'reply', id: 7, seq: 9, nonce: 42n } },
    { name: 'v4 reply (raw socket, IP header)', family: 4, hdr: true, pkt: Buffer.concat([ipv4Header(1, [10, 9, 8, 7], [10, 0, 0, 1]), reply4]), want: { type: 'reply', id: 7, seq: 9, nonce: 42n } },
    { name: 'v6 reply', family: 6, hdr: false, pkt: reply6, want: { type: 'reply', id: 7, seq: 9, nonce: 42n } },
    { name: 'v4 host unreachable quoting our request', family: 4, hdr: true, pkt: Buffer.concat([ipv4Header(1, [10, 0, 0, 254], [10, 0, 0, 1]), unreach4]), want: { type: 'unreachable', code: 1, id: 7, seq: 9, quotedDestination: '10.9.8.7' } },
    { name: 'v6 address unreachable quoting our request', family: 6, hdr: false, pkt: unreach6, want: { type: 'unreachable', code: 3, id: 7, seq: 9, quotedDestination: '2001:db8::5' } },
    { name: 'v4 echo request (our own, seen by a raw socket)', family: 4, hdr: false, pkt: req4, want: undefined },
    { name: 'truncated reply', family: 4, hdr: false, pkt: reply4.subarray(0, 12), want: undefined },
    { name: 'unreachable quoting UDP', family: 4, hdr: false, pkt: Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), ipv4Header(17, [1, 1, 1, 1], [2, 2, 2, 2]), Buffer.alloc(8)]), want: undefined },
    { name: 'time exceeded', family: 4, hdr: false, pkt: Buffer.from([11, 0, 0, 0, 0, 0, 0, 0]), want: undefined },
  ] as const;
  for (const c of cases) t.same(decodeIcmp(c.family, c.hdr, c.pkt), c.want, c.name);
  t.equal(unreachableReason(4, 1), 'host unreachable');
  t.equal(unreachableReason(6, 3), 'address unreachable');
  t.equal(unreachableReason(4, 99), 'destination unreachable code 99');
  t.end();
});

/** A scripted stand-in for the addon's ICMP calls: records sends, delivers queued datagrams. */
class FakeIcmpNative {
  readonly sent: Array<{ data: Buffer; address: string }> = [];
  readonly queue: Array<{ data: Buffer; address: string }> = [];
  readonly closed: number[] = [];
  onReadable: (() => void) | undefined;
  sendError: string | undefined;
  openError: string | undefined;
  raw = false;

  addon(): NativeAddon {
    const coded = (code: string, syscall: string): Error => Object.assign(new Error(code.toLowerCase()), { code, syscall });
    return {
      openIcmpSocket: () => {
        if (this.openError !== undefined) throw coded(this.openError, 'socket');
        return { fd: 42, raw: this.raw };
      },
      bindAddress: (_fd: number, _family: number, address: string) => {
        if (!address.startsWith('127.')) throw coded('EADDRNOTAVAIL', 'bind');
      },
      watchReadable: (_fd: number, cb: () => void) => {
        this.onReadable = cb;
        return 1;
      },
      unwatch: () => {},
      closeFd: (fd: number) => this.closed.push(fd),
      sendTo: (_fd: number, data: Uint8Array, address: string) => {
        if (this.sendError !== undefined) throw coded(this.sendError, 'sendto');
        this.sent.push({ data: Buffer.from(data), address });
        return data.length;
      },
      recvFrom: (_fd: number, buf: Uint8Array) => {
        const next = this.queue.shift();
        if (next === undefined) return null;
        next.data.copy(buf);
        return { bytes: next.data.length, address: next.address };
      },
    } as unknown as NativeAddon;
  }

  /** Answers the last request: a reply built from it, optionally altered. */
  reply(alter: (b: Buffer) => void = () => {}, from?: string): void {
    const last = this.sent[this.sent.length - 1];
    if (last === undefined) throw new Error('nothing sent');
    const b = Buffer.from(last.data);
    b[0] = b[0] === 8 ? 0 : 129;
    alter(b);
    this.queue.push({ data: b, address: from ?? last.address });
    this.onReadable?.();
  }
}

t.test('demultiplexing over a shared socket', async (t) => {
  const fake = new FakeIcmpNative();
  const env = createProbeEnv({ icmp: new IcmpSockets(() => fake.addon()) });
  t.teardown(() => env.icmp.close());

  const a = probeOnce(icmpSpec('10.0.0.1', { timeoutMs: 100 }), env);
  const b = probeOnce(icmpSpec('10.0.0.2', { timeoutMs: 100 }), env);
  t.equal(fake.sent.length, 2, 'two requests on one socket');
  const [first, second] = fake.sent;
  t.not(first?.data.readUInt16BE(6), second?.data.readUInt16BE(6), 'distinct sequence numbers');
  // A reply to b's request from the wrong address, and one with a wrong nonce, are ignored.
  fake.reply(() => {}, '10.0.0.99');
  fake.reply((p) => p.writeBigUInt64BE(p.readBigUInt64BE(16) ^ 1n, 16));
  fake.reply();
  const rb = await b;
  t.equal(rb.code, 'L4OK');
  t.match(rb.detail, /^echo reply in \d/);
  const ra = await a;
  t.equal(ra.code, 'L4TOUT', 'a got no answer');
  t.equal(ra.detail, 'timeout after 100ms during echo');
  t.end();
});

t.test('raw sockets also match our identifier; unreachables quote the request', async (t) => {
  const fake = new FakeIcmpNative();
  fake.raw = true;
  const env = createProbeEnv({ icmp: new IcmpSockets(() => fake.addon()) });
  t.teardown(() => env.icmp.close());

  const p = probeOnce(icmpSpec('10.9.8.7', { timeoutMs: 200 }), env);
  const req = fake.sent[0]?.data ?? Buffer.alloc(24);
  // A reply carrying someone else's identifier (raw sockets see every ping on the host).
  fake.reply((b) => b.writeUInt16BE(b.readUInt16BE(4) ^ 0xffff, 4));
  // An unreachable quoting another destination is not ours either.
  const quote = (dst: number[]): Buffer => Buffer.concat([ipv4Header(1, [10, 0, 0, 254], [10, 0, 0, 1]), Buffer.from([3, 1, 0, 0, 0, 0, 0, 0]), ipv4Header(1, [10, 0, 0, 1], dst), req.subarray(0, 8)]);
  fake.queue.push({ data: quote([10, 9, 8, 6]), address: '10.0.0.254' });
  fake.onReadable?.();
  fake.queue.push({ data: quote([10, 9, 8, 7]), address: '10.0.0.254' });
  fake.onReadable?.();
  const r = await p;
  t.equal(r.code, 'L4CON');
  t.equal(r.detail, 'host unreachable from 10.0.0.254');
  t.equal(r.layer, 'L4');
  t.end();
});

t.test('local failures', async (t) => {
  const cases = [
    { name: 'socket refused', setup: (f: FakeIcmpNative) => (f.openError = 'EPERM'), spec: icmpSpec('10.0.0.1'), code: 'SOCKERR', detail: 'socket: EPERM' },
    { name: 'source not bindable', setup: () => {}, spec: icmpSpec('10.0.0.1', { sourceAddress: '192.0.2.1' }), code: 'SOCKERR', detail: 'bind 192.0.2.1: EADDRNOTAVAIL' },
    { name: 'send: no route', setup: (f: FakeIcmpNative) => (f.sendError = 'EHOSTUNREACH'), spec: icmpSpec('10.0.0.1'), code: 'L4CON', detail: 'send: EHOSTUNREACH' },
    { name: 'send: no buffer space', setup: (f: FakeIcmpNative) => (f.sendError = 'ENOBUFS'), spec: icmpSpec('10.0.0.1'), code: 'SOCKERR', detail: 'send: ENOBUFS' },
  ] as const;
  for (const c of cases) {
    const fake = new FakeIcmpNative();
    c.setup(fake);
    const env = createProbeEnv({ icmp: new IcmpSockets(() => fake.addon()) });
    const r = await probeOnce(c.spec, env);
    t.equal(r.code, c.code, c.name);
    t.equal(r.detail, c.detail, c.name);
    env.icmp.close();
  }
  t.end();
});

t.test('cancel forgets the request', async (t) => {
  const fake = new FakeIcmpNative();
  const sockets = new IcmpSockets(() => fake.addon());
  const env = createProbeEnv({ icmp: sockets });
  const { prepareProbe } = await import('../../../src/workers/probes/prepare-probe.js');
  let called = false;
  const cancel = prepareProbe(icmpSpec('10.0.0.1', { timeoutMs: 50 }), env).run(() => (called = true));
  t.equal(sockets.socketFor(4, undefined).waiting, 1);
  cancel();
  t.equal(sockets.socketFor(4, undefined).waiting, 0);
  fake.reply();
  await new Promise((resolve) => setTimeout(resolve, 80));
  t.notOk(called, 'no result after cancel');
  sockets.close();
  t.same(fake.closed, [42], 'close closes the fd');
  t.end();
});

function icmpUnavailable(): string | false {
  try {
    const native = loadNative();
    native.closeFd(native.openIcmpSocket(4).fd);
    return false;
  } catch (e) {
    return `no ICMP socket on this machine: ${e instanceof Error ? e.message : String(e)}`;
  }
}

t.test('real echoes on loopback', { skip: icmpUnavailable() }, async (t) => {
  const env = createProbeEnv();
  t.teardown(() => env.icmp.close());
  const results = await Promise.all([
    probeOnce(icmpSpec('127.0.0.1'), env),
    probeOnce(icmpSpec('127.6.0.1'), env),
    probeOnce(icmpSpec('::1'), env),
    probeOnce(icmpSpec('127.0.0.1', { sourceAddress: '127.0.0.2' }), env),
  ]);
  for (const r of results) {
    t.equal(r.code, 'L4OK', r.detail);
    t.equal(r.ok, true);
  }
  // Many concurrent probes on the one shared socket all find their own reply.
  const many = await Promise.all(Array.from({ length: 200 }, (_, i) => probeOnce(icmpSpec(`127.6.1.${i + 1}`), env)));
  t.equal(many.filter((r) => r.code === 'L4OK').length, 200);
  t.end();
});
