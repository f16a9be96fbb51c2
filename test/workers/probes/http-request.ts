// The probe's request bytes.

import t from 'tap';
import { buildInfo } from '../../../src/generated/build-info.js';
import { httpRequestBytes, userAgent } from '../../../src/workers/probes/http-request.js';

t.test('request layout', (t) => {
  t.equal(
    httpRequestBytes('/healthz', '10.0.0.1:8080').toString('latin1'),
    'GET /healthz HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n' +
      `User-Agent: vpp-maglev/${buildInfo.version} (+https://git.ipng.ch/ipng/vpp-maglev)\r\n` +
      'Accept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n',
  );
  t.equal(userAgent, `vpp-maglev/${buildInfo.version} (+https://git.ipng.ch/ipng/vpp-maglev)`);
  t.end();
});

t.test('path and host cannot break the request', (t) => {
  const cases = [
    { name: 'query kept', path: '/a?b=c&d', host: 'h', line: 'GET /a?b=c&d HTTP/1.1', hostLine: 'Host: h' },
    { name: 'space encoded', path: '/a b', host: 'h', line: 'GET /a%20b HTTP/1.1', hostLine: 'Host: h' },
    { name: 'CRLF encoded', path: '/a\r\nX: y', host: 'h', line: 'GET /a%0D%0AX:%20y HTTP/1.1', hostLine: 'Host: h' },
    { name: 'non-ASCII encoded', path: '/é', host: 'h', line: 'GET /%C3%A9 HTTP/1.1', hostLine: 'Host: h' },
    { name: 'host controls dropped', path: '/', host: 'h\r\nEvil: 1', line: 'GET / HTTP/1.1', hostLine: 'Host: hEvil:1' },
  ];
  for (const c of cases) {
    const lines = httpRequestBytes(c.path, c.host).toString('latin1').split('\r\n');
    t.equal(lines[0], c.line, `${c.name}: request line`);
    t.equal(lines[1], c.hostLine, `${c.name}: host line`);
    t.equal(lines.length, 8, `${c.name}: six lines and the blank one`);
  }
  t.end();
});
