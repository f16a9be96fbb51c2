// Fuzzing the gRPC API of the REAL daemon (issue 7): random bytes as the request body of every
// method (raw grpc-js calls with identity serializers), hand-made wrong wire types, wrong JS
// types through the proto-loader client, negative and huge weights, over-long names (65 bytes,
// 60 KiB), odd unknown names, a 5 MB message (over the 64 KiB request cap) and garbage on the TCP port. Every call must end
// with a proper status (INVALID_ARGUMENT, NOT_FOUND, INTERNAL for undecodable bodies,
// RESOURCE_EXHAUSTED for oversize), the daemon must keep running, and the state read through
// the API must be exactly what it was before. Static and disabled backends keep it deterministic.

import { status } from '@grpc/grpc-js';
import net from 'node:net';
import t from 'tap';
import type { UnaryRpc } from '../../src/api/maglev-rpc.js';
import { connectE2e, type E2eClient, type RawResult } from '../support/e2e-grpc-client.js';
import { spawnMaglevd } from '../support/maglevd-process.js';
import { seededRandom, type Rng } from '../support/seeded-random.js';

const config = `maglev:
  vpp:
    lb:
      ipv4-src-address: 192.0.2.254
  healthchecks:
    hc: { type: tcp, port: 9 }
  backends:
    s1: { address: 127.0.20.1 }
    s2: { address: 127.0.20.2 }
    off: { address: 127.0.20.3, healthcheck: hc, enabled: false }
  frontends:
    fe:
      address: 192.0.2.10
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { s1: {}, s2: { weight: 20 }, off: {} }
`;

const unaryMethods = [
  'ListFrontends',
  'GetFrontend',
  'ListBackends',
  'GetBackend',
  'PauseBackend',
  'ResumeBackend',
  'EnableBackend',
  'DisableBackend',
  'ListHealthChecks',
  'GetHealthCheck',
  'SetFrontendPoolBackendWeight',
  'CheckConfig',
  'ReloadConfig',
  'GetVPPInfo',
  'GetVPPLBState',
  'SyncVPPLBState',
  'GetVPPLBCounters',
  'PreviewChange',
  'GetVPPLBDigest',
] as const;

