import t from 'tap';
import { NamedCollection } from '../../src/web/named-collection.js';

type Item = { name: string; v: number };

t.test('replaceAll reports changed objects and name-list changes', async (t) => {
  const c = new NamedCollection<Item>();
  const cases: Array<{ name: string; in: Item[]; changed: string[]; names: string[] | undefined }> = [
    { name: 'first fill', in: [{ name: 'a', v: 1 }, { name: 'b', v: 1 }], changed: ['a', 'b'], names: ['a', 'b'] },
    { name: 'identical', in: [{ name: 'a', v: 1 }, { name: 'b', v: 1 }], changed: [], names: undefined },
    { name: 'one changed', in: [{ name: 'a', v: 1 }, { name: 'b', v: 2 }], changed: ['b'], names: undefined },
    { name: 'reordered', in: [{ name: 'b', v: 2 }, { name: 'a', v: 1 }], changed: [], names: ['b', 'a'] },
    { name: 'removed', in: [{ name: 'a', v: 1 }], changed: [], names: ['a'] },
    { name: 'added', in: [{ name: 'a', v: 1 }, { name: 'c', v: 3 }], changed: ['c'], names: ['a', 'c'] },
  ];
  for (const k of cases) {
    const r = c.replaceAll(k.in);
    t.same(r.changed.map((x) => x.name), k.changed, `${k.name}: changed`);
    t.same(r.names, k.names, `${k.name}: names`);
  }
  t.same(c.values(), [{ name: 'a', v: 1 }, { name: 'c', v: 3 }]);
});

t.test('upsert and modify', async (t) => {
  const c = new NamedCollection<Item>();
  t.equal(c.upsert({ name: 'a', v: 1 }), 'added');
  t.equal(c.upsert({ name: 'a', v: 1 }), 'unchanged');
  t.equal(c.upsert({ name: 'a', v: 2 }), 'changed');
  t.equal(c.modify('a', (x) => ({ ...x, v: 5 })), true);
  t.equal(c.modify('zz', (x) => x), false);
  t.equal(c.upsert({ name: 'a', v: 5 }), 'unchanged', 'modify updated the stored serialisation');
  t.same(c.names, ['a']);
});
