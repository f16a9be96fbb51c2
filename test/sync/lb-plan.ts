import t from 'tap';
import { vipKeyString, type DesiredVip } from '../../src/core/desired-state.js';
import type { Encap, LbConf, VipKey } from '../../src/shared/lb-vip.js';
import {
  countOps,
  fullSyncBatches,
  isWrite,
  needsRecreate,
  pipelineBatches,
  planAll,
  planConf,
  planReconcileVip,
  planVip,
  zeroCounts,
  type LbOp,
} from '../../src/sync/lb-plan.js';
import type { CurrentVip } from '../../src/sync/lb-state.js';

const key = (prefix: string, protocol = 6, port = 80): VipKey => ({ prefix, protocol, port });

/** Desired VIP: address → weight, or [weight, flush]. */
function dv(
  prefix: string,
  ases: Record<string, number | [number, boolean]>,
  o: { frontend?: string; encap?: Encap; sticky?: boolean; port?: number } = {},
): DesiredVip {
  const k = key(prefix, 6, o.port ?? 80);
  const m = new Map(Object.entries(ases).map(([a, w]) => [a, typeof w === 'number' ? { weight: w, flush: false } : { weight: w[0], flush: w[1] }]));
  return { key: k, id: vipKeyString(k), frontend: o.frontend ?? 'fe', encap: o.encap ?? 'gre4', srcIpSticky: o.sticky ?? false, flowTableLength: 1024, ases: m };
}

/** Current VIP: address → weight (in use). */
function cv(
  prefix: string,
  ases: Record<string, number>,
  o: { encap?: Encap; sticky?: boolean | undefined; len?: number; port?: number } = {},
): CurrentVip {
  const k = key(prefix, 6, o.port ?? 80);
  const m = new Map(Object.entries(ases).map(([a, w]) => [a, { weight: w, flags: 1, numBuckets: 0 }]));
  return {
    key: k,
    id: vipKeyString(k),
    encap: o.encap ?? 'gre4',
    srcIpSticky: 'sticky' in o ? o.sticky : false,
    flowTableLength: o.len ?? 1024,
    index: 1,
    ases: m,
  };
}

const byId = <T extends { id: string }>(...xs: T[]): Map<string, T> => new Map(xs.map((x) => [x.id, x]));

/** One short line per operation, like ModelLbApi's call log (without the VIP for brevity). */
function render(op: LbOp): string {
  const f = (x: boolean): number => (x ? 1 : 0);
  switch (op.kind) {
    case 'conf':
      return 'conf';
    case 'vip-recreate':
      return `recreate ${op.vip.prefix} (${op.reason})`;
    case 'vip-add':
      return `vip-add ${op.vip.prefix} ${op.encap} sticky=${f(op.srcIpSticky)}`;
    case 'vip-del':
      return `vip-del ${op.vip.prefix}`;
    case 'as-add':
      return `as-add ${op.vip.prefix} ${op.address} w=${op.weight} flush=${f(op.flush)}`;
    case 'as-del':
      return `as-del ${op.vip.prefix} ${op.address}`;
    case 'as-weight':
      return `as-weight ${op.vip.prefix} ${op.address} ${op.from}->${op.to} flush=${f(op.flush)}`;
    case 'as-flush':
      return `as-flush ${op.vip.prefix} ${op.address} w=${op.weight}`;
  }
}

const V = '192.0.2.1/32';

