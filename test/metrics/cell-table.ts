import t from 'tap';
import { CellTable } from '../../src/metrics/cell-table.js';

void t.test('rows of zeros that keep their cells when the table grows', (t) => {
  const table = new CellTable(3, 2);
  const rows = Array.from({ length: 9 }, () => table.add());
  t.same(rows, [0, 3, 6, 9, 12, 15, 18, 21, 24], 'each row starts where the previous one ends');
  t.ok(table.cells.length >= 27, 'room for every row');
  t.ok(table.cells.subarray(0, 27).every((v) => v === 0), 'new rows are zeros');
  const grown = new CellTable(2, 1);
  const first = grown.add();
  grown.cells[first + 1] = 7;
  const before = grown.cells;
  const second = grown.add();
  t.not(grown.cells, before, 'a bigger array');
  t.equal(grown.cells[first + 1], 7, 'the first row kept its value');
  t.equal(grown.cells[second], 0);
  t.equal(table.width, 3);
  t.end();
});
