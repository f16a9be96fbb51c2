// --server targets: a missing port is maglevd's default gRPC port, never grpc-js's 443.

import t from 'tap';
import { serverTarget } from '../../src/maglevc/server-address.js';
import { parseMaglevcOptions } from '../../src/maglevc/maglevc-flags.js';

t.test('serverTarget', (t) => {
  const cases = [
    { name: 'IPv4 without port', in: '127.0.0.1', want: '127.0.0.1:9090' },
    { name: 'host without port', in: 'lb1.example.net', want: 'lb1.example.net:9090' },
    { name: 'bare IPv6', in: '::1', want: '[::1]:9090' },
    { name: 'bare IPv6 with letters', in: 'fe80::1', want: '[fe80::1]:9090' },
    { name: 'bracketed IPv6', in: '[2001:db8::1]', want: '[2001:db8::1]:9090' },
    { name: 'host:port kept', in: 'localhost:9191', want: 'localhost:9191' },
    { name: '[v6]:port kept', in: '[::1]:9191', want: '[::1]:9191' },
    { name: 'dns scheme kept', in: 'dns:///lb1:9090', want: 'dns:///lb1:9090' },
    { name: 'unix socket kept', in: 'unix:/run/maglevd.sock', want: 'unix:/run/maglevd.sock' },
  ];
  for (const c of cases) t.equal(serverTarget(c.in), c.want, c.name);
  t.end();
});

t.test('--server and MAGLEV_SERVER without a port dial 9090', (t) => {
  const flag = parseMaglevcOptions(['--server', '127.0.0.1', 'show', 'frontends'], {});
  t.match(flag, { ok: true, options: { server: '127.0.0.1:9090' } });
  t.match(parseMaglevcOptions([], { MAGLEV_SERVER: 'lb1' }), { ok: true, options: { server: 'lb1:9090' } });
  t.end();
});
