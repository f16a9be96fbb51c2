// The fleet in-process and over its control endpoint: behaviours switch at run time (down
// truly refuses), counts, loopback-only addresses, and close.

import t from 'tap';
import net from 'node:net';
import { startFleet } from '../../src/fleet/fleet.js';
import { createProbeEnv } from '../../src/workers/probes/probe-env.js';
import { httpSpec, probeOnce, tcpSpec } from '../support/probe-harness.js';

const env = createProbeEnv();
const fleet = await startFleet({ httpPort: 0, httpsPort: 0, controlPort: 0, backends: ['127.10.0.1', '127.10.0.2'] });
t.teardown(() => fleet.close());

/** A probe's code and detail; a short deadline only where a timeout is the answer (a busy CI box is slow). */
const get = (address: string, timeoutMs = 3000): Promise<string> => probeOnce(httpSpec(address, fleet.httpPort, { timeoutMs }), env).then((r) => `${r.code} ${r.detail}`);
const control = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
  const res = await fetch(`http://127.0.0.1:${fleet.controlPort}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};

t.test('ports', (t) => {
  t.ok(fleet.httpPort > 0 && (fleet.httpsPort ?? 0) > 0 && (fleet.controlPort ?? 0) > 0);
  t.not(fleet.httpPort, fleet.httpsPort);
  t.same(fleet.addresses(), ['127.10.0.1', '127.10.0.2']);
  t.end();
});

t.test('behaviours switch at run time', async (t) => {
  const a = '127.10.0.1';
  t.equal(await get(a), 'L7OK HTTP 200');
  await fleet.set(a, { kind: 'status', code: 503 });
  t.equal(await get(a), 'L7STS HTTP 503');
  await fleet.set(a, { kind: 'down' });
  t.equal(await get(a), 'L4CON connect: ECONNREFUSED', 'down refuses');
  await fleet.set(a, { kind: 'down' });
  await fleet.set(a, { kind: 'silent' });
  t.equal(await get(a, 300), 'L7TOUT timeout after 300ms during response headers');
  await fleet.set(a, { kind: 'up' });
  t.equal(await get(a), 'L7OK HTTP 200', 'back up');
  t.same(fleet.behaviour(a), { kind: 'up' });
  t.equal(await get('127.10.0.2'), 'L7OK HTTP 200', 'the other backend was never touched');
});

t.test('rapid down/up switches are serialised', async (t) => {
  const a = '127.10.0.2';
  await Promise.all([fleet.set(a, { kind: 'down' }), fleet.set(a, { kind: 'up' }), fleet.set(a, { kind: 'down' }), fleet.set(a, { kind: 'up' })]);
  t.equal(await get(a), 'L7OK HTTP 200');
});

t.test('counts', async (t) => {
  const a = '127.10.0.2';
  fleet.resetCounts();
  t.equal(fleet.count(a), 0);
  await get(a);
  await probeOnce(tcpSpec(a, fleet.httpPort), env);
  t.equal(fleet.count(a), 2, 'an http and a tcp probe');
  t.match(fleet.stats(a), { connections: 2, requests: 1, handshakes: 0 });
  t.equal(fleet.count('127.99.0.1'), 0, 'unknown address');
  t.equal(fleet.stats('127.99.0.1'), undefined);
  fleet.resetCounts();
  t.equal(fleet.count(a), 0);
});

t.test('only loopback addresses; unknown addresses refused', async (t) => {
  await t.rejects(fleet.add(['10.0.0.1']), /loopback/);
  await t.rejects(fleet.set('127.99.0.1', { kind: 'up' }), /unknown fleet backend/);
});

t.test('not HTTP on the plain port gets a 400 and a close', async (t) => {
  const c = net.connect({ host: '127.10.0.1', port: fleet.httpPort });
  const chunks: Buffer[] = [];
  c.on('data', (d: Buffer) => chunks.push(d));
  c.write(Buffer.from([0x16, 0x03, 0x01, 0x00]));
  await new Promise((resolve) => c.on('close', resolve));
  t.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 400 /);
});

t.test('control endpoint', async (t) => {
  fleet.resetCounts();
  t.same(await control('POST', '/backends', { addresses: ['127.10.1.1', '127.10.1.2'], behaviour: { kind: 'status', code: 418 } }), { status: 200, json: { ok: true } });
  t.equal(await get('127.10.1.1'), 'L7STS HTTP 418');
  t.same((await control('PUT', '/backends/127.10.1.2', { kind: 'up' })).status, 200);
  t.equal(await get('127.10.1.2'), 'L7OK HTTP 200');
  const list = await control('GET', '/backends');
  t.match(list.json, [
    { address: '127.10.0.1', behaviour: { kind: 'up' } },
    { address: '127.10.0.2' },
    { address: '127.10.1.1', behaviour: { kind: 'status', code: 418 }, connections: 1, requests: 1 },
    { address: '127.10.1.2', connections: 1 },
  ]);
  t.match((await control('GET', '/counts')).json, { '127.10.1.1': 1, '127.10.1.2': 1 });
  t.same((await control('POST', '/reset-counts')).json, { ok: true });
  t.match((await control('GET', '/counts')).json, { '127.10.1.1': 0 });
  t.same((await control('PUT', '/backends', { kind: 'status', code: 500 })).status, 200);
  t.equal(await get('127.10.0.2'), 'L7STS HTTP 500', 'every backend switched');
  t.match(await control('PUT', '/backends/127.10.1.1', { kind: 'bogus' }), { status: 400, json: { error: /kind must be one of/ } });
  t.match(await control('PUT', '/backends/127.99.9.9', { kind: 'up' }), { status: 400, json: { error: /unknown fleet backend/ } });
  t.match(await control('POST', '/backends', { addresses: 'x' }), { status: 400, json: { error: /addresses must be an array/ } });
  t.match(await control('DELETE', '/backends'), { status: 400, json: { error: /no route/ } });
  await fleet.setAll({ kind: 'up' });
});

t.test('close stops listeners, sockets and the control endpoint', async (t) => {
  const f = await startFleet({ httpPort: 0, controlPort: 0, backends: ['127.10.2.1'] });
  await f.set('127.10.2.1', { kind: 'silent' });
  const held = net.connect({ host: '127.10.2.1', port: f.httpPort });
  await new Promise((resolve) => held.once('connect', resolve));
  const closed = new Promise((resolve) => held.once('close', resolve));
  await f.close();
  await closed;
  t.pass('held connection closed');
  t.equal((await probeOnce(tcpSpec('127.10.2.1', f.httpPort), env)).code, 'L4CON', 'listener gone');
  await t.rejects(fetch(`http://127.0.0.1:${f.controlPort}/backends`));
});

