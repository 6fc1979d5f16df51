/**
 * Plain-text tables (src/cli/table.ts): columns line up, and a report of any length prints.
 */
import t from 'tap';
import { formatTable, MAX_CELL } from '../../src/cli/table.js';

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

t.test('cells are sanitised to one column a character and cut at MAX_CELL', (t) => {
  const text = formatTable(
    ['Program', 'Pkts'],
    [
      ['\x1b]52;c;cm0=\x07evil', '1'],
      ['中文程序', '2'],
      [`x${'\u0301'.repeat(50)}`, '3'],
      ['a'.repeat(500), '4'],
    ],
    ['l', 'r'],
  );
  const lines = text.split('\n');
  t.notMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, 'no control character');
  t.match(lines[1], /^\\x1b\]52;c;cm0=\\x07evil +1$/);
  t.match(lines[2], /^\\u4e2d\\u6587\\u7a0b\\u5e8f +2$/, 'wide characters escaped: the padding counts columns');
  t.ok(lines.every((l) => l.length === lines[0]!.length), 'every row as long as the header: the columns line up');
  t.equal(lines[4]!.split(' ')[0]!.length, MAX_CELL, `a long cell is cut to ${MAX_CELL} columns`);
  t.ok(lines[4]!.includes('…'), 'the cut is marked');
  t.end();
});
