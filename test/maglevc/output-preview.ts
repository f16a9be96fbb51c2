// The `preview` and `show vpp lb digest` layouts: per-member before→after columns (a dash for a
// side the member is not on), config problems, assumptions, the digest line and its table.

import t from 'tap';
import type { PreviewResponse, VIPDigest } from '../../src/api/maglev-messages.js';
import { formatPreview, formatVppLbDigest } from '../../src/maglevc/output-preview.js';

const plain = { color: false };

const response: PreviewResponse = {
  ok: true,
  parse_error: '',
  semantic_error: '',
  assumptions: ['be4 passes its health check (new backend)'],
  vips: [
    {
      frontend: 'web',
      prefix: '192.0.2.1/32',
      protocol: 6,
      port: 80,
      change: 'changed',
      flow_table_length: 1024,
      moved_buckets: 341,
      application_servers: [
        { address: '10.0.0.1', backends: ['be1'], weight_before: 100, weight_after: 100, buckets_before: 1024, buckets_after: 683 },
        { address: '10.0.0.4', backends: ['be4'], weight_before: 0, weight_after: 50, buckets_before: 0, buckets_after: 341 },
        { address: '10.0.0.3', backends: ['be3'], weight_before: 0, weight_after: 0, buckets_before: 0, buckets_after: 0 },
      ],
      members: [
        { pool: 'primary', backend: 'be1', state_before: 'up', state_after: 'up', weight_before: 100, weight_after: 100, effective_weight_before: 100, effective_weight_after: 100 },
        { pool: 'primary', backend: 'be3', state_before: 'down', state_after: '', weight_before: 100, weight_after: 0, effective_weight_before: 0, effective_weight_after: 0 },
        { pool: 'primary', backend: 'be4', state_before: '', state_after: 'up', weight_before: 0, weight_after: 50, effective_weight_before: 0, effective_weight_after: 50 },
      ],
    },
  ],
};

t.test('a preview: summary line, member rows, assumptions', async (t) => {
  t.same(formatPreview(plain, response), [
    "web moves 33.3 % of web's new flows: be1 1024→683, be4 0→341",
    '  pool primary  be1  up      weight 100    effective 100   buckets 1024→683',
    '                be3  down→-  weight 100→-  effective 0→-   buckets 0',
    '                be4  -→up    weight -→50   effective -→50  buckets 0→341',
    'assuming be4 passes its health check (new backend)',
  ]);
  t.same(formatPreview(plain, { ...response, vips: [], assumptions: [] }), ['no VIP is affected']);
  t.same(formatPreview(plain, { ...response, ok: false, parse_error: '', semantic_error: 'maglev.frontends.web: bad' }), ['maglev.frontends.web: bad']);
  t.ok(formatPreview({ color: true }, response)[0]!.startsWith('\x1b[34mweb\x1b[0m moves'), 'the frontend name is a label');
});

t.test('a digest: one line per VIP, its ASes, the table on request', async (t) => {
  const v: VIPDigest = {
    prefix: '192.0.2.1/32',
    protocol: 6,
    port: 80,
    frontend: '',
    flow_table_length: 16,
    digest: 'ab'.repeat(32),
    buckets_match: false,
    application_servers: [
      { address: '10.0.0.1', weight: 100, buckets: 10 },
      { address: '10.0.0.2', weight: 50, buckets: 5 },
    ],
    table: [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, -1],
  };
  t.same(formatVppLbDigest(plain, [v], false), [
    'vip 192.0.2.1 protocol 6 port 80 frontend - digest abababababababab (VPP bucket counts differ from the computed table)',
    '  as 10.0.0.1 weight 100 buckets 10',
    '  as 10.0.0.2 weight 50 buckets 5',
  ]);
  t.same(formatVppLbDigest(plain, [{ ...v, buckets_match: true }], true).slice(3), [
    '      0: 10.0.0.1 10.0.0.2 10.0.0.1 10.0.0.1 10.0.0.2 10.0.0.1 10.0.0.1 10.0.0.2',
    '      8: 10.0.0.1 10.0.0.1 10.0.0.2 10.0.0.1 10.0.0.1 10.0.0.2 10.0.0.1 -',
  ]);
});
