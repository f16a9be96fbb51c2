import t from 'tap';
import { AnomalyLog } from '../../src/maglevt/anomaly-log.js';

t.test('AnomalyLog keeps the newest entries and answers since', async (t) => {
  const log = new AnomalyLog(3);
  for (let i = 1; i <= 5; i++) log.add(i * 10, `v${i}`, 'timeout', `#${i}`);
  t.equal(log.total, 5);
  const cases: { name: string; got: () => readonly { seq: number }[]; want: number[] }[] = [
    { name: 'recent(2)', got: () => log.recent(2), want: [4, 5] },
    { name: 'recent(10) is what is retained', got: () => log.recent(10), want: [3, 4, 5] },
    { name: 'recent(0)', got: () => log.recent(0), want: [] },
    { name: 'since(0): all retained', got: () => log.since(0), want: [3, 4, 5] },
    { name: 'since(3)', got: () => log.since(3), want: [4, 5] },
    { name: 'since(5): nothing new', got: () => log.since(5), want: [] },
  ];
  for (const c of cases) t.same(c.got().map((a) => a.seq), c.want, c.name);
  t.same(log.recent(1)[0], { seq: 5, atMs: 50, vip: 'v5', kind: 'timeout', detail: '#5' });
});