t.test('agents: each backend answers its agent line, settable in process and over the control endpoint', async (t) => {
  const f = await startFleet({ httpPort: 0, controlPort: 0, agentPort: 0, backends: ['127.10.3.1', '127.10.3.2'] });
  t.teardown(() => f.close());
  const ask = (address: string): Promise<string> =>
    probeOnce({ kind: 'agent', address, family: 4, timeoutMs: 500, sourceAddress: undefined, port: f.agentPort!, send: undefined }, env).then((r) => `${r.code} ${r.detail}`);
  const ctl = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`http://127.0.0.1:${f.controlPort}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };
  t.ok((f.agentPort ?? 0) > 0);
  t.equal(await ask('127.10.3.1'), 'L7OK up', 'up by default');
  f.setAgentAnswer('127.10.3.1', 'drain');
  t.same([await ask('127.10.3.1'), await ask('127.10.3.2')], ['L7OK drain', 'L7OK up'], 'one backend');
  t.same(await ctl('PUT', '/agents/127.10.3.2', { answer: '50%' }), { status: 200, json: { ok: true } });
  t.equal(await ask('127.10.3.2'), 'L7OK 50%', 'over the control endpoint');
  t.same(await ctl('GET', '/agents'), { status: 200, json: { '127.10.3.1': 'drain', '127.10.3.2': '50%' } });
  t.same(await ctl('PUT', '/agents', { answer: 'garbage!' }), { status: 200, json: { ok: true } });
  t.same([await ask('127.10.3.1'), await ask('127.10.3.2')], ['L7OK garbage!', 'L7OK garbage!'], 'every backend');
  t.same(await ctl('PUT', '/agents/127.10.3.1', { answer: 5 }), { status: 400, json: { error: 'answer must be a string' } });
  t.same(await ctl('PUT', '/agents/127.10.9.9', { answer: 'up' }), { status: 400, json: { error: 'unknown fleet agent 127.10.9.9' } });
  t.throws(() => f.setAgentAnswer('127.10.3.1', 'two\nlines'), /one line/);
  await f.add(['127.10.3.3']);
  t.equal(await ask('127.10.3.3'), 'L7OK up', 'a backend added later gets an agent too');
  t.throws(() => fleet.setAgentAnswer('127.10.0.1', 'up'), /no agents/, 'a fleet without agentPort runs none');
  t.throws(() => fleet.setAllAgentAnswers('up'), /no agents/);
  t.same(fleet.agentAnswers(), {});
});
