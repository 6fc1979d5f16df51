/**
 * The pieces under the screen: number and time formats, the one-column cell rule (checked over
 * every BMP code unit, and against blessed's own width tables, since blessed lays the cells out),
 * endpoint names, column placement and segment fitting.
 */
import { createRequire } from 'node:module';
import t from 'tap';
import { bits, bitsRaw, bytes, clock, count, duration, grouped, perSecond, percent, utc } from '../../src/tui/format.js';
import { serviceProto, showEndpoint, showHost, splitEndpoint } from '../../src/tui/names.js';
import { cell, fitEnd, fitMiddle, isOneColumn } from '../../src/tui/sanitize.js';
import { type Column, placeColumns } from '../../src/tui/table.js';
import { escapeTags, fitSegments, makeTheme } from '../../src/tui/theme.js';
import { HISTORY_MEANING, STATE_MEANING } from '../../src/tui/detail.js';
import { shareBar } from '../../src/tui/protocols.js';
import { bars, timeAxis } from '../../src/tui/chart.js';
import { computeLayout } from '../../src/tui/layout.js';
import { lookup } from './helpers.js';

const theme = makeTheme(true, true);
const ascii = makeTheme(false, false);

t.test('bytes: IEC, three figures, as iftop', (t) => {
  const cases: [number, string][] = [
    [0, '0B'],
    [999, '999B'],
    [1000, '0.98KiB'],
    [1024, '1.00KiB'],
    [1536, '1.50KiB'],
    [10_240, '10.0KiB'],
    [1_023_487, '999KiB'],
    [1_023_999, '0.98MiB'],
    [1_048_576, '1.00MiB'],
    [135_135_120, '129MiB'],
    [5 * 1024 ** 4, '5.00TiB'],
    [-1, '-'],
    [NaN, '-'],
  ];
  for (const [n, s] of cases) t.equal(bytes(n), s, `${n}`);
  for (let n = 1; n < 1e18; n *= 3.7) t.ok(bytes(n).length <= 7, `bytes(${n}) = ${bytes(n)} fits 7`);
  t.end();
});

t.test('bits: bytes/s shown as SI bits/s', (t) => {
  t.equal(bits(0), '0b');
  t.equal(bits(100), '800b');
  t.equal(bits(125), '1.00kb');
  t.equal(bits(2_210_000), '17.7Mb');
  t.equal(bits(125_000_000), '1.00Gb');
  t.equal(bitsRaw(28_800_000), '28.8Mb');
  for (let n = 1; n < 1e18; n *= 3.7) t.ok(bits(n).length <= 7, `bits(${n}) = ${bits(n)} fits 7`);
  t.end();
});

t.test('counts, rates, grouping, percentages', (t) => {
  t.equal(count(999), '999');
  t.equal(count(1000), '1.00k');
  t.equal(count(139_754), '140k');
  t.equal(count(1_245_433), '1.25M');
  t.equal(perSecond(0), '0');
  t.equal(perSecond(0.5), '0.5');
  t.equal(perSecond(9.94), '9.9');
  t.equal(perSecond(12.4), '12');
  t.equal(perSecond(1530), '1.53k');
  t.equal(grouped(0), '0');
  t.equal(grouped(999), '999');
  t.equal(grouped(1000), '1,000');
  t.equal(grouped(131_530_000), '131,530,000');
  t.equal(grouped(-1234), '-1,234');
  t.equal(percent(1, 3), '33.3%');
  t.equal(percent(4567, 1_250_000), '0.37%');
  t.equal(percent(0, 5), '0.0%');
  t.equal(percent(5, 5), '100%');
  t.equal(percent(1, 0), '-');
  t.end();
});

t.test('durations, clocks and UTC times', (t) => {
  t.equal(duration(0.25), '0.25s');
  t.equal(duration(4.2), '4.2s');
  t.equal(duration(59.9), '59s');
  t.equal(duration(62), '1m02s');
  t.equal(duration(3720), '1h02m');
  t.equal(duration(3 * 86400 + 4 * 3600), '3d04h');
  t.equal(duration(-5), '0.00s', 'never negative');
  t.equal(clock(0), '0:00:00');
  t.equal(clock(299.75), '0:04:59');
  t.equal(clock(100_000), '27:46:40');
  t.equal(utc(1795694400), '2026-11-26 12:00:00');
  t.equal(utc(1795694400.25, true), '2026-11-26 12:00:00.250000');
  t.equal(utc(1e15), '1000000000000000', 'beyond year 9999: seconds');
  t.end();
});

