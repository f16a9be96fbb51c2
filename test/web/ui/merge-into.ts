import t from 'tap';
import { mergeInto } from '../../../src/web/ui/merge-into.js';

t.test('merge keeps identities and touches only what differs', async (t) => {
  const a = { name: 'a', v: 1, tags: ['x'] };
  const b = { name: 'b', v: 1, tags: ['y'] };
  const target: Record<string, unknown> = { list: [a, b], n: 1, gone: true, obj: { k: 1 } };
  const objBefore = target.obj;
  mergeInto(target, { list: [{ name: 'b', v: 2, tags: ['y'] }, { name: 'a', v: 1, tags: ['x'] }, { name: 'c', v: 3, tags: [] }], n: 1, obj: { k: 2 } });
  const list = target.list as Array<typeof a>;
  t.same(
    list.map((x) => `${x.name}${x.v}`),
    ['b2', 'a1', 'c3'],
    'reordered by the new list, new object appended',
  );
  t.equal(list[0], b, 'named objects keep their identity');
  t.equal(list[1], a);
  t.equal(target.obj, objBefore, 'nested object merged in place');
  t.same(target.obj, { k: 2 });
  t.notOk('gone' in target, 'keys missing from the source are removed');
});

t.test('arrays without names merge by index and shrink', async (t) => {
  const target: Record<string, unknown> = { xs: [1, 2, 3], os: [{ v: 1 }, { v: 2 }] };
  const first = (target.os as unknown[])[0];
  mergeInto(target, { xs: [1, 5], os: [{ v: 9 }] });
  t.same(target.xs, [1, 5]);
  t.same(target.os, [{ v: 9 }]);
  t.equal((target.os as unknown[])[0], first);
});

t.test('null and type changes replace', async (t) => {
  const target: Record<string, unknown> = { vpp: { version: 'a' }, lb: null };
  mergeInto(target, { vpp: null, lb: { vips: [] } });
  t.same(target, { vpp: null, lb: { vips: [] } });
});
