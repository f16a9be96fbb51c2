import t from 'tap';
import { referencedBackends, sameHealthCheck } from '../../src/core/config-queries.js';
import { parseConfig } from '../../src/config/loader.js';
import type { HealthCheck } from '../../src/shared/config.js';

const http: HealthCheck = {
  name: 'web',
  type: 'http',
  port: 80,
  intervalMs: 2000,
  fastIntervalMs: 500,
  downIntervalMs: 10_000,
  timeoutMs: 1000,
  rise: 2,
  fall: 3,
  probeIpv4Src: '192.0.2.1',
  probeIpv6Src: undefined,
  http: {
    path: '/',
    host: undefined,
    responseCodeMin: 200,
    responseCodeMax: 399,
    responseRegexp: undefined,
    serverName: undefined,
    insecureSkipVerify: false,
  },
  tcp: undefined,
};
const tcp: HealthCheck = { ...http, type: 'tcp', http: undefined, tcp: { ssl: true, serverName: 'a', insecureSkipVerify: false } };

t.test('sameHealthCheck compares every field but the name', async (t) => {
  const httpParams = http.http!;
  const tcpParams = tcp.tcp!;
  const cases: Array<{ name: string; a: HealthCheck; b: HealthCheck; want: boolean }> = [
    { name: 'identical', a: http, b: { ...http, http: { ...httpParams } }, want: true },
    { name: 'renamed only', a: http, b: { ...http, name: 'other' }, want: true },
    { name: 'type', a: http, b: { ...http, type: 'https' }, want: false },
    { name: 'port', a: http, b: { ...http, port: 8080 }, want: false },
    { name: 'interval', a: http, b: { ...http, intervalMs: 2001 }, want: false },
    { name: 'fast interval', a: http, b: { ...http, fastIntervalMs: 400 }, want: false },
    { name: 'down interval', a: http, b: { ...http, downIntervalMs: 9000 }, want: false },
    { name: 'timeout', a: http, b: { ...http, timeoutMs: 999 }, want: false },
    { name: 'rise', a: http, b: { ...http, rise: 3 }, want: false },
    { name: 'fall', a: http, b: { ...http, fall: 2 }, want: false },
    { name: 'probe IPv4 source', a: http, b: { ...http, probeIpv4Src: undefined }, want: false },
    { name: 'probe IPv6 source', a: http, b: { ...http, probeIpv6Src: '2001:db8::1' }, want: false },
    { name: 'http path', a: http, b: { ...http, http: { ...httpParams, path: '/x' } }, want: false },
    { name: 'http host', a: http, b: { ...http, http: { ...httpParams, host: 'h' } }, want: false },
    { name: 'http code min', a: http, b: { ...http, http: { ...httpParams, responseCodeMin: 201 } }, want: false },
    { name: 'http code max', a: http, b: { ...http, http: { ...httpParams, responseCodeMax: 299 } }, want: false },
    { name: 'http regexp', a: http, b: { ...http, http: { ...httpParams, responseRegexp: 'ok' } }, want: false },
    { name: 'http server name', a: http, b: { ...http, http: { ...httpParams, serverName: 's' } }, want: false },
    { name: 'http insecure', a: http, b: { ...http, http: { ...httpParams, insecureSkipVerify: true } }, want: false },
    { name: 'reuse-connection on', a: http, b: { ...http, reuseConnection: true }, want: false },
    { name: 'reuse-connection false is its absence', a: { ...http, reuseConnection: false }, b: http, want: true },
    { name: 'http vs tcp params', a: http, b: { ...http, tcp: tcpParams }, want: false },
    { name: 'tcp identical', a: tcp, b: { ...tcp, tcp: { ...tcpParams } }, want: true },
    { name: 'tcp ssl', a: tcp, b: { ...tcp, tcp: { ...tcpParams, ssl: false } }, want: false },
    { name: 'tcp server name', a: tcp, b: { ...tcp, tcp: { ...tcpParams, serverName: undefined } }, want: false },
    { name: 'tcp insecure', a: tcp, b: { ...tcp, tcp: { ...tcpParams, insecureSkipVerify: true } }, want: false },
  ];
  for (const c of cases) {
    t.equal(sameHealthCheck(c.a, c.b), c.want, c.name);
    t.equal(sameHealthCheck(c.b, c.a), c.want, `${c.name} (swapped)`);
  }
});

t.test('referencedBackends lists the backends some pool uses, in config order', async (t) => {
  const load = parseConfig(`
maglev:
  vpp: { lb: { ipv4-src-address: 192.0.2.254 } }
  backends:
    z: { address: 10.0.0.3 }
    spare: { address: 10.0.0.9 }
    a: { address: 10.0.0.1 }
  frontends:
    one: { address: 192.0.2.1, pools: [{ name: p, backends: { a: {} } }, { name: q, backends: { z: {} } }] }
    two: { address: 192.0.2.2, pools: [{ name: p, backends: { a: {} } }] }
`);
  t.ok(load.ok);
  if (load.ok) t.same(referencedBackends(load.config), ['z', 'a']);
});
