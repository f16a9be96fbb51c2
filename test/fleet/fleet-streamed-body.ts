// Streamed bodies of the huge and gzip-bomb faults: heads and lengths, the bomb inflates to
// zeros (every member), and the writer follows the reader and stops when it goes away.

import t from 'tap';
import net from 'node:net';
import { gunzipSync } from 'node:zlib';
import { gzipZeroMember, streamedBody, writeStreamed } from '../../src/fleet/fleet-streamed-body.js';

const mib = 1024 * 1024;

t.test('heads and lengths', (t) => {
  const cases = [
    { kind: 'huge', bytes: 100_000_000, length: 100_000_000, gzip: false },
    { kind: 'huge', bytes: 1, length: 1, gzip: false },
    { kind: 'gzip-bomb', bytes: 3 * mib, length: 3 * gzipZeroMember().length, gzip: true },
    { kind: 'gzip-bomb', bytes: 3 * mib + 1, length: 4 * gzipZeroMember().length, gzip: true },
    { kind: 'gzip-bomb', bytes: 1, length: gzipZeroMember().length, gzip: true },
  ] as const;
  for (const c of cases) {
    const body = streamedBody({ kind: c.kind, bytes: c.bytes });
    const head = body?.head.toString('latin1') ?? '';
    t.equal(body?.length, c.length, `${c.kind} ${c.bytes}: length`);
    t.match(head, new RegExp(`^HTTP/1\\.1 200 Fleet\\r\\n.*Content-Length: ${c.length}\\r\\n.*\\r\\n\\r\\n$`, 's'), `${c.kind} ${c.bytes}: head`);
    t.equal(head.includes('Content-Encoding: gzip\r\n'), c.gzip, `${c.kind} ${c.bytes}: encoding`);
  }
  t.equal(streamedBody({ kind: 'up' }), undefined);
  t.end();
});

t.test('the bomb: about 1000:1, inflating to zeros across members', (t) => {
  const member = gzipZeroMember();
  t.ok(member.length < 2048, `one member is ${member.length} bytes for 1 MiB`);
  const inflated = gunzipSync(Buffer.concat([member, member, member]));
  t.equal(inflated.length, 3 * mib, 'every member inflates');
  t.ok(inflated.every((b) => b === 0), 'zeros');
  t.end();
});

async function pair(): Promise<{ server: net.Socket; client: net.Socket; close: () => void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect({ host: '127.0.0.1', port: (listener.address() as net.AddressInfo).port });
  const server = await accepted;
  server.on('error', () => {});
  client.on('error', () => {});
  return { server, client, close: () => (server.destroy(), client.destroy(), listener.close()) };
}

t.test('written whole to a reader that reads it all', async (t) => {
  const { server, client, close } = await pair();
  t.teardown(close);
  const body = streamedBody({ kind: 'huge', bytes: 3 * mib + 7 });
  if (body === undefined) throw new Error('no body');
  writeStreamed(server, body);
  let got = 0;
  let tail = '';
  for await (const chunk of client) {
    got += (chunk as Buffer).length;
    tail = (tail + (chunk as Buffer).toString('latin1')).slice(-8);
  }
  t.equal(got, body.head.length + body.length, 'head and every body byte, then the end');
  t.equal(tail, 'xxxxxxxx');
});

t.test('stops when the reader goes away, holding little', async (t) => {
  const { server, client, close } = await pair();
  t.teardown(close);
  const body = streamedBody({ kind: 'huge', bytes: 2 ** 40 });
  if (body === undefined) throw new Error('no body');
  const closed = new Promise((resolve) => server.once('close', resolve));
  writeStreamed(server, body);
  t.ok(server.writableLength <= 2 * 64 * 1024 + body.head.length, `backpressure: ${server.writableLength} bytes buffered`);
  let got = 0;
  await new Promise<void>((resolve) =>
    client.on('data', (d: Buffer) => {
      got += d.length;
      if (got > mib) {
        client.resetAndDestroy();
        resolve();
      }
    }),
  );
  await closed;
  t.pass(`the writer gave up after the reader left (${got} bytes read)`);
});
