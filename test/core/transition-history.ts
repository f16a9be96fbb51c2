import t from 'tap';
import { TransitionHistory } from '../../src/core/transition-history.js';
import type { TransitionRecord } from '../../src/shared/health.js';

const rec = (at: number): TransitionRecord => ({ from: 'unknown', to: 'up', at, code: 'L4OK', detail: `#${at}` });

t.test('newest first, bounded', async (t) => {
  const cases: Array<{ limit: number; records: number; want: number[] }> = [
    { limit: 5, records: 0, want: [] },
    { limit: 5, records: 3, want: [3, 2, 1] },
    { limit: 5, records: 5, want: [5, 4, 3, 2, 1] },
    { limit: 5, records: 8, want: [8, 7, 6, 5, 4] },
    { limit: 1, records: 3, want: [3] },
    { limit: 0, records: 2, want: [2] }, // a limit below 1 is treated as 1
  ];
  for (const c of cases) {
    const h = new TransitionHistory(c.limit);
    t.equal(h.limit, Math.max(1, c.limit), `limit ${c.limit}`);
    for (let i = 1; i <= c.records; i++) h.record(rec(i));
    t.same(
      h.list().map((r) => r.at),
      c.want,
      `limit ${c.limit}, ${c.records} records`,
    );
    t.equal(h.latest()?.at, c.want[0], `latest, limit ${c.limit}, ${c.records} records`);
  }
});

t.test('a new limit trims at the next record, not at once', async (t) => {
  const h = new TransitionHistory(5);
  for (let i = 1; i <= 5; i++) h.record(rec(i));
  h.setLimit(2);
  t.equal(h.limit, 2);
  t.equal(h.list().length, 5, 'untouched until the next record');
  h.record(rec(6));
  t.same(
    h.list().map((r) => r.at),
    [6, 5],
  );
  h.setLimit(4);
  h.record(rec(7));
  t.same(
    h.list().map((r) => r.at),
    [7, 6, 5],
    'growing keeps what is there',
  );
});

t.test('list() is a copy', async (t) => {
  const h = new TransitionHistory(3);
  h.record(rec(1));
  const l = h.list();
  l.pop();
  t.equal(h.list().length, 1);
});
