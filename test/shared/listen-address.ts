import t from 'tap';
import { parseListenAddress } from '../../src/shared/listen-address.js';

t.test('listen addresses', async (t) => {
  const cases: Array<{ in: string; want: { host: string; port: number } | undefined }> = [
    { in: ':9090', want: { host: '', port: 9090 } },
    { in: '127.0.0.1:9090', want: { host: '127.0.0.1', port: 9090 } },
    { in: '[::1]:9090', want: { host: '::1', port: 9090 } },
    { in: '[2001:db8::1]:0', want: { host: '2001:db8::1', port: 0 } },
    { in: 'localhost:80', want: { host: 'localhost', port: 80 } },
    { in: 'lb1.example.net:65535', want: { host: 'lb1.example.net', port: 65535 } },
    { in: '9090', want: undefined },
    { in: ':65536', want: undefined },
    { in: '::1:9090', want: undefined },
    { in: '[10.0.0.1]:80', want: undefined },
    { in: '[::1]', want: undefined },
    { in: 'host:', want: undefined },
    { in: 'bad_host:80', want: undefined },
    { in: '', want: undefined },
  ];
  for (const c of cases) {
    const got = parseListenAddress(c.in);
    t.same(got === undefined ? undefined : { host: got.host, port: got.port }, c.want, JSON.stringify(c.in));
    if (got !== undefined) t.equal(got.text, c.in, `${c.in} keeps its text`);
  }
});
