// The test fleet's TLS identity: a committed, long-lived self-signed certificate (and its key)
// for 127.0.0.1, ::1, localhost, fleet.test and *.fleet.test. Test-only; the same PEM files are
// in test/fixtures/tls/ with the openssl command that made them. Embedded so dist/ needs no files.

/** PEM of the certificate; also the CA a prober must trust to verify the fleet. */
export const fleetCertificatePem = `-----BEGIN CERTIFICATE-----
MIIB8DCCAZegAwIBAgIUOSyKUnaGxM5y5DTFp/3uXtOp8jAwCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVdnBwLW1hZ2xldiB0ZXN0IGZsZWV0MCAXDTI2MTEyMjIwMTMz
NVoYDzIxMjYxMDI5MjAxMzM1WjAgMR4wHAYDVQQDDBV2cHAtbWFnbGV2IHRlc3Qg
ZmxlZXQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAS+4tLRgz2Dzcw51hmp7aHu
3yfAsQ8sGI8FAq0V1kMFTVwRSCg1EvnS6vha7Q7MmbOtOuDJsc8DiFrziugkrmBY
o4GsMIGpMB0GA1UdDgQWBBQgcngzmAG2ik6Blv+s1Um/wpe6BTAfBgNVHSMEGDAW
gBQgcngzmAG2ik6Blv+s1Um/wpe6BTBGBgNVHREEPzA9hwR/AAABhxAAAAAAAAAA
AAAAAAAAAAABgglsb2NhbGhvc3SCCmZsZWV0LnRlc3SCDCouZmxlZXQudGVzdDAP
BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIChDAKBggqhkjOPQQDAgNHADBE
AiAEj2fXm5w8OhiTrK1Vex6InNKPDLDp/+fzrQSUAko0GAIgT/fbtLX2JzGh1Oya
K5bxdEtObmeTov4VlZkvzkuk/2M=
-----END CERTIFICATE-----
`;

/** PEM of the private key (test-only). */
export const fleetPrivateKeyPem = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeGnqu7SeYMrMcjF6
YKCUhpyqep6mNQeR2LGyM9zPPOyhRANCAAS+4tLRgz2Dzcw51hmp7aHu3yfAsQ8s
GI8FAq0V1kMFTVwRSCg1EvnS6vha7Q7MmbOtOuDJsc8DiFrziugkrmBY
-----END PRIVATE KEY-----
`;
