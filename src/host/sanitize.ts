/**
 * Text from /proc is bytes a process chose (its argv, a socket path) and may hold anything:
 * invalid UTF-8, control bytes, whole terminal escape sequences. Two rules here:
 *
 * 1. Bytes survive decoding. `decodeProc` reads UTF-8 and keeps every byte that is not part of a
 *    valid sequence as a lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"), so
 *    `encodeProc(decodeProc(b))` gives `b` back and widths can be counted in bytes, as netstat's
 *    printf("%-20s") counts them.
 * 2. Nothing reaches a terminal raw. `printable` rewrites what could drive a terminal or mislead
 *    a reader into visible escapes:
 *      - C0 controls U+0000..U+001F and DEL U+007F → `\xNN` (so ESC, the start of every escape
 *        sequence, becomes the four characters `\x1b` and the rest of the sequence is inert text);
 *      - C1 controls U+0080..U+009F (a UTF-8 terminal may act on U+009B CSI) → `\u00NN`;
 *      - undecodable bytes (the surrogate escapes above) → `\xNN` of the byte;
 *      - other lone surrogates, Unicode's bidirectional controls (Bidi_Control: embeddings and
 *        overrides U+202A..U+202E, isolates U+2066..U+2069, the marks U+200E, U+200F and U+061C)
 *        and line/paragraph separators (U+2028, U+2029) → `\uNNNN`.
 *    Backslash itself is left alone: ordinary names stay byte-identical to what netstat prints,
 *    at the price that a name holding the text `\x1b` reads like one holding ESC.
 *    These are the terminal-safety rules, and the only ones: the TUI's `cell()` (src/tui/sanitize.ts)
 *    applies them through `printable` and adds only width rules; JSON output keeps its strings
 *    exact and is made safe by `jsonForTerminal` below, which escapes the same characters.
 *    Zero-width and other format characters (ZWJ, ZWNJ, soft hyphen) stay: they drive no terminal,
 *    and names in several scripts need them; `cell()` escapes them where a column must be exact.
 */

const SURROGATE_ESCAPE_BASE = 0xdc00;
const ASCII = /^[\x00-\x7f]*$/;
/** Any character `mustEscape` accepts (kept in step with it; a test checks every code unit). */
const NEEDS_ESCAPE = /[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** UTF-8 to a string, each byte of an invalid sequence kept as U+DC00+byte. */
export function decodeProc(bytes: Uint8Array): string {
  let out = '';
  let run = 0; // start of the current stretch of plain ASCII, appended in one go
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (run < i) out += latin1(bytes, run, i);
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      out += String.fromCharCode(SURROGATE_ESCAPE_BASE + b);
      i++;
    } else {
      out += String.fromCodePoint(codePointAt(bytes, i, len));
      i += len;
    }
    run = i;
  }
  if (run < n) out += latin1(bytes, run, n);
  return out;
}

/** Bytes below 0x80 as text, natively: /proc/net/tcp with 10,000 sockets is 1.5 MB of them. */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', from, to);
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode 15 table 3-7), 0 if there is none. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no encoded surrogates
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function codePointAt(b: Uint8Array, i: number, len: number): number {
  if (len === 2) return ((b[i]! & 0x1f) << 6) | (b[i + 1]! & 0x3f);
  if (len === 3) return ((b[i]! & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
  return ((b[i]! & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
}

function isByteEscape(u: number): boolean {
  return u >= SURROGATE_ESCAPE_BASE + 0x80 && u <= SURROGATE_ESCAPE_BASE + 0xff;
}

/** The inverse of `decodeProc`. Lone surrogates that are not byte escapes encode as U+FFFD. */
export function encodeProc(s: string): Buffer {
  const parts: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) {
      parts.push(u);
      continue;
    }
    if (isByteEscape(u)) {
      parts.push(u - SURROGATE_ESCAPE_BASE);
      continue;
    }
    let cp = u;
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const v = s.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) {
        cp = 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x800) parts.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) parts.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else parts.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Buffer.from(parts);
}

/** Bytes `s` takes once encoded: what C's printf widths and strncpy lengths count. */
export function byteLength(s: string): number {
  // Most cells are ASCII: one byte per character.
  if (ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80 || isByteEscape(u)) n += 1;
    else if (u < 0x800) n += 2;
    else if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The first `n` bytes of `s` (a cut through a character leaves its bytes as escapes), as strncpy. */
export function sliceBytes(s: string, n: number): string {
  if (byteLength(s) <= n) return s;
  return decodeProc(encodeProc(s).subarray(0, Math.max(0, n)));
}

/** `s` left-aligned in a field of `width` bytes, as printf("%-*s"): never truncated. */
export function padBytes(s: string, width: number): string {
  const len = byteLength(s);
  return len >= width ? s : s + ' '.repeat(width - len);
}

const HEX = '0123456789abcdef';

function hex2(v: number): string {
  return HEX[(v >> 4) & 0xf]! + HEX[v & 0xf]!;
}

function hex4(v: number): string {
  return hex2(v >> 8) + hex2(v);
}

/**
 * Whether `printable` escapes the UTF-16 code unit `u` (the rules above). A surrogate is escaped
 * unless it is half of a well-formed pair, which the caller must see for itself.
 */
export function mustEscape(u: number): boolean {
  return (
    u < 0x20 ||
    (u >= 0x7f && u <= 0x9f) ||
    (u >= 0xd800 && u <= 0xdfff) ||
    u === 0x061c ||
    u === 0x200e ||
    u === 0x200f ||
    (u >= 0x2028 && u <= 0x202e) ||
    (u >= 0x2066 && u <= 0x2069)
  );
}

/** `s` with everything that could act on a terminal shown as an escape (rules above). */
export function printable(s: string): string {
  // Nearly every line needs nothing: one native scan says so (the loop below is per character).
  if (!NEEDS_ESCAPE.test(s)) return s;
  let i = 0;
  for (; i < s.length; i++) if (mustEscape(s.charCodeAt(i))) break;
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (!mustEscape(u)) {
      out += s[i];
      continue;
    }
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const v = s.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) {
        out += s[i]! + s[i + 1]!; // a well-formed pair: an astral character, printable
        i++;
        continue;
      }
    }
    if (u < 0x20 || u === 0x7f) out += `\\x${hex2(u)}`;
    else if (isByteEscape(u)) out += `\\x${hex2(u - SURROGATE_ESCAPE_BASE)}`;
    else out += `\\u${hex4(u)}`;
  }
  return out;
}

/**
 * What JSON.stringify leaves raw that `printable` would escape: DEL, the C1 controls (U+009B is
 * CSI to a terminal that takes 8-bit controls), the bidirectional controls and the line
 * separators. It already writes C0 controls and lone surrogates as `\uNNNN`.
 */
const RAW_IN_JSON = /[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const RAW_IN_JSON_ALL = new RegExp(RAW_IN_JSON.source, 'g');

/**
 * JSON text (JSON.stringify's output) with those characters written as `\uNNNN` escapes too. They
 * can stand only inside strings, where the escape is the same character: the document parses to
 * exactly the same value, and holds nothing a terminal would act on. For every JSON wirestat
 * prints, to a terminal or not: JSON is for scripts, but a pipe into `less -R` or a file that is
 * `cat` later reaches a terminal all the same, and a script cannot tell the difference.
 */
export function jsonForTerminal(json: string): string {
  if (!RAW_IN_JSON.test(json)) return json;
  return json.replace(RAW_IN_JSON_ALL, (c) => `\\u${hex4(c.charCodeAt(0))}`);
}
