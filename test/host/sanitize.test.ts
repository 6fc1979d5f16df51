/**
 * printable(): which characters reach a terminal as they are. Checked over every UTF-16 code
 * unit against the rule as written (src/host/sanitize.ts), so the fast path cannot drift.
 */
import t from 'tap';
import { jsonForTerminal, printable } from '../../src/host/sanitize.js';

function mustEscape(u: number): boolean {
  return (
    u < 0x20 || // C0
    u === 0x7f || // DEL
    (u >= 0x80 && u <= 0x9f) || // C1 (0x9b is CSI on a UTF-8 terminal)
    (u >= 0xd800 && u <= 0xdfff) || // lone surrogates, undecodable bytes
    u === 0x061c || // ALM (Arabic letter mark), a bidi control like LRM and RLM
    u === 0x200e ||
    u === 0x200f || // LRM, RLM
    (u >= 0x2028 && u <= 0x202e) || // line/paragraph separators, bidi embeddings and overrides
    (u >= 0x2066 && u <= 0x2069) // bidi isolates
  );
}

t.test('every code unit, alone and inside a line', (t) => {
  const wrong: string[] = [];
  for (let u = 0; u <= 0xffff; u++) {
    const ch = String.fromCharCode(u);
    for (const s of [ch, `tcp 198.18.0.1:22 ${ch} 1234/sshd`]) {
      const escaped = printable(s) !== s;
      if (escaped !== mustEscape(u)) wrong.push(u.toString(16));
    }
  }
  t.same(wrong, [], 'escaped exactly the listed characters');
  t.end();
});

t.test('escapes are visible and inert', (t) => {
  t.equal(printable('a\x1b[31mred'), 'a\\x1b[31mred');
  t.equal(printable('\u009b2J'), '\\u009b2J');
  t.equal(printable('\u202egnp.exe'), '\\u202egnp.exe');
  t.equal(printable('😀 ok'), '😀 ok', 'a well-formed pair is printable');
  t.end();
});

t.test('JSON: every code unit parses back the same, and nothing printable() escapes is left raw', (t) => {
  const wrong: string[] = [];
  for (let u = 0; u <= 0xffff; u++) {
    const s = `a${String.fromCharCode(u)}b`;
    for (const indent of [undefined, 2]) {
      const json = jsonForTerminal(JSON.stringify({ [s]: [s] }, null, indent));
      const back = JSON.parse(json) as Record<string, string[]>;
      if (back[s]?.[0] !== s) wrong.push(`${u.toString(16)}: changed`);
      // Outside strings JSON has only its own ASCII and, indented, line feeds.
      const raw = [...json].some((c) => c !== '\n' && mustEscape(c.charCodeAt(0)) && !/[\ud800-\udfff]/.test(c));
      if (raw || /[\ud800-\udfff]/.test(json)) wrong.push(`${u.toString(16)}: left raw`);
    }
  }
  t.same(wrong, [], 'every code unit');
  t.equal(jsonForTerminal('{"a":"x"}'), '{"a":"x"}', 'plain JSON is returned as it is');
  t.equal(jsonForTerminal(JSON.stringify('\u009b2J\u202e\x7f')), '"\\u009b2J\\u202e\\u007f"');
  t.end();
});
