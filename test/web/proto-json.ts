import t from 'tap';
import { jsonFieldName, toProtoJson } from '../../src/web/proto-json.js';

t.test('field names follow protoc json_name', async (t) => {
  const cases = [
    { in: 'name', want: 'name' },
    { in: 'effective_weight', want: 'effectiveWeight' },
    { in: 'last_transition_unix_ns', want: 'lastTransitionUnixNs' },
    { in: 'ip4_src_address', want: 'ip4SrcAddress' },
  ];
  for (const c of cases) t.equal(jsonFieldName(c.in), c.want, c.in);
});

t.test('values are copied deeply, null kept, undefined dropped', async (t) => {
  const msg = { pool_name: 'p', backends: [{ effective_weight: 0, at_unix_ns: '123' }], last_probe: null, gone: undefined, big: 5n };
  t.same(toProtoJson(msg), { poolName: 'p', backends: [{ effectiveWeight: 0, atUnixNs: '123' }], lastProbe: null, big: '5' });
});