void t.test('reconcile one VIP', (t) => {
  const cases: Array<{ name: string; d: DesiredVip; c: CurrentVip | undefined; hints?: string[]; want: string[] }> = [
    {
      name: 'cold create: VIP first, then ASes in numeric order (10.0.0.2 < 10.0.0.10)',
      d: dv(V, { '10.0.0.10': 100, '10.0.0.2': 100, '10.0.0.9': 50 }),
      c: undefined,
      want: [`vip-add ${V} gre4 sticky=0`, `as-add ${V} 10.0.0.2 w=100 flush=0`, `as-add ${V} 10.0.0.9 w=50 flush=0`, `as-add ${V} 10.0.0.10 w=100 flush=0`],
    },
    {
      name: 'no-op: nothing to write',
      d: dv(V, { '10.0.0.1': 100, '10.0.0.2': 0 }),
      c: cv(V, { '10.0.0.1': 100, '10.0.0.2': 0 }),
      want: [],
    },
    {
      name: 'failover is make-before-break: standby up first, then drains with flush',
      d: dv(V, { '10.0.0.1': [0, true], '10.0.0.2': [0, true], '10.0.0.3': 100 }),
      c: cv(V, { '10.0.0.1': 100, '10.0.0.2': 100, '10.0.0.3': 0 }),
      want: [`as-weight ${V} 10.0.0.3 0->100 flush=0`, `as-weight ${V} 10.0.0.1 100->0 flush=1`, `as-weight ${V} 10.0.0.2 100->0 flush=1`],
    },
    {
      name: 'groups: adds and increases, then decreases and flushes, then deletes; numeric within each',
      d: dv(V, { '10.0.0.10': 100, '10.0.0.3': 80, '10.0.0.20': 10, '10.0.0.4': [0, true] }),
      c: cv(V, { '10.0.0.3': 20, '10.0.0.20': 90, '10.0.0.4': 0, '10.0.0.100': 50, '10.0.0.11': 5 }),
      want: [
        `as-weight ${V} 10.0.0.3 20->80 flush=0`,
        `as-add ${V} 10.0.0.10 w=100 flush=0`,
        `as-flush ${V} 10.0.0.4 w=0`,
        `as-weight ${V} 10.0.0.20 90->10 flush=0`,
        `as-del ${V} 10.0.0.11`,
        `as-del ${V} 10.0.0.100`,
      ],
    },
    {
      name: 'flush-only: down with flush-on-down at weight 0 is flushed again',
      d: dv(V, { '10.0.0.1': [0, true], '10.0.0.2': 100 }),
      c: cv(V, { '10.0.0.1': 0, '10.0.0.2': 100 }),
      want: [`as-flush ${V} 10.0.0.1 w=0`],
    },
    {
      name: 'no flush asked at weight 0: nothing (graceful drain, e.g. paused or flush-on-down false)',
      d: dv(V, { '10.0.0.1': 0 }),
      c: cv(V, { '10.0.0.1': 0 }),
      want: [],
    },
    {
      name: 'flush hint at unchanged weight forces a flush-only call',
      d: dv(V, { '10.0.0.1': 100, '10.0.0.2': 100 }),
      c: cv(V, { '10.0.0.1': 100, '10.0.0.2': 100 }),
      hints: ['10.0.0.2'],
      want: [`as-flush ${V} 10.0.0.2 w=100`],
    },
    {
      name: 'flush hint rides on a weight change and on an add',
      d: dv(V, { '10.0.0.1': 30, '10.0.0.2': 100 }),
      c: cv(V, { '10.0.0.1': 100 }),
      hints: ['10.0.0.1', '10.0.0.2'],
      want: [`as-add ${V} 10.0.0.2 w=100 flush=1`, `as-weight ${V} 10.0.0.1 100->30 flush=1`],
    },
    {
      name: 'IPv6 ASes in numeric order',
      d: dv('2001:db8::1/128', { '2001:db8::a': 1, '2001:db8::9': 1, '2001:db8::1:0': 1 }, { encap: 'gre6' }),
      c: undefined,
      want: [
        'vip-add 2001:db8::1/128 gre6 sticky=0',
        'as-add 2001:db8::1/128 2001:db8::9 w=1 flush=0',
        'as-add 2001:db8::1/128 2001:db8::a w=1 flush=0',
        'as-add 2001:db8::1/128 2001:db8::1:0 w=1 flush=0',
      ],
    },
  ];
  for (const c of cases) t.same(planReconcileVip(c.d, c.c, new Set(c.hints)).map(render), c.want, c.name);
  t.end();
});

