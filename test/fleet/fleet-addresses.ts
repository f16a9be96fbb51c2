// Fleet address ranges stay inside 127.0.0.0/8.

import t from 'tap';
import { fleetAddresses, isLoopbackAddress } from '../../src/fleet/fleet-addresses.js';

t.test('ranges', (t) => {
  t.same(fleetAddresses(3), ['127.1.0.1', '127.1.0.2', '127.1.0.3']);
  t.same(fleetAddresses(3, '127.0.0.254'), ['127.0.0.254', '127.0.0.255', '127.0.1.0']);
  t.equal(fleetAddresses(10_000, '127.1.0.1')[9_999], '127.1.39.16');
  t.same(fleetAddresses(0), []);
  t.throws(() => fleetAddresses(2, '127.255.255.254'), /leave 127\.0\.0\.0\/8/);
  t.throws(() => fleetAddresses(1, '10.0.0.1'), /not an IPv4 loopback/);
  t.throws(() => fleetAddresses(1, '::1'), /not an IPv4 loopback/);
  t.end();
});

t.test('loopback check', (t) => {
  const cases = [
    { in: '127.0.0.1', want: true },
    { in: '127.200.3.4', want: true },
    { in: '::1', want: true },
    { in: '128.0.0.1', want: false },
    { in: '10.127.0.1', want: false },
    { in: '::2', want: false },
    { in: 'localhost', want: false },
  ];
  for (const c of cases) t.equal(isLoopbackAddress(c.in), c.want, c.in);
  t.end();
});
