// probeSpecFor: the Host default, SNI/verification names and source address per family;
// sameProbeSpec: which changes of a check re-register a target with its shard.

import t from 'tap';
import type { ProbeSpec } from '../../src/shared/probe-messages.js';
import type { AgentCheck } from '../../src/shared/config.js';
import { agentSpecFor, defaultHostHeader, probeSpecFor, sameProbeSpec, tlsSpec } from '../../src/checker/probe-spec.js';
import { healthCheck } from '../support/health-check.js';

t.test('default Host header', (t) => {
  const cases = [
    { in: ['10.0.0.1', 80, false], want: '10.0.0.1' },
    { in: ['10.0.0.1', 8080, false], want: '10.0.0.1:8080' },
    { in: ['10.0.0.1', 443, false], want: '10.0.0.1:443' },
    { in: ['10.0.0.1', 443, true], want: '10.0.0.1' },
    { in: ['10.0.0.1', 80, true], want: '10.0.0.1:80' },
    { in: ['2001:db8::1', 80, false], want: '[2001:db8::1]' },
    { in: ['2001:db8::1', 8443, true], want: '[2001:db8::1]:8443' },
  ] as const;
  for (const c of cases) t.equal(defaultHostHeader(c.in[0], c.in[1], c.in[2]), c.want, c.in.join(' '));
  t.end();
});

t.test('TLS names', (t) => {
  const cases = [
    { name: 'no name: verify the IP, no SNI', in: undefined, want: { servername: undefined, verifyName: '10.0.0.1' } },
    { name: 'a DNS name: SNI and verify it', in: 'api.example', want: { servername: 'api.example', verifyName: 'api.example' } },
    { name: 'an IP literal: verify it, no SNI', in: '192.0.2.7', want: { servername: undefined, verifyName: '192.0.2.7' } },
  ];
  for (const c of cases) t.same(tlsSpec('10.0.0.1', c.in, false), { ...c.want, insecureSkipVerify: false }, c.name);
  t.end();
});

interface Case {
  readonly name: string;
  readonly address: string;
  readonly check: Parameters<typeof probeSpecFor>[1];
  readonly want: Partial<ProbeSpec> & Record<string, unknown>;
}

const cases: Case[] = [
  { name: 'icmp v4 with sources', address: '10.0.0.1', check: healthCheck('icmp', 0, { probeIpv4Src: '10.0.0.9', probeIpv6Src: '2001:db8::9' }), want: { kind: 'icmp', family: 4, sourceAddress: '10.0.0.9' } },
  { name: 'icmp v6 picks the v6 source', address: '2001:db8::1', check: healthCheck('icmp', 0, { probeIpv4Src: '10.0.0.9', probeIpv6Src: '2001:db8::9' }), want: { kind: 'icmp', family: 6, sourceAddress: '2001:db8::9' } },
  { name: 'tcp plain', address: '10.0.0.1', check: healthCheck('tcp', 22, { timeoutMs: 250 }), want: { kind: 'tcp', port: 22, timeoutMs: 250, tls: undefined } },
  {
    name: 'tcp ssl with a server name',
    address: '10.0.0.1',
    check: healthCheck('tcp', 993, {}, { ssl: true, serverName: 'imap.example', insecureSkipVerify: true }),
    want: { kind: 'tcp', tls: { servername: 'imap.example', verifyName: 'imap.example', insecureSkipVerify: true } },
  },
  { name: 'tcp ssl without a name', address: '10.0.0.1', check: healthCheck('tcp', 993, {}, { ssl: true }), want: { tls: { servername: undefined, verifyName: '10.0.0.1', insecureSkipVerify: false } } },
  { name: 'http defaults', address: '10.0.0.1', check: healthCheck('http', 80), want: { kind: 'http', host: '10.0.0.1', path: '/', codeMin: 200, codeMax: 399, tls: undefined, responseRegexp: undefined } },
  { name: 'http on another port', address: '2001:db8::1', check: healthCheck('http', 8080), want: { host: '[2001:db8::1]:8080', family: 6 } },
  {
    name: 'http params',
    address: '10.0.0.1',
    check: healthCheck('http', 80, {}, { path: '/healthz?x=1', host: 'www.example', responseCodeMin: 200, responseCodeMax: 200, responseRegexp: 'ok', serverName: 'ignored.example' }),
    want: { host: 'www.example', path: '/healthz?x=1', codeMin: 200, codeMax: 200, responseRegexp: 'ok', tls: undefined },
  },
  { name: 'https: SNI from the host param (port stripped)', address: '10.0.0.1', check: healthCheck('https', 443, {}, { host: 'www.example:8443' }), want: { host: 'www.example:8443', tls: { servername: 'www.example', verifyName: 'www.example', insecureSkipVerify: false } } },
  { name: 'https: server-name wins over host', address: '10.0.0.1', check: healthCheck('https', 443, {}, { host: 'www.example', serverName: 'sni.example' }), want: { tls: { servername: 'sni.example', verifyName: 'sni.example', insecureSkipVerify: false } } },
  { name: 'https: bracketed IPv6 host gives no SNI', address: '2001:db8::1', check: healthCheck('https', 443, {}, { host: '[2001:db8::5]:443' }), want: { tls: { servername: undefined, verifyName: '2001:db8::5', insecureSkipVerify: false } } },
  { name: 'http with reuse-connection', address: '10.0.0.1', check: healthCheck('http', 80, { reuseConnection: true }), want: { kind: 'http', reuseConnection: true } },
  { name: 'https: nothing set verifies the backend IP', address: '10.0.0.1', check: healthCheck('https', 8443, {}, { insecureSkipVerify: true }), want: { host: '10.0.0.1:8443', tls: { servername: undefined, verifyName: '10.0.0.1', insecureSkipVerify: true } } },
];

