import net from 'node:net';
import t from 'tap';
import type { Teardown } from '../../support/vpp-sim-harness.js';
import { until } from '../../support/wait-for.js';
import { TcpRelay, type RelayEnd, type RelayTarget } from '../../../src/vpp/sim/tcp-relay.js';

const upstreamHost = '127.79.4.1';
const relayHost = '127.79.4.9';

/** A server on host:0 that hands each accepted socket to `onSocket`; closed at teardown. */
async function server(t: Teardown, host: string, onSocket: (s: net.Socket) => void, opts: net.ServerOpts = {}): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer(opts, (s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => srv.listen(0, host, resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => srv.close(() => resolve()));
  });
  return (srv.address() as net.AddressInfo).port;
}

/**
 * A relay listener in front of an upstream: `route` decides each packet (it gets the payload
 * size; the test can switch the answer), and every relay's end is recorded.
 */
async function relayLab(t: Teardown, upstream: (s: net.Socket) => void) {
  const upPort = await server(t, upstreamHost, upstream);
  const target: { now: RelayTarget | undefined } = { now: { address: upstreamHost, port: upPort } };
  const packets: number[] = [];
  const ends: RelayEnd[] = [];
  const relays: TcpRelay[] = [];
  const port = await server(
    t,
    relayHost,
    (client) => {
      const r = new TcpRelay(client, {
        route: (bytes) => {
          packets.push(bytes);
          return target.now;
        },
        mss: 1000,
        onEnd: (e) => ends.push(e),
      });
      relays.push(r);
      r.start();
    },
    { pauseOnConnect: true, allowHalfOpen: true },
  );
  /** Connects; `gone` settles when the socket is gone (a reset may come before 'connect'). */
  const connect = async (): Promise<net.Socket & { gone: Promise<void> }> => {
    const s = net.connect({ host: relayHost, port, allowHalfOpen: true });
    s.on('error', () => undefined);
    t.teardown(() => s.destroy());
    const gone = new Promise<void>((resolve) => s.once('close', () => resolve()));
    await Promise.race([new Promise((resolve) => s.once('connect', resolve)), gone]);
    return Object.assign(s, { gone });
  };
  return { upPort, target, packets, ends, relays, connect };
}

function collect(s: net.Socket): { text: () => string; ended: Promise<void> } {
  let text = '';
  s.setEncoding('utf8').on('data', (d: string) => (text += d));
  return { text: () => text, ended: new Promise((resolve) => s.once('end', resolve)) };
}

t.test('bytes both ways; each write is routed per segment; half-closes both ways', async (t) => {
  const l = await relayLab(t, (s) => {
    let got = 0;
    s.on('data', (d: Buffer) => (got += d.length));
    s.on('end', () => s.end(`got ${got}`));
  });
  const c = await l.connect();
  const reply = collect(c);
  c.end(Buffer.alloc(2500, 0x61));
  await reply.ended;
  t.equal(reply.text(), 'got 2500', 'the upstream saw everything, answered after our FIN, then closed');
  await until(() => l.ends.length === 1, 'the relay to end');
  t.same(l.ends, ['closed']);
  t.equal(l.packets[0], 0, 'the SYN is routed first');
  t.equal(l.packets.at(-1), 0, 'the FIN last');
  t.equal(
    l.packets.slice(1, -1).reduce((x, y) => x + y, 0),
    2500,
    'the payload is routed in between',
  );
  t.ok(l.packets.slice(1, -1).every((n) => n > 0 && n <= 1000), `segments no larger than the MSS: ${l.packets.join(',')}`);
});

t.test('large transfers in both directions respect backpressure', async (t) => {
  const size = 8 * 1024 * 1024;
  const l = await relayLab(t, (s) => {
    s.pipe(s); // echo
  });
  const c = await l.connect();
  let echoed = 0;
  const done = new Promise<void>((resolve) => {
    c.on('data', (d: Buffer) => {
      echoed += d.length;
      if (echoed === size) resolve();
    });
  });
  c.write(Buffer.alloc(size, 1));
  await done;
  t.equal(echoed, size);
  t.equal(l.packets.slice(1).reduce((x, y) => x + y, 0), size, 'every byte routed once');
});

t.test('a packet routed elsewhere or dropped resets both sides', async (t) => {
  const cases: Array<{ name: string; in: RelayTarget | undefined; want: RelayEnd }> = [
    { name: 'another AS', in: { address: '127.79.4.2', port: 1 }, want: 'moved' },
    { name: 'another port on the AS', in: { address: upstreamHost, port: 1 }, want: 'moved' },
    { name: 'no AS', in: undefined, want: 'dropped' },
  ];
  for (const c of cases) {
    let upClosed = false;
    const l = await relayLab(t, (s) => s.once('close', () => (upClosed = true)));
    const s = await l.connect();
    const error = new Promise<string | undefined>((resolve) => s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
    l.target.now = c.in;
    s.write('x');
    t.equal(await error, 'ECONNRESET', `${c.name}: the client is reset`);
    await until(() => upClosed, `${c.name}: the AS side to close`);
    t.same(l.ends, [c.want], c.name);
  }
});

t.test('a dropped SYN, a refusing AS, a client reset, an abort', async (t) => {
  const dropped = await relayLab(t, () => undefined);
  dropped.target.now = undefined;
  await (await dropped.connect()).gone;
  t.same(dropped.ends, ['dropped'], 'nothing to connect to');

  const refusing = await relayLab(t, () => undefined);
  refusing.target.now = { address: upstreamHost, port: 1 };
  await (await refusing.connect()).gone;
  t.same(refusing.ends, ['as-failed'], 'the AS refused');

  let upClosed = false;
  const resetting = await relayLab(t, (s) => s.once('close', () => (upClosed = true)));
  const s3 = await resetting.connect();
  s3.write('hello');
  await until(() => resetting.packets.length >= 2, 'the write to be relayed');
  s3.resetAndDestroy();
  await until(() => upClosed, "the AS side to close after the client's reset");
  t.same(resetting.ends, ['client-reset']);

  const aborted = await relayLab(t, () => undefined);
  const s4 = await aborted.connect();
  await until(() => aborted.relays.length === 1 && aborted.relays[0]!.target !== undefined, 'the relay to start');
  const gone = new Promise<string | undefined>((resolve) => s4.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
  aborted.relays[0]!.abort();
  t.equal(await gone, 'ECONNRESET');
  t.same(aborted.ends, ['stopped']);
});
