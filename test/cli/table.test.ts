/**
 * Plain-text tables (src/cli/table.ts): columns line up, and a report of any length prints.
 */
import t from 'tap';
import { formatTable } from '../../src/cli/table.js';

t.test('columns sized to the widest cell, numbers right-aligned, no trailing spaces', (t) => {
  t.equal(
    formatTable(['Proto', 'A', 'Pkts'], [['tcp', '198.18.0.1:22', '7'], ['udp', 'x', '1200']], ['l', 'l', 'r']),
    ['Proto  A              Pkts', 'tcp    198.18.0.1:22     7', 'udp    x              1200'].join('\n'),
  );
  t.end();
});

t.test('more rows than a call takes arguments (the widths were a spread of every row)', (t) => {
  const rows = Array.from({ length: 300_000 }, (_, i) => ['tcp', `198.18.${i >> 8 & 0xff}.${i & 0xff}:${i % 65536}`, String(i)]);
  const text = formatTable(['Proto', 'A', 'N'], rows, ['l', 'l', 'r']);
  t.equal(text.split('\n').length, rows.length + 1);
  t.end();
});