void t.test('recreate', (t) => {
  const cases: Array<{ name: string; d: DesiredVip; c: CurrentVip; want: string | undefined }> = [
    { name: 'same', d: dv(V, {}), c: cv(V, {}), want: undefined },
    { name: 'sticky flip', d: dv(V, {}, { sticky: true }), c: cv(V, {}), want: 'src-ip-sticky false -> true' },
    { name: 'sticky unknown (no CLI block) is no reason', d: dv(V, {}, { sticky: true }), c: cv(V, {}, { sticky: undefined }), want: undefined },
    { name: 'encap change', d: dv(V, {}, { encap: 'gre6' }), c: cv(V, {}), want: 'encap gre4 -> gre6' },
    { name: 'flow table length', d: dv(V, {}), c: cv(V, {}, { len: 256 }), want: 'flow-table-length 256 -> 1024' },
  ];
  for (const c of cases) t.equal(needsRecreate(c.c, c.d), c.want, c.name);

  t.same(
    planVip(dv(V, { '10.0.0.10': 100, '10.0.0.2': 100 }, { sticky: true }), cv(V, { '10.0.0.10': 100, '10.0.0.2': 100 })).map(render),
    [
      `recreate ${V} (src-ip-sticky false -> true)`,
      `as-del ${V} 10.0.0.2`,
      `as-del ${V} 10.0.0.10`,
      `vip-del ${V}`,
      `vip-add ${V} gre4 sticky=1`,
      `as-add ${V} 10.0.0.2 w=100 flush=0`,
      `as-add ${V} 10.0.0.10 w=100 flush=0`,
    ],
    'sticky flip: delete ASes with flush, delete VIP, re-add both',
  );
  t.same(
    planVip(dv(V, { '2001:db8::2': 100 }, { encap: 'gre6' }), cv(V, { '10.0.0.2': 100 })).map(render),
    [`recreate ${V} (encap gre4 -> gre6)`, `as-del ${V} 10.0.0.2`, `vip-del ${V}`, `vip-add ${V} gre6 sticky=0`, `as-add ${V} 2001:db8::2 w=100 flush=0`],
    'backends changed family',
  );
  t.end();
});

void t.test('full sync plan', (t) => {
  const cases: Array<{ name: string; desired: DesiredVip[]; current: CurrentVip[]; hints?: Map<string, Set<string>>; want: string[] }> = [
    {
      name: 'VIPs in numeric order, v4 before v6',
      desired: [
        dv('2001:db8::1/128', { '2001:db8::5': 1 }, { encap: 'gre6' }),
        dv('10.0.0.10/32', { '10.1.0.1': 1 }),
        dv('10.0.0.2/32', { '10.1.0.1': 1 }),
      ],
      current: [],
      want: [
        'vip-add 10.0.0.2/32 gre4 sticky=0',
        'as-add 10.0.0.2/32 10.1.0.1 w=1 flush=0',
        'vip-add 10.0.0.10/32 gre4 sticky=0',
        'as-add 10.0.0.10/32 10.1.0.1 w=1 flush=0',
        'vip-add 2001:db8::1/128 gre6 sticky=0',
        'as-add 2001:db8::1/128 2001:db8::5 w=1 flush=0',
      ],
    },
    {
      name: 'stale VIPs are removed first (ASes with flush, then the VIP)',
      desired: [dv('192.0.2.1/32', { '10.0.0.1': 100 })],
      current: [cv('192.0.2.9/32', { '10.0.0.10': 5, '10.0.0.2': 5 }), cv('192.0.2.1/32', { '10.0.0.1': 100 })],
      want: ['as-del 192.0.2.9/32 10.0.0.2', 'as-del 192.0.2.9/32 10.0.0.10', 'vip-del 192.0.2.9/32'],
    },
    {
      name: 'recreate: deleted in phase 1, re-added in phase 2 in VIP order',
      desired: [dv('192.0.2.1/32', { '10.0.0.1': 100 }), dv('192.0.2.2/32', { '10.0.0.1': 100 }, { sticky: true, frontend: 'sticky' })],
      current: [cv('192.0.2.2/32', { '10.0.0.1': 100 }), cv('192.0.2.50/32', {})],
      want: [
        'recreate 192.0.2.2/32 (src-ip-sticky false -> true)',
        'as-del 192.0.2.2/32 10.0.0.1',
        'vip-del 192.0.2.2/32',
        'vip-del 192.0.2.50/32',
        'vip-add 192.0.2.1/32 gre4 sticky=0',
        'as-add 192.0.2.1/32 10.0.0.1 w=100 flush=0',
        'vip-add 192.0.2.2/32 gre4 sticky=1',
        'as-add 192.0.2.2/32 10.0.0.1 w=100 flush=0',
      ],
    },
    {
      name: 'flush hints apply to their frontend only',
      desired: [dv('192.0.2.1/32', { '10.0.0.1': 100 }, { frontend: 'a' }), dv('192.0.2.2/32', { '10.0.0.1': 100 }, { frontend: 'b' })],
      current: [cv('192.0.2.1/32', { '10.0.0.1': 100 }), cv('192.0.2.2/32', { '10.0.0.1': 100 })],
      hints: new Map([['b', new Set(['10.0.0.1'])]]),
      want: ['as-flush 192.0.2.2/32 10.0.0.1 w=100'],
    },
    {
      name: 'no-op: a dataplane already in the desired state gets no write',
      desired: [dv('192.0.2.1/32', { '10.0.0.1': 100, '10.0.0.2': 0 }), dv('192.0.2.1/32', { '10.0.0.3': 7 }, { port: 443 })],
      current: [cv('192.0.2.1/32', { '10.0.0.3': 7 }, { port: 443 }), cv('192.0.2.1/32', { '10.0.0.1': 100, '10.0.0.2': 0 })],
      want: [],
    },
  ];
  for (const c of cases) t.same(planAll(byId(...c.desired), byId(...c.current), c.hints).map(render), c.want, c.name);
  t.end();
});