/** Everything the API shows about the daemon's state. */
async function snapshot(rpc: E2eClient): Promise<unknown> {
  const fes = (await rpc.call('ListFrontends')).frontend_names;
  const bes = (await rpc.call('ListBackends')).backend_names;
  const hcs = (await rpc.call('ListHealthChecks')).names;
  return {
    frontends: await Promise.all(fes.map((name) => rpc.call('GetFrontend', { name }))),
    backends: await Promise.all(bes.map((name) => rpc.call('GetBackend', { name }))),
    healthchecks: await Promise.all(hcs.map((name) => rpc.call('GetHealthCheck', { name }))),
  };
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 127) {
    out.push((v & 127) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited field: tag (field << 3 | 2), length, bytes. */
function lenField(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}

/** 1-3 well-formed fields (numbers 1..5): varints, or strings of random bytes or printable text. */
function plausibleFields(rng: Rng): Buffer {
  const parts: Buffer[] = [];
  for (let n = rng.between(1, 3); n > 0; n--) {
    const field = rng.between(1, 5);
    if (rng.chance(0.3)) {
      parts.push(varint(field << 3), varint(rng.pick([0, 1, 50, 100, 101, 2 ** 31, 2 ** 32 - 1, rng.int(2 ** 31)])));
    } else {
      const text = rng.chance(0.5) ? rng.bytes(rng.int(24)) : Buffer.from(Array.from({ length: rng.int(24) }, () => rng.between(0x20, 0x7e)));
      parts.push(lenField(field, text));
    }
  }
  return Buffer.concat(parts);
}

void t.test('RPC fuzzing against a running maglevd', async (t) => {
  const d = await spawnMaglevd({ config, metrics: false });
  t.teardown(() => d.stop('SIGKILL'));
  const rpc = connectE2e(t, d.grpcAddr);
  const before = await snapshot(rpc);
  const seed = 20261122;

  await t.test(`random request bodies for every method (seed ${seed})`, async (t) => {
    const rng = seededRandom(seed);
    const allowed = new Set([status.OK, status.INVALID_ARGUMENT, status.NOT_FOUND, status.INTERNAL, status.UNAVAILABLE]);
    const seen = new Map<string, number>();
    let calls = 0;
    for (const method of [...unaryMethods, 'WatchEvents'] as const) {
      for (let i = 0; i < 12; i++) {
        // A third pure noise, a third well-formed fields with random values, a third truncated.
        const fields = plausibleFields(rng);
        const body = i % 3 === 0 ? rng.bytes(rng.int(48)) : i % 3 === 1 ? fields : fields.subarray(0, Math.max(0, fields.length - rng.between(1, 3)));
        const r: RawResult = method === 'WatchEvents' ? await rpc.rawWatch(body) : await rpc.raw(method, body);
        calls++;
        const key = status[r.code] ?? String(r.code);
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (!allowed.has(r.code)) t.fail(`${method} ${body.toString('hex')} → ${key} ${r.details}`);
        if (r.code === status.INTERNAL) t.equal(r.details, 'Error deserializing request', `${method} ${body.toString('hex')}`);
      }
    }
    t.equal(calls, (unaryMethods.length + 1) * 12);
    t.ok((seen.get('INTERNAL') ?? 0) > 0, 'some bodies were undecodable');
    t.ok((seen.get('NOT_FOUND') ?? 0) + (seen.get('INVALID_ARGUMENT') ?? 0) > 0, 'some decoded to unknown or empty names');
    t.comment(`status counts: ${JSON.stringify(Object.fromEntries(seen))}`);
  });

  await t.test('hand-made wrong wire types and truncations', async (t) => {
    const cases: Array<[string, string, status]> = [
      ['GetFrontend', '0805', status.INVALID_ARGUMENT], // name sent as a varint
      ['GetFrontend', '0a00', status.INVALID_ARGUMENT], // empty name
      ['GetFrontend', '0a8080808080808080800141', status.INTERNAL], // length varint too long
      ['ListFrontends', '0a0341', status.INTERNAL], // unknown field, truncated
      ['ListFrontends', '0a0141', status.OK], // unknown field, well formed: skipped
      ['SetFrontendPoolBackendWeight', '20ffffffffffffffffffffff01', status.INTERNAL], // 12-byte varint weight
      ['SetFrontendPoolBackendWeight', Buffer.concat([lenField(1, Buffer.from('fe')), lenField(2, Buffer.from('p')), lenField(3, Buffer.from('s1')), varint(0x20), varint(2 ** 32 - 1)]).toString('hex'), status.INVALID_ARGUMENT], // weight -1 as uint32 bits
      ['PauseBackend', 'ff', status.INTERNAL],
    ];
    for (const [method, hex, code] of cases) {
      const r = await rpc.raw(method, Buffer.from(hex, 'hex'));
      t.equal(r.code, code, `${method} ${hex} → ${status[code]} (${r.details})`);
    }
    const watch = await rpc.rawWatch(Buffer.concat([lenField(2, Buffer.from('loud'))]));
    t.same([watch.code, watch.details], [status.INVALID_ARGUMENT, 'invalid log_level "loud": expected debug, info, warn or error']);
  });

  await t.test('wrong JS types, negative and huge weights, through the proto-loader client', async (t) => {
    const cases: Array<[UnaryRpc, object, status, string]> = [
      ['GetFrontend', { name: 12345 }, status.NOT_FOUND, 'frontend "12345" not found'],
      ['GetFrontend', { name: ['a', 'b'] }, status.NOT_FOUND, 'frontend "a,b" not found'],
      ['GetBackend', { name: null }, status.INVALID_ARGUMENT, 'name must not be empty'],
      ['SetFrontendPoolBackendWeight', { frontend: 'fe', pool: 'p', backend: 's1', weight: -1 }, status.INVALID_ARGUMENT, 'weight -1 out of range 0..100'],
      ['SetFrontendPoolBackendWeight', { frontend: 'fe', pool: 'p', backend: 's1', weight: -2147483648 }, status.INVALID_ARGUMENT, 'weight -2147483648 out of range 0..100'],
      ['SetFrontendPoolBackendWeight', { frontend: 'fe', pool: 'p', backend: 's1', weight: 101 }, status.INVALID_ARGUMENT, 'weight 101 out of range 0..100'],
      ['SetFrontendPoolBackendWeight', { frontend: 'fe', pool: 'p', backend: 's1', weight: 2147483647 }, status.INVALID_ARGUMENT, 'weight 2147483647 out of range 0..100'],
      ['SetFrontendPoolBackendWeight', { frontend: 'fe', pool: 'p', backend: 's1', weight: 1e10 }, status.INVALID_ARGUMENT, 'weight 1410065408 out of range 0..100'],
      ['SetFrontendPoolBackendWeight', { frontend: 'fe', pool: 'p', backend: 'nope', weight: 50 }, status.NOT_FOUND, ''],
      ['SetFrontendPoolBackendWeight', { frontend: 'fe', pool: 'nope', backend: 's1', weight: 50 }, status.NOT_FOUND, ''],
      ['PauseBackend', { name: 'off' }, status.FAILED_PRECONDITION, ''],
    ];
    for (const [method, req, code, details] of cases) {
      const e = await rpc.loose(method, req);
      t.equal(e.code, code, `${method} ${JSON.stringify(req)} → ${status[code]}`);
      if (details !== '') t.equal(e.details, details);
    }
  });

  await t.test('over-long and odd names', async (t) => {
    // Just under the 64 KiB request cap (maxRequestBytes), so the field check itself answers.
    const mib = 'n'.repeat(60 * 1024);
    const long65 = 'a'.repeat(65);
    const emoji17 = '😀'.repeat(17); // 34 UTF-16 units, 68 bytes
    const nameMethods = ['GetFrontend', 'GetBackend', 'GetHealthCheck', 'PauseBackend', 'ResumeBackend', 'EnableBackend', 'DisableBackend'] as const;
    const t0 = Date.now();
    for (const method of nameMethods) {
      for (const name of [long65, mib, emoji17]) {
        const e = await rpc.fail(method, { name });
        t.same([e.code, e.details], [status.INVALID_ARGUMENT, 'name is longer than 64 bytes'], `${method} name of ${Buffer.byteLength(name)} bytes`);
      }
    }
    for (const field of ['frontend', 'pool', 'backend'] as const) {
      const req = { frontend: 'fe', pool: 'p', backend: 's1', weight: 1, [field]: mib };
      const e = await rpc.fail('SetFrontendPoolBackendWeight', req);
      t.same([e.code, e.details], [status.INVALID_ARGUMENT, `${field} is longer than 64 bytes`]);
    }
    const sync = await rpc.fail('SyncVPPLBState', { frontend_name: mib });
    t.same([sync.code, sync.details], [status.INVALID_ARGUMENT, 'frontend_name is longer than 64 bytes']);
    const w = rpc.watch({ log_level: mib });
    const end = await w.end;
    t.equal(end.code, status.INVALID_ARGUMENT, 'WatchEvents with a 60 KiB log_level');
    t.match(end.details, /^log_level is longer than 16 bytes/);
    t.ok(Date.now() - t0 < 20_000, `answered promptly (${Date.now() - t0} ms)`);

    const odd = ['x'.repeat(64), '../../etc/passwd', 'a b', '\u0000', 'fe\n', "'; DROP TABLE x; --", '😀'.repeat(16), '%s%n%x', 'FE'];
    for (const name of odd) {
      const e = await rpc.fail('GetFrontend', { name });
      t.same([e.code, e.details], [status.NOT_FOUND, `frontend "${name}" not found`], JSON.stringify(name));
    }
  });

  await t.test('a 5 MB request is RESOURCE_EXHAUSTED', async (t) => {
    const r = await rpc.raw('GetFrontend', lenField(1, Buffer.alloc(5_000_000, 0x61)));
    t.equal(r.code, status.RESOURCE_EXHAUSTED);
    t.match(r.details, /larger than max/);
  });

  await t.test('garbage on the TCP port', async (t) => {
    const [host, port] = [d.grpcAddr.slice(0, d.grpcAddr.lastIndexOf(':')), Number(d.grpcAddr.slice(d.grpcAddr.lastIndexOf(':') + 1))];
    const rng = seededRandom(seed + 1);
    const payloads = [rng.bytes(4096), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), rng.bytes(2048)])];
    for (const p of payloads) {
      await new Promise<void>((resolve) => {
        const s = net.connect({ host, port }, () => s.end(p));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
        s.setTimeout(3000, () => s.destroy());
      });
    }
    t.same(await rpc.call('ListFrontends'), { frontend_names: ['fe'] }, 'still serving');
  });

  t.equal(d.child.exitCode, null, 'the daemon is still running');
  t.same(await snapshot(rpc), before, 'state unchanged: frontends, backends and health checks as before');
  t.notMatch(d.stderr(), /Error|Uncaught|at /, 'nothing on stderr');
  t.notOk(
    d.logs.some((l) => l.level === 'ERROR' && l.msg !== 'config-reload-error'),
    'no error records',
  );
  t.equal(await d.stop('SIGTERM'), 0, 'clean exit');
});
