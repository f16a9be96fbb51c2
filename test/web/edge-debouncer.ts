import t from 'tap';
import { ManualClock } from '../support/manual-clock.js';
import { EdgeDebouncer } from '../../src/web/edge-debouncer.js';

t.test('fires on the leading edge, then once on the trailing edge of a burst', async (t) => {
  const clock = new ManualClock(0);
  const fired: number[] = [];
  const d = new EdgeDebouncer(clock, 1000, () => fired.push(clock.now()));
  d.trigger();
  t.same(fired, [0], 'leading edge at once');
  clock.advance(200);
  d.trigger();
  clock.advance(300);
  d.trigger();
  t.same(fired, [0], 'folded into the window');
  clock.advance(500);
  t.same(fired, [0, 1000], 'one trailing fire when the window closes');
  clock.advance(1000);
  t.same(fired, [0, 1000], 'the trailing fire opened a window with no trigger: quiet');
  clock.advance(5000);
  d.trigger();
  t.same(fired, [0, 1000, 7000], 'an isolated trigger fires at once');
  clock.advance(2000);
  t.same(fired, [0, 1000, 7000], 'and only once');
});

t.test('stop drops a pending trailing fire', async (t) => {
  const clock = new ManualClock(0);
  let n = 0;
  const d = new EdgeDebouncer(clock, 1000, () => n++);
  d.trigger();
  d.trigger();
  d.stop();
  clock.advance(5000);
  t.equal(n, 1);
  t.equal(clock.pending, 0);
});