void t.test('lb_conf plan', (t) => {
  const conf: LbConf = { ip4SrcAddress: '192.0.2.254', ip6SrcAddress: '2001:db8::fe', stickyBucketsPerCore: 65536, flowTimeoutS: 40 };
  t.same(planConf(conf, { ...conf }), [], 'equal → nothing');
  t.same(planConf(conf, { ...conf, flowTimeoutS: 30 }).map(render), ['conf'], 'changed → lb_conf');
  t.end();
});

void t.test('counts per kind', (t) => {
  const ops = [
    ...planVip(dv(V, { '10.0.0.1': 1 }, { sticky: true }), cv(V, { '10.0.0.1': 1, '10.0.0.2': 1 })),
    ...planReconcileVip(dv('192.0.2.2/32', { '10.0.0.1': [0, true], '10.0.0.2': 3 }), cv('192.0.2.2/32', { '10.0.0.1': 0, '10.0.0.2': 1 })),
    ...planConf({ ip4SrcAddress: '1.1.1.1', ip6SrcAddress: '::1', stickyBucketsPerCore: 1, flowTimeoutS: 1 }, { ip4SrcAddress: '1.1.1.2', ip6SrcAddress: '::1', stickyBucketsPerCore: 1, flowTimeoutS: 1 }),
  ];
  t.same(countOps(ops), { vip_added: 1, vip_removed: 1, as_added: 1, as_removed: 2, as_weight_updated: 1, as_flushed: 1, conf_updated: 1 });
  t.same(countOps([]), zeroCounts());
  t.notOk(isWrite(ops[0]!), 'the recreate marker is not a write');
  t.equal(ops.filter(isWrite).length, ops.length - 1);
  t.end();
});