for (const c of cases) {
  t.test(c.name, (t) => {
    t.match(probeSpecFor(c.address, c.check), { address: c.address, timeoutMs: c.check.timeoutMs, ...c.want });
    t.end();
  });
}

t.test('sameProbeSpec: every probed field counts, nothing else', (t) => {
  const a4 = '10.0.0.1';
  const https = (more: Parameters<typeof healthCheck>[2] = {}, params: Parameters<typeof healthCheck>[3] = {}): ProbeSpec =>
    probeSpecFor(a4, healthCheck('https', 443, more, params));
  const tcp = (params: Parameters<typeof healthCheck>[3] = {}): ProbeSpec => probeSpecFor(a4, healthCheck('tcp', 443, {}, params));
  const agent = (more: Partial<AgentCheck> = {}): ProbeSpec =>
    agentSpecFor(a4, healthCheck('tcp', 443, { agent: { port: 9999, intervalMs: 100, timeoutMs: 100, send: undefined, ...more } }));
  const icmp = (address: string, src?: string): ProbeSpec => probeSpecFor(address, healthCheck('icmp', 0, { probeIpv6Src: src }));
  const cases: Array<{ name: string; in: [ProbeSpec, ProbeSpec]; want: boolean }> = [
    { name: 'the same check', in: [https(), https()], want: true },
    { name: 'only the name, intervals and rise/fall differ', in: [https(), https({ name: 'other', intervalMs: 5000, fastIntervalMs: 50, downIntervalMs: 9000, rise: 9, fall: 1 })], want: true },
    { name: 'the other family\'s source differs', in: [https(), https({ probeIpv6Src: '2001:db8::9' })], want: true },
    { name: 'another address', in: [https(), probeSpecFor('10.0.0.2', healthCheck('https', 443))], want: false },
    { name: 'another timeout', in: [https(), https({ timeoutMs: 100 })], want: false },
    { name: 'another source address', in: [https(), https({ probeIpv4Src: '10.0.0.9' })], want: false },
    { name: 'another port', in: [https(), probeSpecFor(a4, healthCheck('https', 8443))], want: false },
    { name: 'another path', in: [https(), https({}, { path: '/healthz' })], want: false },
    { name: 'another Host header', in: [https(), https({}, { host: 'www.example' })], want: false },
    { name: 'another status range', in: [https(), https({}, { responseCodeMax: 299 })], want: false },
    { name: 'a body regexp', in: [https(), https({}, { responseRegexp: 'ok' })], want: false },
    { name: 'another SNI name', in: [https(), https({}, { serverName: 'sni.example' })], want: false },
    { name: 'insecure-skip-verify', in: [https(), https({}, { insecureSkipVerify: true })], want: false },
    { name: 'reuse-connection', in: [https(), https({ reuseConnection: true })], want: false },
    { name: 'reuse-connection false is its absence', in: [https(), https({ reuseConnection: false })], want: true },
    { name: 'http and https on one port', in: [probeSpecFor(a4, healthCheck('http', 443)), https()], want: false },
    { name: 'tcp and https on one port', in: [tcp({ ssl: true }), https()], want: false },
    { name: 'the same tcp check', in: [tcp({ ssl: true, serverName: 'x.example' }), tcp({ ssl: true, serverName: 'x.example' })], want: true },
    { name: 'tcp with and without TLS', in: [tcp(), tcp({ ssl: true })], want: false },
    { name: 'the same icmp check', in: [icmp('2001:db8::1', '2001:db8::9'), icmp('2001:db8::1', '2001:db8::9')], want: true },
    { name: 'icmp with another source', in: [icmp('2001:db8::1', '2001:db8::9'), icmp('2001:db8::1')], want: false },
    { name: 'icmp and tcp', in: [probeSpecFor(a4, healthCheck('icmp', 0, { timeoutMs: 3000 })), tcp()], want: false },
    { name: 'the same agent', in: [agent(), agent()], want: true },
    { name: 'an agent on another port', in: [agent(), agent({ port: 1 })], want: false },
    { name: 'an agent sending another line', in: [agent(), agent({ send: 'hi' })], want: false },
    { name: 'an agent and a tcp check on one port', in: [agent({ port: 443 }), tcp()], want: false },
  ];
  for (const c of cases) {
    t.equal(sameProbeSpec(c.in[0], c.in[1]), c.want, c.name);
    t.equal(sameProbeSpec(c.in[1], c.in[0]), c.want, `${c.name} (swapped)`);
  }
  t.end();
});

t.test('agentSpecFor: the agent port, timeout and line; the source address of the family', (t) => {
  const check = healthCheck('http', 80, { probeIpv4Src: '10.0.0.9', probeIpv6Src: '2001:db8::9', agent: { port: 9999, intervalMs: 500, timeoutMs: 200, send: 'web' } });
  t.same(agentSpecFor('10.0.0.1', check), { kind: 'agent', address: '10.0.0.1', family: 4, timeoutMs: 200, sourceAddress: '10.0.0.9', port: 9999, send: 'web' });
  t.match(agentSpecFor('2001:db8::1', check), { family: 6, sourceAddress: '2001:db8::9' });
  t.end();
});
