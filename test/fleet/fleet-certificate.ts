// The embedded fleet certificate matches the committed fixture files and covers what tests use.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { fleetCertificatePem, fleetPrivateKeyPem } from '../../src/fleet/fleet-certificate.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8');

t.test('same as the fixture files', (t) => {
  t.equal(fleetCertificatePem.trim(), fixture('fleet-cert.pem').trim());
  t.equal(fleetPrivateKeyPem.trim(), fixture('fleet-key.pem').trim());
  t.end();
});

t.test('names, key and validity', (t) => {
  const cert = new X509Certificate(fleetCertificatePem);
  t.match(cert.subjectAltName, /IP Address:127\.0\.0\.1/);
  t.match(cert.subjectAltName, /DNS:\*\.fleet\.test/);
  t.ok(cert.checkPrivateKey(createPrivateKey(fleetPrivateKeyPem)), 'key matches');
  t.ok(new Date(cert.validTo).getFullYear() >= 2100, 'long-lived');
  t.ok(cert.verify(cert.publicKey), 'self-signed');
  t.end();
});