t.test('cell: every character left is drawn one column wide', (t) => {
  const require = createRequire(import.meta.url);
  // blessed lays the cells out with its own tables: a character we keep must be one column there.
  const unicode = require('blessed/lib/unicode.js') as { charWidth(s: string, i?: number): number; combining: Record<number, boolean> };
  const wrong: string[] = [];
  for (let u = 0; u <= 0xffff; u++) {
    const ch = String.fromCharCode(u);
    const out = cell(`a${ch}b`);
    const kept = out === `a${ch}b`;
    if (kept !== isOneColumn(u)) wrong.push(`${u.toString(16)}: kept ${kept}`);
    if (kept && u >= 0x20 && (unicode.charWidth(ch) !== 1 || unicode.combining[u])) wrong.push(`${u.toString(16)}: blessed width ${unicode.charWidth(ch)}`);
    for (let i = 0; i < out.length; i++) if (!isOneColumn(out.charCodeAt(i))) wrong.push(`${u.toString(16)}: left ${out.charCodeAt(i).toString(16)}`);
  }
  t.same(wrong.slice(0, 20), [], 'kept exactly the one-column characters, and blessed agrees');
  t.end();
});

t.test('cell: hostile text becomes inert, visible escapes', (t) => {
  t.equal(cell('666/\x1b[2J\x1b]0;pwned\x07evil\u202egnp.exe'), '666/\\x1b[2J\\x1b]0;pwned\\x07evil\\u202egnp.exe');
  t.equal(cell('\u009b2J'), '\\u009b2J', 'C1 CSI');
  t.equal(cell('rocket\u{1f680}'), 'rocket\\u{1f680}', 'astral: width varies by terminal');
  t.equal(cell('中文'), '\\u4e2d\\u6587', 'wide');
  t.equal(cell('x\u0301'), 'x\\u0301', 'combining mark');
  t.equal(cell('a\u200bb\u00a0c\u00add'), 'a\\u200bb\\u00a0c\\u00add', 'zero width, no-break space, soft hyphen');
  t.equal(cell('\ud800x'), '\\ud800x', 'lone surrogate');
  t.equal(cell('\udcff'), '\\xff', 'an undecodable byte from /proc');
  t.equal(cell('café naïve Ωμέγα Привет'), 'café naïve Ωμέγα Привет', 'letters stay');
  t.equal(cell('{red-fg}x{/}'), '{red-fg}x{/}', 'braces are text here; escapeTags makes them inert for blessed');
  t.equal(escapeTags('{red-fg}x{/}'), '{open}red-fg{close}x{open}/{close}');
  t.end();
});

t.test('fitting cells', (t) => {
  const g = theme.glyphs;
  t.equal(fitEnd('abcdef', 6, g), 'abcdef');
  t.equal(fitEnd('abcdef', 4, g), 'abc…');
  t.equal(fitEnd('abcdef', 1, g), '…');
  t.equal(fitEnd('abcdef', 0, g), '');
  t.equal(fitMiddle('[2001:db8:ffff::443]:443', 20, g), '[2001:db8:…:443]:443', 'keeps the port');
  t.equal(fitMiddle('[2001:db8:ffff::443]:443', 20, g).length, 20);
  t.equal(fitMiddle('abcdef', 3, ascii.glyphs), 'ab~');
  t.end();
});

t.test('endpoints: split, names and services', (t) => {
  t.same(splitEndpoint('198.18.0.1:80'), { host: '198.18.0.1', port: '80', bracketed: false });
  t.same(splitEndpoint('[2001:db8::1]:443'), { host: '2001:db8::1', port: '443', bracketed: true });
  t.same(splitEndpoint('198.18.0.9'), { host: '198.18.0.9', port: null, bracketed: false });
  t.same(splitEndpoint('2001:db8::9'), { host: '2001:db8::9', port: null, bracketed: false });
  t.same(splitEndpoint('02:00:00:00:00:01'), { host: '02:00:00:00:00:01', port: null, bracketed: false });
  t.same(splitEndpoint('0.0.0.0:*'), { host: '0.0.0.0', port: '*', bracketed: false });
  t.equal(serviceProto('tcp6'), 'tcp');
  t.equal(serviceProto('udpl'), 'udp');
  t.equal(serviceProto('icmp'), null);
  const off = { names: false, services: false };
  const both = { names: true, services: true };
  t.equal(showEndpoint('198.18.0.10:51234', 'tcp', off, lookup), '198.18.0.10:51234');
  t.equal(showEndpoint('203.0.113.5:443', 'tcp', both, lookup), 'www.example.com:https');
  t.equal(showEndpoint('203.0.113.5:443', 'tcp', { names: false, services: true }, lookup), '203.0.113.5:https');
  t.equal(showEndpoint('[2001:db8:ffff::443]:443', 'tcp', { names: false, services: true }, lookup), '[2001:db8:ffff::443]:https');
  t.equal(showEndpoint('[2001:db8:ffff::443]:443', 'tcp', both, lookup), 'v6.example.net:https');
  t.equal(showEndpoint('198.18.0.20', 'icmp', both, lookup), '198.18.0.20', 'no name known, no port');
  t.equal(showEndpoint('198.18.0.10:53', 'icmp', both, lookup), 'sensor.lab.example:53', 'no services for icmp');
  t.equal(showEndpoint('0.0.0.0:*', 'tcp', both, lookup), '0.0.0.0:*');
  t.equal(showEndpoint('203.0.113.5:443', 'tcp', both, {}), '203.0.113.5:443', 'no lookups: numbers');
  t.equal(showHost('203.0.113.5', both, lookup), 'www.example.com');
  t.equal(showHost('203.0.113.5', off, lookup), '203.0.113.5');
  t.end();
});

