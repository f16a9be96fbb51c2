// Result records through a batch and through the result ring: every field comes back, the
// discard reason included (one byte of the record, 0 when none) and the connection a
// reuse-connection probe used (two flag bits).

import t from 'tap';
import { discardReasons } from '../../src/shared/discard-reason.js';
import { createResultRing, ResultBatchReader, ResultBatchWriter, ResultRingReader, ResultRingWriter, type ResultRecord } from '../../src/shared/probe-batch.js';
import { detailKind } from '../../src/shared/probe-detail.js';
import type { ProbeOutcome } from '../../src/shared/probe-outcome.js';

const base: ProbeOutcome = { code: 'L7OK', detail: detailKind.httpStatus, arg: 200, text: undefined, at: 1_700_000_000_123, durationMs: 1.5, discarded: false, lagMs: NaN };

const cases: Array<{ name: string; in: ProbeOutcome }> = [
  { name: 'recorded', in: base },
  { name: 'a timeout', in: { ...base, code: 'L7TOUT', detail: detailKind.timeoutHeaders, arg: 2000, durationMs: 2000 } },
  { name: 'a reuse-connection probe that opened its connection', in: { ...base, connection: 'opened' } },
  { name: 'a reuse-connection probe on the kept connection', in: { ...base, connection: 'reused' } },
  ...discardReasons.map((reason) => ({ name: `discarded: ${reason}`, in: { ...base, code: 'SOCKERR' as const, detail: detailKind.connectError, arg: 24, discarded: true, discardReason: reason, lagMs: 3 } })),
];

function fields(r: ResultRecord): object {
  return { probeId: r.probeId, targetId: r.targetId, code: r.code, detail: r.detail, arg: r.arg, at: r.at, durationMs: r.durationMs, discarded: r.discarded, discardReason: r.discardReason, lagMs: r.lagMs, connection: r.connection };
}

const want = (i: number, o: ProbeOutcome): object => ({ probeId: i + 1, targetId: 100 + i, code: o.code, detail: o.detail, arg: o.arg, at: o.at, durationMs: o.durationMs, discarded: o.discarded, discardReason: o.discardReason, lagMs: o.lagMs, connection: o.connection });

t.test('a batch carries every field', (t) => {
  const w = new ResultBatchWriter(2);
  cases.forEach((c, i) => w.push(i + 1, 100 + i, c.in));
  const reader = new ResultBatchReader(w.take());
  cases.forEach((c, i) => t.same(fields(reader.next()!), want(i, c.in), c.name));
  t.equal(reader.next(), undefined);
  t.end();
});

t.test('the ring carries every field', (t) => {
  const ring = createResultRing(16);
  const w = new ResultRingWriter(ring);
  const reader = new ResultRingReader(ring);
  cases.forEach((c, i) => t.ok(w.push(i + 1, 100 + i, c.in), `room for ${c.name}`));
  reader.begin();
  cases.forEach((c, i) => t.same(fields(reader.next()!), want(i, c.in), c.name));
  t.equal(reader.next(), undefined);
  t.end();
});
