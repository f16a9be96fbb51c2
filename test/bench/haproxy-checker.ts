// HAProxy as a checker under test: the config it gets for each check type, and the server rows
// of its `show stat` answer.

import t from 'tap';
import { haproxyConfig, parseShowStat } from '../../bench/haproxy-checker.js';

const target = { addresses: ['127.1.0.1', '127.1.0.2'], port: 8080, intervalMs: 1000, timeoutMs: 500 };

t.test('config per check type', async (t) => {
  const cases = [
    { name: 'http', in: 'http' as const, want: { mode: 'mode http', httpchk: true, ssl: false } },
    { name: 'https', in: 'https' as const, want: { mode: 'mode http', httpchk: true, ssl: true } },
    { name: 'tcp', in: 'tcp' as const, want: { mode: 'mode tcp', httpchk: false, ssl: false } },
  ];
  for (const c of cases) {
    const lines = haproxyConfig({ ...target, type: c.in }, '/tmp/x/haproxy.sock').split('\n');
    t.ok(lines.includes(`  ${c.want.mode}`), `${c.name}: ${c.want.mode}`);
    t.equal(lines.includes('  option httpchk GET /healthz'), c.want.httpchk, `${c.name}: httpchk`);
    t.equal(lines.some((l) => l.endsWith(' check-ssl verify none')), c.want.ssl, `${c.name}: check-ssl`);
    t.ok(lines.includes('  nbthread 2'), `${c.name}: two threads`);
    t.ok(lines.includes('  stats socket /tmp/x/haproxy.sock mode 600 level admin'));
    t.ok(lines.some((l) => l.startsWith('  default-server inter 1000ms fastinter 1000ms downinter 1000ms rise 2 fall 3')), `${c.name}: one interval for every state`);
    t.ok(lines.includes('  timeout check 500ms') && lines.includes('  timeout connect 500ms'), `${c.name}: the check timeout`);
    t.same(
      lines.filter((l) => l.startsWith('  server ')),
      ['  server b1 127.1.0.1:8080 check', '  server b2 127.1.0.2:8080 check'],
      `${c.name}: one server per backend`,
    );
  }
});

t.test('show stat: server rows only', async (t) => {
  const csv = [
    '# pxname,svname,qcur,status,chkfail,chkdown,check_status',
    'fleet,b1,0,UP,0,0,L7OK',
    'fleet,b2,0,DOWN,3,1,L4CON',
    'fleet,b3,0,UP 1/3,2,0,L7TOUT',
    'fleet,BACKEND,0,UP,,5,',
    'stats,FRONTEND,0,OPEN,,,',
    '',
  ].join('\n');
  t.same(parseShowStat(csv), { servers: 3, up: 2, chkfail: 5 });
  t.throws(() => parseShowStat('# pxname,svname\nfleet,b1\n'), /no status column/);
});