t.test('columns: dropped by priority, flexible ones share the rest', (t) => {
  const col = (title: string, width: Column<string>['width'], drop: number): Column<string> => ({ title, width, align: 'l', drop, value: (r) => r });
  const cols = [col('a', { min: 10, max: 30, weight: 1 }, 0), col('b', 5, 2), col('c', 5, 1), col('d', { min: 10, max: 20, weight: 1 }, 3)];
  const widths = (w: number): string => placeColumns(cols, w).map((p) => `${p.col.title}${p.width}`).join(' ');
  t.equal(widths(100), 'a30 b5 c5 d20', 'all at their max');
  t.equal(widths(40), 'a14 b5 c5 d13', 'shared by weight');
  t.equal(widths(33), 'a10 b5 c5 d10', 'all at their minimum');
  t.equal(widths(32), 'a20 b5 c5', 'd dropped first, its room to a');
  t.equal(widths(22), 'a10 b5 c5', 'min widths');
  t.equal(widths(16), 'a10 c5', 'then b');
  t.equal(widths(5), 'a5', 'a single column is cut to the panel');
  let total = 0;
  for (let w = 5; w < 120; w++) {
    const p = placeColumns(cols, w);
    total = p.reduce((n, x) => n + x.width, 0) + p.length - 1;
    t.ok(total <= w, `fits in ${w}`);
  }
  t.end();
});

t.test('segments: short forms, then drops, flexible ones cut, never wider than asked', (t) => {
  const text = (w: number): string =>
    fitSegments(
      [
        { text: 'wirestat', drop: 0 },
        { text: 'replay a-very-long-capture-file-name.pcapng', drop: 0, flex: true },
        { text: 'EN10MB', drop: 5 },
        { text: 'filter: tcp port 443', short: 'filtered', drop: 3 },
      ],
      w,
      theme,
    )
      .map((s) => s.text)
      .join('');
  t.equal(text(200), 'wirestat  replay a-very-long-capture-file-name.pcapng  EN10MB  filter: tcp port 443');
  t.equal(text(78), 'wirestat  replay a-very-long-capture-file-name.pcapng  EN10MB  filtered');
  t.equal(text(64), 'wirestat  replay a-very-long-capture-file-name.pcapng  filtered');
  t.equal(text(40), 'wirestat  replay a-very-l…le-name.pcapng');
  for (let w = 0; w < 100; w++) t.ok(text(w).length <= w, `fits ${w}`);
  t.end();
});

t.test('meanings of every TCP state and history letter', (t) => {
  for (const s of 'S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH'.split(' ')) t.ok(STATE_MEANING[s], s);
  for (const h of 'shadfrtwiq^') t.ok(HISTORY_MEANING[h], h);
  t.end();
});

t.test('bars, share bars and the time axis', (t) => {
  t.same(bars([0, 4, 8], 5, 1, 8, theme), ['   ▄█'], 'one row, right-aligned, in eighths');
  t.same(bars([0, 8, 16], 3, 2, 16, theme), ['  █', ' ██'], 'two rows, top first');
  t.same(bars([1, 2, 3], 2, 1, 3, ascii), ['|#'], 'the last two values, ASCII');
  t.equal(bars([5, 5], 2, 1, 0, theme)[0], '  ', 'no peak: nothing drawn');
  t.equal(shareBar(1, 4, theme), '████');
  t.equal(shareBar(0.5, 3, theme), '█▌');
  t.equal(shareBar(0.5, 3, ascii), '#-');
  t.equal(timeAxis(73), '          -1m                          -30s                           now');
  t.equal(timeAxis(73).length, 73);
  t.end();
});

t.test('layout: compact below 160x40, wide from it, a message below 40x10', (t) => {
  t.equal(computeLayout(80, 24, 'conversations').mode, 'compact');
  t.equal(computeLayout(159, 60, 'conversations').mode, 'compact');
  t.equal(computeLayout(200, 39, 'conversations').mode, 'compact');
  t.equal(computeLayout(160, 40, 'conversations').mode, 'wide');
  t.equal(computeLayout(39, 24, 'conversations').mode, 'tiny');
  const w = computeLayout(200, 60, 'sockets');
  t.same([...w.panels.keys()], ['conversations', 'sockets', 'endpoints', 'protocols', 'chart']);
  const c = computeLayout(80, 24, 'sockets');
  t.same([...c.panels.keys()], ['sockets'], 'compact: the focused panel only');
  t.same(c.panels.get('sockets'), { top: 3, left: 0, width: 80, height: 20 });
  t.end();
});
