// The wire types are generated from proto/maglev.proto; this checks the messages at run time:
// complete messages built by grpc-convert.ts survive a server-encode → client-decode round trip
// unchanged (int64 decimal strings, null for unset messages, no field lost or added), so the
// server's options and the clients' agree. Also pins the proto's RPCs.

import { readFileSync } from 'node:fs';
import type { ServiceDefinition } from '@grpc/proto-loader';
import t from 'tap';
import { backendInfo, frontendInfo, healthCheckInfo, msToNs, previewMsg, u64, vppInfoMsg, vppLbCountersMsg, vppLbDigestMsg, vppLbStateMsg } from '../../src/control/grpc-convert.js';
import { loadMaglevProto, maglevProtoOptions, maglevProtoPath, maglevServiceName, type ProtoSide } from '../../src/api/maglev-proto.js';
import { FakeControlPlane } from '../support/fake-control-plane.js';

function service(side: ProtoSide): ServiceDefinition {
  const s = loadMaglevProto(side)[maglevServiceName];
  if (s === undefined || 'format' in s) throw new Error(`${maglevServiceName} is not a service`);
  return s;
}
const server = service('server');
const client = service('client');

function roundTrip(rpc: string, msg: object): object {
  return client[rpc]!.responseDeserialize(server[rpc]!.responseSerialize(msg));
}

void t.test('the proto has the 18 RPCs of §6.2 and our three (PreviewChange, PreviewConfig, GetVPPLBDigest)', (t) => {
  const text = readFileSync(maglevProtoPath(), 'utf8');
  const rpcs = [...text.matchAll(/^\s*rpc (\w+)\(/gm)].map((m) => m[1]);
  t.same(rpcs, [
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
    'WatchEvents',
    'CheckConfig',
    'ReloadConfig',
    'GetVPPInfo',
    'GetVPPLBState',
    'SyncVPPLBState',
    'GetVPPLBCounters',
    'PreviewChange',
    'PreviewConfig',
    'GetVPPLBDigest',
  ]);
  t.equal(Object.keys(server).length, 21);
  t.end();
});

void t.test('the client options are the ones the types were generated with', (t) => {
  // scripts/proto-types.mjs passes the same as flags; change both together.
  t.same(maglevProtoOptions('client'), { keepCase: true, longs: String, enums: String, oneofs: true, defaults: true });
  t.same(maglevProtoOptions('server'), { keepCase: true, longs: String, enums: String, oneofs: true, defaults: false });
  t.end();
});

void t.test('complete messages round-trip unchanged', async (t) => {
  const fake = new FakeControlPlane();
  const info = fake.vpp.state === 'connected' ? fake.vpp.info : undefined;
  if (info === undefined) throw new Error('fixture');
  const cases: Array<[string, object]> = [
    ['GetFrontend', frontendInfo(fake.getFrontend('web4'))],
    ['GetBackend', backendInfo(fake.getBackend('nginx0-fra'))],
    ['GetBackend', backendInfo(fake.getBackend('nginx1-zrh'))],
    ['GetHealthCheck', healthCheckInfo(fake.getHealthCheck('http-healthz'))],
    ['GetHealthCheck', healthCheckInfo(fake.getHealthCheck('tcp-tls'))],
    ['GetVPPInfo', vppInfoMsg(info)],
    ['GetVPPLBState', vppLbStateMsg(fake.lbState)],
    ['GetVPPLBCounters', vppLbCountersMsg(fake.counters)],
    ['PreviewChange', previewMsg(await fake.previewChange({ kind: 'weight', frontend: 'web4', pool: 'primary', backend: 'nginx0-ams', weight: 50 }, undefined))],
    ['PreviewChange', previewMsg({ ok: false, parseError: 'p', semanticError: '' })],
    ['PreviewConfig', previewMsg({ ok: false, parseError: 'p', semanticError: '' })],
    ['GetVPPLBDigest', vppLbDigestMsg(await fake.vppLbDigest(undefined, true))],
    ['CheckConfig', { ok: false, parse_error: 'p', semantic_error: 's' }],
    ['ReloadConfig', { ok: false, parse_error: 'p', semantic_error: 's', reload_error: 'r' }],
    ['ListFrontends', { frontend_names: ['a'] }],
    ['ListBackends', { backend_names: ['b'] }],
    ['ListHealthChecks', { names: ['c'] }],
  ];
  for (const [rpc, msg] of cases) t.same(roundTrip(rpc, msg), msg, rpc);
  const ev = { log: { at_unix_ns: '1', level: 'info', msg: 'm', attrs: [{ key: 'k', value: 'v' }] } };
  t.same(roundTrip('WatchEvents', ev), { ...ev, event: 'log' });
});

void t.test('unix ms to int64 ns strings', (t) => {
  const cases: Array<[number | undefined, string]> = [
    [undefined, '0'],
    [0, '0'],
    [1, '1000000'],
    [1776002862123, '1776002862123000000'],
    [1776002862123.456, '1776002862123456000'],
    [1000.4, '1000400000'],
    [NaN, '0'],
  ];
  for (const [ms, ns] of cases) t.equal(msToNs(ms), ns, String(ms));
  t.equal(u64(123456789012345678901n), '123456789012345678901');
  t.equal(u64(12.9), '12');
  t.end();
});
