// The nginx fleet: its generated config (every 127/8 address on one port, /healthz, TLS only for
// https with resumption off, a separate stub_status listener) and the stub_status counters.

import t from 'tap';
import { nginxConfig, parseStubStatus } from '../../bench/nginx-fleet.js';

t.test('config', async (t) => {
  const base = { dir: '/tmp/fleet', port: 18080, statusPort: 18081 };
  const plain = nginxConfig({ ...base, tls: undefined });
  const tls = nginxConfig({ ...base, tls: { cert: '/c.pem', key: '/k.pem' } });
  const cases = [
    { name: 'one worker', in: 'worker_processes 1;', want: [true, true] },
    { name: 'no access log', in: 'access_log off;', want: [true, true] },
    { name: 'every loopback address on the port', in: 'listen *:18080 backlog=4096;', want: [true, false] },
    { name: 'TLS listener', in: 'listen *:18080 ssl backlog=4096;', want: [false, true] },
    { name: 'only loopback peers', in: 'allow 127.0.0.0/8;', want: [true, true] },
    { name: 'the health path', in: 'location /healthz { return 200; }', want: [true, true] },
    { name: 'status on loopback', in: 'listen 127.0.0.1:18081;', want: [true, true] },
    { name: 'no session cache', in: 'ssl_session_cache off;', want: [false, true] },
    { name: 'no tickets', in: 'ssl_session_tickets off;', want: [false, true] },
    { name: 'pid file in the temp dir', in: 'pid /tmp/fleet/nginx.pid;', want: [true, true] },
  ];
  for (const c of cases) t.same([plain.includes(c.in), tls.includes(c.in)], c.want, c.name);
});

t.test('stub_status', async (t) => {
  const page = 'Active connections: 1 \nserver accepts handled requests\n 2007 2007 1005 \nReading: 0 Writing: 1 Waiting: 0 \n';
  t.same(parseStubStatus(page), { accepts: 2007, handled: 2007, requests: 1005 });
  t.throws(() => parseStubStatus('<html>404</html>'), /not a stub_status page/);
});
