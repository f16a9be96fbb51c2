import t from 'tap';
import { fitCell, padPieces, renderLine, visibleLength } from '../../src/maglevt/styled-line.js';

t.test('fitCell', async (t) => {
  const cases: { text: string; width: number; align?: 'left' | 'right'; want: string }[] = [
    { text: 'web', width: 5, want: 'web  ' },
    { text: 'web', width: 5, align: 'right', want: '  web' },
    { text: 'web4', width: 4, want: 'web4' },
    { text: 'frontend', width: 5, want: 'fron…' },
    { text: 'frontend', width: 1, want: 'f' },
    { text: 'frontend', width: 0, want: '' },
    { text: 'µs±', width: 4, want: 'µs± ' },
  ];
  for (const c of cases) t.equal(fitCell(c.text, c.width, c.align), c.want, `${c.text}/${c.width}/${c.align ?? 'left'}`);
});

t.test('renderLine cuts by visible characters and styles only with colour', async (t) => {
  const pieces = [{ text: 'abc' }, { text: 'def', style: '31' }, { text: 'ghi' }];
  const cases: { width: number; color: boolean; want: string }[] = [
    { width: 20, color: false, want: 'abcdefghi' },
    { width: 20, color: true, want: 'abc\x1b[31mdef\x1b[0mghi' },
    { width: 4, color: true, want: 'abc\x1b[31md\x1b[0m' },
    { width: 3, color: true, want: 'abc' },
    { width: 0, color: true, want: '' },
  ];
  for (const c of cases) t.equal(renderLine(pieces, c.width, c.color), c.want, `width ${c.width} colour ${c.color}`);
});

t.test('padPieces and visibleLength', async (t) => {
  t.same(padPieces([{ text: 'ab' }], 5, '7'), [{ text: 'ab' }, { text: '   ', style: '7' }]);
  t.same(padPieces([{ text: 'abcdef' }], 5), [{ text: 'abcdef' }]);
  t.equal(visibleLength('±10%'), 4);
});
