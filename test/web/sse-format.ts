import t from 'tap';
import { formatSseComment, formatSseEvent, formatSseRetry, sseRetryMs } from '../../src/web/sse-format.js';

t.test('events are framed per the SSE rules', async (t) => {
  const cases = [
    { name: 'full event', in: { id: '1-2', event: 'backend', data: '{"a":1}' }, want: 'id: 1-2\nevent: backend\ndata: {"a":1}\n\n' },
    { name: 'data only', in: { data: 'x' }, want: 'data: x\n\n' },
    { name: 'multi-line data', in: { event: 'log', data: 'a\nb\r\nc' }, want: 'event: log\ndata: a\ndata: b\ndata: c\n\n' },
    { name: 'empty data', in: { data: '' }, want: 'data: \n\n' },
  ];
  for (const c of cases) t.equal(formatSseEvent(c.in), c.want, c.name);
  t.throws(() => formatSseEvent({ id: 'a\nb', data: '' }), /newline/);
  t.throws(() => formatSseEvent({ event: 'x\r', data: '' }), /newline/);
});

t.test('comments and the retry hint', async (t) => {
  t.equal(formatSseComment('ping'), ': ping\n\n');
  t.throws(() => formatSseComment('a\nb'));
  t.equal(sseRetryMs, 2000);
  t.equal(formatSseRetry(), 'retry: 2000\n\n');
});
