// probeSpecFor: the Host default, SNI/verification names and source address per family (§2.5).

import t from 'tap';
import type { ProbeSpec } from '../../src/shared/probe-messages.js';
import { defaultHostHeader, probeSpecFor, tlsSpec } from '../../src/checker/probe-spec.js';
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
  { name: 'https: nothing set verifies the backend IP', address: '10.0.0.1', check: healthCheck('https', 8443, {}, { insecureSkipVerify: true }), want: { host: '10.0.0.1:8443', tls: { servername: undefined, verifyName: '10.0.0.1', insecureSkipVerify: true } } },
];

for (const c of cases) {
  t.test(c.name, (t) => {
    t.match(probeSpecFor(c.address, c.check), { address: c.address, timeoutMs: c.check.timeoutMs, ...c.want });
    t.end();
  });
}
