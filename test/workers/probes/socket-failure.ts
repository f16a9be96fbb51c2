// Socket error → probe code and detail, table-driven.

import t from 'tap';
import { formatProbeDetail } from '../../../src/shared/probe-detail.js';
import { connectFailure, errorName, openFailure, tlsFailure, type Failure } from '../../../src/workers/probes/socket-failure.js';

/** The failure as its code, detail text and shortage (when it has one). */
const text = (f: Failure): { code: string; detail: string; shortage?: string } => {
  const out = { code: f.code, detail: formatProbeDetail(f.detail, f.arg, f.text) };
  return f.shortage === undefined ? out : { ...out, shortage: f.shortage };
};

const err = (code: string | undefined, syscall?: string, message = 'boom'): Error => Object.assign(new Error(message), { code, syscall });

t.test('connect failures', (t) => {
  const cases = [
    { in: err('ECONNREFUSED', 'connect'), src: undefined, want: { code: 'L4CON', detail: 'connect: ECONNREFUSED' } },
    { in: err('EHOSTUNREACH', 'connect'), src: undefined, want: { code: 'L4CON', detail: 'connect: EHOSTUNREACH' } },
    { in: err('ENETUNREACH', 'connect'), src: undefined, want: { code: 'L4CON', detail: 'connect: ENETUNREACH' } },
    { in: err('ECONNRESET', 'read'), src: undefined, want: { code: 'L4CON', detail: 'connect: ECONNRESET' } },
    { in: err('EMFILE', 'connect'), src: undefined, want: { code: 'SOCKERR', detail: 'connect: EMFILE', shortage: 'EMFILE' } },
    { in: err('EADDRNOTAVAIL', 'connect'), src: undefined, want: { code: 'SOCKERR', detail: 'connect: EADDRNOTAVAIL', shortage: 'EADDRNOTAVAIL' } },
    { in: err('EADDRINUSE', 'bind'), src: '10.0.0.9', want: { code: 'SOCKERR', detail: 'bind 10.0.0.9: EADDRINUSE', shortage: 'EADDRINUSE' } },
    { in: err('ENOBUFS'), src: undefined, want: { code: 'SOCKERR', detail: 'connect: ENOBUFS', shortage: 'ENOBUFS' } },
    { in: err('EADDRNOTAVAIL', 'bind'), src: '10.0.0.9', want: { code: 'SOCKERR', detail: 'bind 10.0.0.9: EADDRNOTAVAIL' } },
    { in: new Error('weird'), src: undefined, want: { code: 'L4CON', detail: 'connect: weird' } },
  ];
  for (const c of cases) t.same(text(connectFailure(c.in, c.src)), c.want, c.want.detail);
  t.end();
});

t.test('a socket that could not be opened', (t) => {
  const cases = [
    { in: err('EMFILE'), want: { code: 'SOCKERR', detail: 'connect: EMFILE', shortage: 'EMFILE' } },
    { in: err('EADDRNOTAVAIL'), want: { code: 'SOCKERR', detail: 'connect: EADDRNOTAVAIL', shortage: 'EADDRNOTAVAIL' } },
    { in: err('EACCES'), want: { code: 'SOCKERR', detail: 'connect: EACCES' } },
  ];
  for (const c of cases) t.same(text(openFailure(c.in)), c.want, c.want.detail);
  t.end();
});

t.test('tls failures and names', (t) => {
  t.same(text(tlsFailure(err('ERR_TLS_CERT_ALTNAME_INVALID'))), { code: 'L6RSP', detail: 'tls: ERR_TLS_CERT_ALTNAME_INVALID' });
  t.same(text(tlsFailure(new Error('alert 40'))), { code: 'L6RSP', detail: 'tls: alert 40' });
  t.equal(errorName('plain string'), 'plain string');
  t.equal(errorName(err('')), 'boom');
  t.end();
});
