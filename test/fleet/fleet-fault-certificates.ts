// The embedded fault certificates match the committed fixtures and are bad in exactly one way:
// issued by the fleet CA, one expired (the fleet's names), one valid for another name only.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { fleetCertificatePem } from '../../src/fleet/fleet-certificate.js';
import { expiredCertificatePem, faultPrivateKeyPem, faultSecureContext, wrongNameCertificatePem } from '../../src/fleet/fleet-fault-certificates.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8');
const ca = new X509Certificate(fleetCertificatePem);

t.test('same as the fixture files', (t) => {
  t.equal(expiredCertificatePem.trim(), fixture('expired-cert.pem').trim());
  t.equal(wrongNameCertificatePem.trim(), fixture('wrong-name-cert.pem').trim());
  t.equal(faultPrivateKeyPem.trim(), fixture('fault-key.pem').trim());
  t.end();
});

t.test('each is bad in one way only', (t) => {
  const now = Date.now();
  const cases = [
    { name: 'expired', pem: expiredCertificatePem, expired: true, san: /IP Address:127\.0\.0\.1.*DNS:\*\.fleet\.test/ },
    { name: 'wrong-name', pem: wrongNameCertificatePem, expired: false, san: /^DNS:not-this-backend\.example$/ },
  ];
  for (const c of cases) {
    const cert = new X509Certificate(c.pem);
    t.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), `${c.name}: issued and signed by the fleet CA`);
    t.ok(cert.checkPrivateKey(createPrivateKey(faultPrivateKeyPem)), `${c.name}: the fault key`);
    t.equal(Date.parse(cert.validTo) < now, c.expired, `${c.name}: expired (${cert.validTo})`);
    t.ok(Date.parse(cert.validFrom) < now, `${c.name}: already valid from ${cert.validFrom}`);
    t.match(cert.subjectAltName, c.san, `${c.name}: names`);
  }
  t.equal(cases[0] && new X509Certificate(cases[0].pem).checkIP('127.0.0.1'), '127.0.0.1', 'the expired one names the fleet');
  t.end();
});

t.test('server contexts are made once', (t) => {
  t.equal(faultSecureContext('expired'), faultSecureContext('expired'));
  t.not(faultSecureContext('expired'), faultSecureContext('wrong-name'));
  t.end();
});
