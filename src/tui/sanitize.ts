/**
 * Every string that reaches the screen from the wire, /proc, a resolver or the keyboard goes
 * through `cell()` once, and then holds only characters every terminal draws exactly one column
 * wide. That is the contract the rest of src/tui relies on: a cell's width is its `length`, so
 * columns line up and nothing spills into the next panel.
 *
 * Terminal safety has one set of rules, `printable()`'s (src/host/sanitize.ts): what could drive a
 * terminal becomes a visible escape (C0/C1 controls, DEL, lone surrogates and undecodable bytes,
 * bidi controls, line separators). A cell applies them through `printable()` and `isOneColumn`
 * asks `mustEscape` first, so neither restates them and a rule added there holds here too. On top
 * of them, a cell escapes what would break the one-column rule or hide in it:
 *  - characters outside the Basic Multilingual Plane (emoji and the rest): terminals disagree on
 *    their width, and blessed without full-Unicode mode draws them as `?` → `\u{1f600}`;
 *  - East Asian wide and fullwidth characters (two columns) → `\u4e2d`;
 *  - combining marks and format characters (zero columns: a name of a hundred combining marks
 *    stacks on one letter; zero-width joiners and soft hyphens hide between letters) → `\u0301`;
 *  - private-use and unassigned code points (their width depends on the font) and spaces other
 *    than U+0020 (no-break and ideographic spaces look like a plain one) → `\u00a0`.
 * The escapes are plain ASCII, so they obey the rule themselves. Backslash stays as it is, as in
 * `printable`.
 */
import { mustEscape, printable } from '../host/sanitize.js';

/**
 * Blessed's own wide table (lib/unicode.js chars.wide) merged with Unicode's East Asian Wide and
 * Fullwidth ranges of the BMP, and the BMP characters with default emoji presentation (two
 * columns in current terminals, one in older ones: ambiguous, so escaped).
 */
const WIDE_BMP: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
];

/**
 * Zero columns in blessed's table (lib/unicode.js, Markus Kuhn's wcwidth) though not marks or
 * format characters in Unicode's: the conjoining Hangul vowels and finals (they join the
 * syllable before them) and U+06DE.
 */
function isBlessedZeroWidth(u: number): boolean {
  return u === 0x06de || (u >= 0x1160 && u <= 0x11ff) || (u >= 0xd7b0 && u <= 0xd7ff);
}

function isWideBmp(u: number): boolean {
  if (u < 0x1100) return false;
  for (const [lo, hi] of WIDE_BMP) {
    if (u < lo) return false;
    if (u <= hi) return true;
  }
  return false;
}

/**
 * Zero-width, font-dependent or look-alike code points (see the file comment). Controls,
 * surrogates and line separators are `mustEscape`'s; format characters (Cf) are here for their
 * width, and include the bidi controls again only because Unicode files those under Cf too.
 */
const NOT_ONE_COLUMN = /[\p{M}\p{Cf}\p{Co}\p{Cn}]|(?! )\p{Zs}/u;
/** Everything below U+0300 that is not a control, soft hyphen or no-break space is one column. */
const SIMPLE = /^[\x20-\x7e\u00a1-\u00ac\u00ae-\u02ff]*$/;

/** Whether `u` (a UTF-16 code unit, BMP) is drawn exactly one column wide by every terminal. */
export function isOneColumn(u: number): boolean {
  if (u >= 0x20 && u < 0x7f) return true;
  // A surrogate, even of a well-formed pair: astral characters are escaped (file comment).
  if (mustEscape(u)) return false;
  if (isWideBmp(u) || isBlessedZeroWidth(u)) return false;
  return !NOT_ONE_COLUMN.test(String.fromCharCode(u));
}

const HEX = '0123456789abcdef';
function hex4(v: number): string {
  return HEX[(v >> 12) & 0xf]! + HEX[(v >> 8) & 0xf]! + HEX[(v >> 4) & 0xf]! + HEX[v & 0xf]!;
}

/** Calls of `cell()`: the render-cost tests count them (rows off-screen must cost nothing). */
export const cellCalls = { n: 0 };

/** `s` made safe and one column per character (the file comment's rules). */
export function cell(s: string): string {
  cellCalls.n++;
  if (SIMPLE.test(s)) return s;
  const p = printable(s);
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const u = p.charCodeAt(i);
    if (isOneColumn(u)) {
      out += p[i];
      continue;
    }
    // printable() left only well-formed pairs among the surrogates.
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < p.length) {
      out += `\\u{${p.codePointAt(i)!.toString(16)}}`;
      i++;
      continue;
    }
    out += `\\u${hex4(u)}`;
  }
  return out;
}

/** The ellipsis a cut string ends (or is cut in the middle) with. */
export interface Glyphs {
  ellipsis: string;
}

/** `s` (already a cell) cut to `width` columns at the end, the cut marked. */
export function fitEnd(s: string, width: number, g: Glyphs): string {
  if (width <= 0) return '';
  if (s.length <= width) return s;
  if (width === 1) return g.ellipsis;
  return s.slice(0, width - 1) + g.ellipsis;
}

/**
 * `s` cut to `width` columns in the middle: for addresses, whose end (the port, the last
 * groups of an IPv6 address) says as much as their start.
 */
export function fitMiddle(s: string, width: number, g: Glyphs): string {
  if (width <= 0) return '';
  if (s.length <= width) return s;
  if (width < 4) return fitEnd(s, width, g);
  const tail = Math.floor((width - 1) / 2);
  const head = width - 1 - tail;
  return s.slice(0, head) + g.ellipsis + s.slice(s.length - tail);
}

/** `s` (a cell, at most `width` long) padded to `width`, left- or right-aligned. */
export function pad(s: string, width: number, align: 'l' | 'r'): string {
  if (s.length >= width) return s;
  return align === 'r' ? ' '.repeat(width - s.length) + s : s + ' '.repeat(width - s.length);
}
