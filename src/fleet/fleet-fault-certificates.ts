// The bad certificates of the fleet's `certificate` fault: issued by the fleet certificate (a
// CA) to one test-only leaf key, so a prober that trusts the fleet fails on exactly one check:
// `expired` (the fleet's names, valid 2000-01-01..02) or `wrong-name` (valid, but only for
// not-this-backend.example). Embedded like fleet-certificate.ts; the PEM files and the openssl
// commands are in test/fixtures/tls/.

import tls, { type SecureContext } from 'node:tls';
import type { FaultCertificate } from './fleet-behaviour.js';

export const expiredCertificatePem = `-----BEGIN CERTIFICATE-----
MIIB+TCCAZ+gAwIBAgICEAAwCgYIKoZIzj0EAwIwIDEeMBwGA1UEAwwVdnBwLW1h
Z2xldiB0ZXN0IGZsZWV0MB4XDTAwMDEwMTAwMDAwMFoXDTAwMDEwMjAwMDAwMFow
KjEoMCYGA1UEAwwfdnBwLW1hZ2xldiB0ZXN0IGZsZWV0IChleHBpcmVkKTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABIofujXke6uwK0LFAxGfEEy1vRsI6yeZXdEU
iKQmv1z6fbNhjwPcQoTj+Dbf6h4JG396ck1dkfUk28RzS/T9J5+jgb4wgbswRgYD
VR0RBD8wPYcEfwAAAYcQAAAAAAAAAAAAAAAAAAAAAYIJbG9jYWxob3N0ggpmbGVl
dC50ZXN0ggwqLmZsZWV0LnRlc3QwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMC
B4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHwYDVR0jBBgwFoAUIHJ4M5gBtopOgZb/
rNVJv8KXugUwHQYDVR0OBBYEFI0d4Zrwph+ZpT4MGtFHYgNmh0eSMAoGCCqGSM49
BAMCA0gAMEUCIQDpOXC6nK83xRriWsgwhuPuOMAQu6JLsWmzsJicjS+tPAIgSdZS
MY2hBcY8S9r30kroRodmPtevAB5Zy/HLmbIbkk8=
-----END CERTIFICATE-----
`;

export const wrongNameCertificatePem = `-----BEGIN CERTIFICATE-----
MIIB0DCCAXegAwIBAgICEAIwCgYIKoZIzj0EAwIwIDEeMBwGA1UEAwwVdnBwLW1h
Z2xldiB0ZXN0IGZsZWV0MCAXDTAwMDEwMTAwMDAwMFoYDzIxMjUxMjMxMDAwMDAw
WjAjMSEwHwYDVQQDDBhub3QtdGhpcy1iYWNrZW5kLmV4YW1wbGUwWTATBgcqhkjO
PQIBBggqhkjOPQMBBwNCAASKH7o15HursCtCxQMRnxBMtb0bCOsnmV3RFIikJr9c
+n2zYY8D3EKE4/g23+oeCRt/enJNXZH1JNvEc0v0/Sefo4GbMIGYMCMGA1UdEQQc
MBqCGG5vdC10aGlzLWJhY2tlbmQuZXhhbXBsZTAMBgNVHRMBAf8EAjAAMA4GA1Ud
DwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcDATAfBgNVHSMEGDAWgBQgcngz
mAG2ik6Blv+s1Um/wpe6BTAdBgNVHQ4EFgQUjR3hmvCmH5mlPgwa0UdiA2aHR5Iw
CgYIKoZIzj0EAwIDRwAwRAIgGtulEeCXQZR+cOOWzfua+DeACV+N3P6mEH3wRahy
VqYCIFDLXEQuEaY1MIEYc2VF2AJ8H4izrWDNayk1e6fky1mb
-----END CERTIFICATE-----
`;

/** The leaf key of both fault certificates (test-only). */
export const faultPrivateKeyPem = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+UC9Q7FrX1gJDt9a
JcMjog7hGJneDgzeumZhD8GTjbWhRANCAASKH7o15HursCtCxQMRnxBMtb0bCOsn
mV3RFIikJr9c+n2zYY8D3EKE4/g23+oeCRt/enJNXZH1JNvEc0v0/Sef
-----END PRIVATE KEY-----
`;

const pems: Record<FaultCertificate, string> = { expired: expiredCertificatePem, 'wrong-name': wrongNameCertificatePem };
const contexts = new Map<FaultCertificate, SecureContext>();

/** The server context serving one fault certificate (made on first use, then shared). */
export function faultSecureContext(which: FaultCertificate): SecureContext {
  let ctx = contexts.get(which);
  if (ctx === undefined) {
    ctx = tls.createSecureContext({ key: faultPrivateKeyPem, cert: pems[which] });
    contexts.set(which, ctx);
  }
  return ctx;
}
