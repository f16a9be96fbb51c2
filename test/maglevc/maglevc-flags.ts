// maglevc's flags: --server and MAGLEV_SERVER as gRPC targets (src/api/server-address.ts).

import t from 'tap';
import { parseMaglevcOptions } from '../../src/maglevc/maglevc-flags.js';

t.test('--server and MAGLEV_SERVER without a port dial 9090', (t) => {
  const flag = parseMaglevcOptions(['--server', '127.0.0.1', 'show', 'frontends'], {});
  t.match(flag, { ok: true, options: { server: '127.0.0.1:9090' } });
  t.match(parseMaglevcOptions([], { MAGLEV_SERVER: 'lb1' }), { ok: true, options: { server: 'lb1:9090' } });
  t.end();
});
