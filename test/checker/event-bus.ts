import t from 'tap';
import { CheckerEventBus } from '../../src/checker/event-bus.js';
import type { CheckerEvent } from '../../src/checker/events.js';

const fe = (frontend: string): CheckerEvent => ({ kind: 'frontend', frontend, from: 'unknown', to: 'up', at: 0 });

t.test('synchronous, in order, to every subscriber; unsubscribe works', async (t) => {
  const errors: unknown[] = [];
  const bus = new CheckerEventBus((e) => errors.push(e));
  const a: string[] = [];
  const b: string[] = [];
  const unA = bus.subscribe((ev) => a.push(ev.kind === 'frontend' ? ev.frontend : ''));
  bus.subscribe((ev) => b.push(ev.kind === 'frontend' ? ev.frontend : ''));
  bus.emit(fe('1'));
  t.same(a, ['1'], 'delivered before emit() returns');
  bus.emit(fe('2'));
  unA();
  bus.emit(fe('3'));
  t.same(a, ['1', '2']);
  t.same(b, ['1', '2', '3']);
  t.equal(bus.listenerCount, 1);
  t.same(errors, []);
});

t.test('an event emitted by a subscriber is delivered after the current one, to all in one order', async (t) => {
  const bus = new CheckerEventBus(() => {});
  const a: string[] = [];
  const b: string[] = [];
  bus.subscribe((ev) => {
    if (ev.kind === 'frontend') a.push(ev.frontend);
    if (ev.kind === 'frontend' && ev.frontend === '1') bus.emit(fe('nested'));
  });
  bus.subscribe((ev) => b.push(ev.kind === 'frontend' ? ev.frontend : ''));
  bus.emit(fe('1'));
  bus.emit(fe('2'));
  t.same(a, ['1', 'nested', '2']);
  t.same(b, ['1', 'nested', '2'], 'the second subscriber sees the same order');
});

t.test('a throwing subscriber is reported and does not stop the others', async (t) => {
  const errors: unknown[] = [];
  const bus = new CheckerEventBus((e) => errors.push(e));
  const got: string[] = [];
  bus.subscribe(() => {
    throw new Error('boom');
  });
  bus.subscribe((ev) => got.push(ev.kind));
  bus.emit(fe('1'));
  bus.emit(fe('2'));
  t.same(got, ['frontend', 'frontend']);
  t.equal(errors.length, 2);
});

t.test('a subscriber removed by an earlier one gets nothing more', async (t) => {
  const bus = new CheckerEventBus(() => {});
  const got: string[] = [];
  let unB: () => void = () => {};
  bus.subscribe(() => unB());
  unB = bus.subscribe(() => got.push('b'));
  bus.emit(fe('1'));
  t.same(got, []);
});
