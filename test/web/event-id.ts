import t from 'tap';
import { formatEventId, parseEventId } from '../../src/web/event-id.js';

t.test('event ids round-trip and reject anything odd', async (t) => {
  t.equal(formatEventId({ epoch: 1700000000123, seq: 42 }), '1700000000123-42');
  const cases: Array<{ in: string; want: { epoch: number; seq: number } | undefined }> = [
    { in: '1700000000123-42', want: { epoch: 1700000000123, seq: 42 } },
    { in: ' 1-0 ', want: { epoch: 1, seq: 0 } },
    { in: '1700000000123', want: undefined },
    { in: '-1-2', want: undefined },
    { in: '1-2-3', want: undefined },
    { in: 'a-1', want: undefined },
    { in: '99999999999999999-1', want: undefined },
    { in: '', want: undefined },
  ];
  for (const c of cases) t.same(parseEventId(c.in), c.want, JSON.stringify(c.in));
});