void t.test('pipeline batches: AS calls of one VIP and one phase; everything else alone', (t) => {
  const W = '192.0.2.2/32';
  const ops = [
    ...planConf({ ip4SrcAddress: '1.1.1.1', ip6SrcAddress: '::1', stickyBucketsPerCore: 1, flowTimeoutS: 1 }, { ip4SrcAddress: '1.1.1.2', ip6SrcAddress: '::1', stickyBucketsPerCore: 1, flowTimeoutS: 1 }),
    // A sticky flip: recreate marker, AS deletes, VIP delete, VIP add, AS adds.
    ...planVip(dv(V, { '10.0.0.1': 10, '10.0.0.2': 10 }, { sticky: true }), cv(V, { '10.0.0.1': 1, '10.0.0.2': 1 })),
    // make (add .3, raise .1), drain (lower .2, flush .4), remove (.5, .6)
    ...planReconcileVip(
      dv(W, { '10.0.0.1': 9, '10.0.0.2': 1, '10.0.0.3': 5, '10.0.0.4': [0, true] }),
      cv(W, { '10.0.0.1': 1, '10.0.0.2': 9, '10.0.0.4': 0, '10.0.0.5': 1, '10.0.0.6': 1 }),
    ),
  ];
  const batches = pipelineBatches(ops, 64).map((b) => b.map(render));
  t.same(batches, [
    ['conf'],
    [`recreate ${V} (src-ip-sticky false -> true)`],
    [`as-del ${V} 10.0.0.1`, `as-del ${V} 10.0.0.2`],
    [`vip-del ${V}`],
    [`vip-add ${V} gre4 sticky=1`],
    [`as-add ${V} 10.0.0.1 w=10 flush=0`, `as-add ${V} 10.0.0.2 w=10 flush=0`],
    [`as-weight ${W} 10.0.0.1 1->9 flush=0`, `as-add ${W} 10.0.0.3 w=5 flush=0`],
    [`as-weight ${W} 10.0.0.2 9->1 flush=0`, `as-flush ${W} 10.0.0.4 w=0`],
    [`as-del ${W} 10.0.0.5`, `as-del ${W} 10.0.0.6`],
  ]);
  t.same(batches.flat(), ops.map(render), 'the order is the plan\'s');
  t.same(pipelineBatches(ops, 1).map((b) => b.length), ops.map(() => 1), 'max 1: one call at a time');
  const big = planReconcileVip(dv(W, Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`10.1.0.${i + 1}`, 1]))), undefined);
  t.same(pipelineBatches(big, 64).map((b) => b.length), [1, 64, 64, 22], 'long runs are cut at max');
  t.end();
});

void t.test('full sync batches: VIPs whose changes are one batch of AS calls share a pipelined batch', (t) => {
  const A = '192.0.2.1/32';
  const B = '192.0.2.2/32';
  const C = '192.0.2.3/32';
  const D = '192.0.2.4/32';
  const E = '192.0.2.5/32';
  const down = { '10.0.0.1': [0, true] as [number, boolean], '10.0.0.2': 100 };
  const current = { '10.0.0.1': 0, '10.0.0.2': 100 };
  const ops = planAll(
    byId(dv(A, down), dv(B, down), dv(C, { '10.0.0.1': 100, '10.0.0.2': 0 }), dv(D, down), dv(E, down)),
    // C fails over (make, then drain): two batches, so it keeps them; E is new.
    byId(cv(A, current), cv(B, current), cv(C, { '10.0.0.1': 0, '10.0.0.2': 100 }), cv(D, current)),
  );
  const batches = fullSyncBatches(ops, 64).map((b) => b.map(render));
  t.same(batches, [
    [`as-flush ${A} 10.0.0.1 w=0`, `as-flush ${B} 10.0.0.1 w=0`],
    [`as-weight ${C} 10.0.0.1 0->100 flush=0`],
    [`as-weight ${C} 10.0.0.2 100->0 flush=0`],
    [`as-flush ${D} 10.0.0.1 w=0`],
    [`vip-add ${E} gre4 sticky=0`],
    [`as-add ${E} 10.0.0.1 w=0 flush=1`, `as-add ${E} 10.0.0.2 w=100 flush=0`],
  ]);
  t.same(batches.flat(), ops.map(render), 'the order is the plan\'s');
  t.same(fullSyncBatches(ops, 1).map((b) => b.length), ops.map(() => 1), 'max 1: one call at a time');
  const many = Array.from({ length: 100 }, (_, i) => `10.9.${i >> 8}.${i & 255}/32`);
  const flushes = planAll(new Map(many.map((p) => [vipKeyString(key(p)), dv(p, down)])), new Map(many.map((p) => [vipKeyString(key(p)), cv(p, current)])));
  t.same(fullSyncBatches(flushes, 64).map((b) => b.length), [64, 36], 'merged batches are cut at max');
  t.end();
});
