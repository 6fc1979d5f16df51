/**
 * Issue 8, terminal safety: whatever a process name, a host name or a string from a packet holds,
 * what wirestat shows has no control code point in it and stays in its column.
 *
 * Inputs: each of the 256 byte values as a Latin-1 code unit, and as it arrives through a UTF-8
 * decode of bytes (decodeProc, the /proc path, which keeps invalid bytes as U+DC80..U+DCFF; and
 * Buffer's decoder, the path of DNS answers and JSON files, which makes them U+FFFD), alone and
 * followed by continuation bytes that complete or break a sequence (C2 9B is U+009B, 8-bit CSI);
 * then terminal sequences (CSI, 8-bit CSI, OSC 52 with BEL and with ST, OSC 8, DCS, SOS, PM,
 * APC), bidi overrides, embeddings, isolates and marks, zero-width characters, lone surrogates,
 * line separators, blessed tags, wide and combining characters; then random mixes of all of
 * these from a seeded PRNG (SANITIZE_SEED=N replays a run; the seed is in every failure).
 *
 * Paths, each the real renderer:
 *  (a) the dashboard (TuiApp on a fake terminal, 200x60 and 80x24): every panel, names on and
 *      off, totals, the detail view, the filter prompt and its error. Checked: what the app hands
 *      blessed, the cells blessed laid out (one column each, by blessed's own width table and
 *      Unicode's categories), and the bytes written to the terminal (only blessed's own cursor
 *      and colour sequences); the columns right of a hostile cell stay under their titles;
 *  (b) the report text, compare text, CSV and the headless dashboard lines, from a real report
 *      (the demo capture joined with its host snapshot) with hostile strings put in; JSON keeps
 *      every string exactly (it parses back equal) yet holds no control code point either;
 *  (c) wirestat netstat's listing of the crafted /proc with hostile program names, executables,
 *      host, service and user names: no control code point; the program column is bounded.
 * "Control code point": C0 (but the renderer's own line feeds), DEL, C1, lone surrogates,
 * Unicode's Bidi_Control characters, U+2028 and U+2029.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import blessed from 'blessed';
import t, { type Test } from 'tap';
import { analyzeFile } from '../../src/cli/analyze.js';
import { printCompare, runCompare } from '../../src/cli/compare.js';
import { CSV_TABLES, printCsv } from '../../src/cli/print-csv.js';
import { printText } from '../../src/cli/print-text.js';
import { hostJoin, printReport } from '../../src/cli/report.js';
import { formatTick } from '../../src/cli/text-mode.js';
import { defaultFlags, type NetstatFlags } from '../../src/host/flags.js';
import { formatSockets, localNames } from '../../src/host/format-sockets.js';
import { decodeProc } from '../../src/host/sanitize.js';
import { readSockets } from '../../src/host/sockets.js';
import type { DashboardView, ViewConversation, ViewEndpoint, ViewProtocol, ViewSocket } from '../../src/stats/dashboard-view.js';
import { type Report, rowsOf } from '../../src/stats/snapshot.js';
import { KEYS } from '../../src/tui/fake-terminal.js';
import { bytes, count } from '../../src/tui/format.js';
import { Prng } from '../fuzz/prng.js';
import { ROOT, rig, type Rig } from './helpers.js';
import { busy, localOf, rates, T0 } from './views.js';

const SEED = Number(process.env['SANITIZE_SEED'] ?? 20261126) >>> 0;
const RANDOM_CASES = Number(process.env['SANITIZE_CASES'] ?? 300);

// ── what must never come out ────────────────────────────────────────────────────────────────

/** A control code point other than line feed (the renderers' own line ends). */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\p{Cs}\p{Bidi_Control}\u2028\u2029]/u;

function describe(s: string): string {
  return [...s].map((c) => (/[\x20-\x7e]/.test(c) ? c : `<U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}>`)).join('');
}

/** The same without the `u` flag (so surrogate pairs match too): a fast first look. */
const MAYBE_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** The first control code point of `s` with some context, or null. */
function controlIn(s: string): string | null {
  if (!MAYBE_CONTROL.test(s)) return null;
  const m = CONTROL.exec(s);
  if (!m) return null;
  return `U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} in "${describe(s.slice(Math.max(0, m.index - 20), m.index + 20))}"`;
}

/** A character every terminal draws one column wide: blessed's table says 1, and Unicode's
 *  categories name nothing zero-wide, wide, font-dependent or look-alike. */
const NOT_ONE = /[\p{M}\p{Cf}\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Emoji_Presentation}]|(?! )\p{Zs}/u;
/** blessed's width table (lib/unicode.js), which @types/blessed does not declare. */
const unicode = (blessed as unknown as { unicode: { charWidth(s: string, i: number): number; strWidth(s: string): number; isSurrogate(s: string, i: number): boolean } }).unicode;

const oneColumnSeen = new Map<string, boolean>();
function oneColumn(ch: string): boolean {
  let ok = oneColumnSeen.get(ch);
  if (ok === undefined) {
    ok = ch.length === 1 && unicode.charWidth(ch, 0) === 1 && !NOT_ONE.test(ch);
    oneColumnSeen.set(ch, ok);
  }
  return ok;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The first character of `line` that is not one column, or null (most lines are ASCII: one scan). */
function notOneColumn(line: string): string | null {
  if (PRINTABLE_ASCII.test(line)) return null;
  for (const ch of line) if (!oneColumn(ch)) return ch;
  return null;
}

/** Display width of `s` by blessed's table (what a wcwidth terminal draws). */
function width(s: string): number {
  return unicode.strWidth(s);
}

/** The index in `line` where display column `col` starts (line.length if beyond). */
function indexAt(line: string, col: number): number {
  let w = 0;
  for (let i = 0; i < line.length; i++) {
    if (w >= col) return i;
    w += unicode.charWidth(line, i);
    if (unicode.isSurrogate(line, i)) i++;
  }
  return line.length;
}

// ── inputs ──────────────────────────────────────────────────────────────────────────────────

interface Payload {
  name: string;
  text: string;
}

/**
 * Bytes after the byte under test: none; continuation bytes that complete a sequence (after C2:
 * U+009B CSI and U+009C ST; after D8 9C: U+061C ALM; after E2: U+202E RLO, U+2066 LRI, U+2000;
 * after F0: U+10000; the largest of each length) or leave it cut; an ASCII letter after a cut.
 */
const TAILS: readonly number[][] = [[], [0x9b], [0x9c], [0x80, 0xae], [0x81, 0xa6], [0x80, 0x80], [0x90, 0x80, 0x80], [0xbf, 0xbf, 0xbf], [0x41]];

const ESC = '\x1b';
const ST = `${ESC}\\`;
const BEL = '\x07';
const SEQUENCES: readonly [string, string][] = [
  ['CSI SGR', `${ESC}[31mred${ESC}[0m`],
  ['CSI clear', `${ESC}[2J${ESC}[H`],
  ['CSI cursor and erase', `${ESC}[10;10H${ESC}[K${ESC}[?1049l`],
  ['8-bit CSI', '\u009b2J\u009b31m'],
  ['OSC 52 BEL', `${ESC}]52;c;cm0gLXJmIH4K${BEL}`],
  ['OSC 52 ST', `${ESC}]52;c;cm0gLXJmIH4K${ST}`],
  ['OSC 52 8-bit', '\u009d52;c;cm0gLXJmIH4K\u009c'],
  ['OSC 0 title', `${ESC}]0;pwned${BEL}`],
  ['OSC 8 hyperlink', `${ESC}]8;;https://example.invalid/${ST}click${ESC}]8;;${ST}`],
  ['DCS', `${ESC}P1$r0m${ST}`],
  ['DCS 8-bit', '\u00901$r0m\u009c'],
  ['DCS sixel', `${ESC}Pq#0;2;0;0;0#1!6~${ST}`],
  ['SOS', `${ESC}Xhidden${ST}`],
  ['SOS 8-bit', '\u0098hidden\u009c'],
  ['PM', `${ESC}^hidden${ST}`],
  ['PM 8-bit', '\u009ehidden\u009c'],
  ['APC', `${ESC}_hidden${ST}`],
  ['APC 8-bit', '\u009fhidden\u009c'],
  ['NEL, IND, RI', '\u0085\u0084\u008d'],
  ['ESC c reset', `${ESC}c`],
  ['ESC # 8 fill', `${ESC}#8`],
  ['charset switch', `${ESC}(0lqk${ESC}(B\x0e\x0f`],
  ['backspace overwrite', 'sshd\x08\x08\x08\x08evil'],
  ['carriage return', 'good\revil'],
  ['newline, tab, vt, ff', 'a\nb\tc\x0bd\x0ce'],
  ['NUL and DEL', 'a\x00b\x7fc'],
  ['bidi override RLO', '\u202egnp.exe'],
  ['bidi LRE RLE PDF LRO', '\u202aa\u202bb\u202cc\u202dd\u202c'],
  ['bidi isolates', '\u2066a\u2067b\u2068c\u2069'],
  ['LRM RLM ALM', 'a\u200eb\u200fc\u061cd'],
  ['zero-width space, joiners, word joiner, BOM', 'ss\u200bh\u200cd\u200d\u2060\ufeff'],
  ['soft hyphen, NBSP, ideographic space', 'ss\u00adh\u00a0d\u3000'],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
  ['lone surrogates', '\ud800a\udfffb\ude00\ud83d'],
  ['surrogate escapes', '\udc80\udc9b\udcff'],
  ['combining stack', `a${'\u0301'.repeat(100)}`],
  ['wide and emoji', '中文程序😀🚀x\u{20000}'],
  ['private use and unassigned', '\ue000\uf8ff\u0378\u{10ffff}'],
  ['Hangul jamo, variation selector', '\u1100\u1160\u11a8\ufe0f'],
  ['interlinear annotation, tags', '\ufff9a\ufffab\ufffb\u{e0041}'],
  ['blessed tags', '{red-fg}{bold}x{/}{open}{close}'],
  ['backslash escapes as text', '\\x1b[2J\\u202e'],
  ['very long', `${'a-very-long-name-'.repeat(40)}end`],
];

function latin1Payloads(): Payload[] {
  const out: Payload[] = [];
  for (let b = 0; b < 256; b++) out.push({ name: `latin1 0x${b.toString(16)}`, text: `ps${String.fromCharCode(b)}x` });
  return out;
}

function utf8Payloads(): Payload[] {
  const out: Payload[] = [];
  for (let b = 0; b < 256; b++) {
    for (const tail of TAILS) {
      const raw = Uint8Array.from([0x70, b, ...tail, 0x78]);
      const hex = [b, ...tail].map((x) => x.toString(16).padStart(2, '0')).join(' ');
      out.push({ name: `proc utf-8 ${hex}`, text: decodeProc(raw) });
      out.push({ name: `utf-8 ${hex}`, text: Buffer.from(raw).toString('utf8') });
    }
  }
  return out;
}

function sequencePayloads(): Payload[] {
  const out: Payload[] = [];
  for (const [name, s] of SEQUENCES) {
    out.push({ name, text: s });
    out.push({ name: `${name} (inside a name)`, text: `ok-${s}-ok` });
    // As bytes from /proc: the UTF-8 of the sequence, decoded back (8-bit controls arrive as C2 xx).
    out.push({ name: `${name} (via /proc)`, text: decodeProc(Buffer.from(s, 'utf8')) });
  }
  return out;
}

function randomPayloads(prng: Prng, n: number): Payload[] {
  const out: Payload[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    const pieces = prng.between(1, 10);
    for (let k = 0; k < pieces; k++) {
      switch (prng.below(7)) {
        case 0:
          s += prng.pick(SEQUENCES)[1];
          break;
        case 1:
          s += String.fromCharCode(prng.byte());
          break;
        case 2: {
          const b = new Uint8Array(prng.between(1, 8));
          prng.fill(b);
          s += decodeProc(b);
          break;
        }
        case 3: {
          const b = new Uint8Array(prng.between(1, 8));
          prng.fill(b);
          s += Buffer.from(b).toString('utf8');
          break;
        }
        case 4:
          s += String.fromCharCode(prng.below(0x10000));
          break;
        case 5:
          s += String.fromCodePoint(prng.between(0x10000, 0x10ffff));
          break;
        default:
          s += prng.pick(['sshd', 'a', '198.18.0.1', 'x'.repeat(prng.between(1, 60)), ' ', '{', '}', '\\']);
      }
    }
    out.push({ name: `random #${i} (seed ${SEED})`, text: s });
  }
  return out;
}

function allPayloads(): { payloads: Payload[]; counts: Record<string, number> } {
  const groups: Record<string, Payload[]> = {
    'latin-1 bytes': latin1Payloads(),
    'utf-8 bytes': utf8Payloads(),
    sequences: sequencePayloads(),
    random: randomPayloads(new Prng(SEED), RANDOM_CASES),
  };
  const seen = new Set<string>();
  const payloads: Payload[] = [];
  const counts: Record<string, number> = {};
  for (const [g, list] of Object.entries(groups)) {
    counts[g] = 0;
    for (const p of list) {
      if (seen.has(p.text)) continue;
      seen.add(p.text);
      payloads.push(p);
      counts[g]++;
    }
  }
  return { payloads, counts };
}

const { payloads: PAYLOADS, counts: COUNTS } = allPayloads();

function batches<T>(list: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

t.comment(`seed ${SEED} (SANITIZE_SEED=${SEED} replays it); distinct payloads: ${Object.entries(COUNTS).map(([g, n]) => `${g} ${n}`).join(', ')}`);

/** Collects failures and reports them once, each naming the payload and the seed. */
class Failures {
  readonly list: string[] = [];
  checks = 0;
  check(ok: boolean, what: () => string): void {
    this.checks++;
    if (!ok && this.list.length < 20) this.list.push(`${what()} [seed ${SEED}]`);
  }
  report(t: Test, label: string): void {
    for (const l of this.list) t.comment(l);
    t.same(this.list, [], `${label}: ${this.checks} checks`);
  }
}

// ── (a) the dashboard ───────────────────────────────────────────────────────────────────────

const BATCH = 20;

/** A dashboard view whose process names, host names and packet strings are the batch. */
function hostileView(batch: readonly Payload[]): { view: DashboardView; names: Map<string, string> } {
  const base = busy();
  const names = new Map<string, string>();
  const conversations: ViewConversation[] = [];
  const sockets: ViewSocket[] = [];
  const endpoints: ViewEndpoint[] = [];
  const protocols: ViewProtocol[] = [];
  batch.forEach((p, i) => {
    const local = `198.18.7.${i + 1}:${40000 + i}`;
    const remoteIp = `203.0.113.${i + 1}`;
    names.set(remoteIp, p.text); // the host name a resolver gave
    names.set(`198.18.7.${i + 1}`, `host-${i}.example`);
    // Odd rows: a packet string in the endpoint itself (shown raw with names off).
    const a = i % 2 === 1 ? `${p.text}:${40000 + i}` : local;
    // The top flow (most bytes) carries every payload of the batch: the detail view shows it.
    const owner = i === 0 ? `100/${batch.map((x) => x.text).join(' ')}` : `${100 + i}/${p.text}`;
    conversations.push({
      id: i + 1,
      proto: i % 3 === 0 ? 'tcp' : p.text,
      a,
      b: `${remoteIp}:443`,
      aToB: { packets: 11 + i, bytes: 100_000 - i * 1000 },
      bToA: { packets: 0, bytes: 0 },
      rates: rates(1, 1000),
      firstTs: T0 + 1,
      lastTs: T0 + 2,
      state: p.text,
      history: p.text,
      local: true,
      owner,
      label: 'explained',
    });
    sockets.push({ proto: 'tcp', local: a, remote: `${remoteIp}:443`, state: 'ESTABLISHED', owner, wireBytes: 100 + i });
    endpoints.push({ addr: i % 2 === 1 ? p.text : remoteIp, tx: { packets: 21 + i, bytes: 1000 }, rx: { packets: 0, bytes: 0 }, rates: rates(1, 100) });
    protocols.push({ name: p.text, packets: 31 + i, bytes: 1000 });
  });
  const first = batch[0]!.text;
  const view: DashboardView = {
    ...base,
    source: { ...base.source, name: first, filter: batch[batch.length - 1]!.text },
    conversations,
    conversationsTotal: conversations.length,
    flowFilter: batch[1 % batch.length]!.text,
    endpoints,
    protocols,
    sockets,
    local: localOf(conversations, { packets: 1000, bytes: 1_000_000 }, 0),
  };
  return { view, names };
}

const ALLOWED_SEQUENCES = /\x1b\[[0-9;?]*[@-~]|\x1b[78=>]|\x1b\([0B]/g;

/** Every element's content and label, as the app handed them to blessed. */
function contents(el: blessed.Widgets.Node, out: string[] = []): string[] {
  const e = el as unknown as { content?: string; _label?: { content?: string }; children: blessed.Widgets.Node[] };
  if (typeof e.content === 'string') out.push(e.content);
  if (e._label && typeof e._label.content === 'string') out.push(e._label.content);
  for (const c of e.children) contents(c, out);
  return out;
}

interface Expect {
  /** Panel title words that find a table's header line, the column to check, and each row's value. */
  header: string[];
  column: string;
  values: string[];
}

/** Escapes some screen must show: the sequences are rendered visibly, not dropped. */
const VISIBLE = ['\\x1b[2J', '\\x1b]52;c;', '\\x1bP', '\\u009b2J', '\\u202e', '\\u061c', '\\x07', '\\x00', '\\u200b'];
const visibleSeen = new Set<string>();
let screensChecked = 0;

function checkScreen(r: Rig, f: Failures, label: () => string, expects: readonly Expect[]): void {
  screensChecked++;
  const screen = r.tui.screen;
  for (const c of contents(screen)) {
    const bad = controlIn(c);
    f.check(bad === null, () => `${label()}: handed to blessed: ${bad}`);
  }
  const grid = (screen as unknown as { lines: [number, string][][] }).lines;
  const cols = Number(screen.width);
  grid.forEach((row, y) => {
    const text = row.map((c) => c[1]).join('');
    f.check(row.length === cols && text.length === cols, () => `${label()}: row ${y} is ${text.length} characters in ${row.length} cells, not ${cols}`);
    const ch = notOneColumn(text);
    f.check(ch === null, () => `${label()}: row ${y} holds ${describe(ch!)} (not one column): ${describe(text)}`);
  });
  const program = screen.program as unknown as { flush(): void };
  program.flush();
  const written = r.output.written;
  r.output.written = '';
  const bare = written.replace(ALLOWED_SEQUENCES, '');
  const bad = controlIn(bare.replace(/[\r\n]/g, ''));
  f.check(bad === null, () => `${label()}: written to the terminal: ${bad}`);
  f.check(!/[\u0080-\u009f]/.test(written), () => `${label()}: a C1 control written to the terminal`);

  // Bounded width: the columns right of a hostile cell are where the header says.
  const text = r.text();
  for (const v of VISIBLE) if (!visibleSeen.has(v) && text.includes(v)) visibleSeen.add(v);
  const lines = text.split('\n');
  for (const e of expects) {
    const y = lines.findIndex((l) => e.header.every((h) => l.includes(h)));
    if (y < 0) continue; // the panel is not on this screen
    const end = lines[y]!.indexOf(e.column) + e.column.length;
    e.values.forEach((v, k) => {
      if (y + 1 + k >= lines.length - 1) return; // the footer: the panel shows no more rows
      const line = lines[y + 1 + k];
      if (line === undefined || line.trim() === '' || /^[\s│|]*$/.test(line)) return;
      const at = line.slice(end - v.length, end);
      const before = line[end - v.length - 1];
      const after = line[end];
      f.check(
        at === v && (before === ' ' || before === undefined) && (after === undefined || after === ' ' || after === '│' || after === '|'),
        () => `${label()}: row ${k} of "${e.header.join(' ')}": "${v}" not under "${e.column}" (line: ${describe(line)})`,
      );
    });
  }
  f.check(lines[0]!.startsWith('wirestat'), () => `${label()}: the header lost its title: ${describe(lines[0]!)}`);
}

function expectsOf(view: DashboardView): Expect[] {
  return [
    { header: ['Proto', 'Pkts', 'Process'], column: 'Pkts', values: view.conversations.map((c) => count(c.aToB.packets + c.bToA.packets)) },
    { header: ['PID/Program', 'Wire'], column: 'Wire', values: view.sockets!.map((s) => bytes(s.wireBytes!)) },
    { header: ['Address', 'Pkts'], column: 'Pkts', values: view.endpoints.map((e) => count(e.tx.packets + e.rx.packets)) },
    { header: ['Protocol', 'Packets'], column: 'Packets', values: view.protocols.map((p) => count(p.packets)) },
  ];
}

/** One fake terminal per size for the whole run: each batch is a new view from the same owner. */
interface Screen {
  r: Rig;
  names: Map<string, string>;
}

function openScreen(cols: number, rows: number): Screen {
  const names = new Map<string, string>();
  const lookup = { host: (addr: string): string | null => names.get(addr) ?? null, service: () => undefined };
  const r = rig(hostileView([{ name: 'none', text: 'none' }]).view, cols, rows, { app: { lookup } });
  r.output.written = '';
  return { r, names };
}

function dashboardCase(sc: Screen, batch: readonly Payload[], index: number, f: Failures): void {
  const { r } = sc;
  const { view, names } = hostileView(batch);
  sc.names.clear();
  for (const [k, v] of names) sc.names.set(k, v);
  // The owner answers every action (the filter's Enter too) from its base view: this batch's.
  (r.owner as unknown as { base: DashboardView }).base = view;
  r.app.render(r.owner.view());
  const cols = Number(r.tui.screen.width);
  const what = `${cols}x${Number(r.tui.screen.height)} batch ${index} (${batch[0]!.name} … ${batch[batch.length - 1]!.name})`;
  const expects = expectsOf(view);
  const step = (state: string, ...keys: string[]): void => {
    r.keys(...keys);
    checkScreen(r, f, () => `${what} ${state}`, state.includes('totals') ? expects.filter((e) => e.column !== 'Pkts') : expects);
  };
  const panels = cols >= 160 ? [''] : ['1', '2', '3', '4'];
  for (const p of panels) {
    step(`panel ${p || 'all'}, numeric`, p);
    step(`panel ${p || 'all'}, names`, 'n');
    step(`panel ${p || 'all'}, names, totals`, 't');
    r.keys('n', 't');
  }
  step('detail, numeric', '1', KEYS.home, KEYS.enter);
  step('detail, names', 'n');
  r.keys(KEYS.escape, 'n');
  // The prompt, prefilled with the filter in force; Enter hands it to the owner, which rejects it
  // quoting it back (as a real parse error quotes the expression).
  step('filter prompt', '/');
  step('filter error', KEYS.enter);
  r.keys(KEYS.escape);
}

t.test('(a) the dashboard: process names, host names and packet strings on every panel', (t) => {
  const f = new Failures();
  const wide = openScreen(200, 60);
  const all = batches(PAYLOADS, BATCH);
  all.forEach((b, i) => dashboardCase(wide, b, i, f));
  // The compact layout, one panel at a time, for the sequences and the random mixes.
  const compact = openScreen(80, 24);
  const few = batches(
    PAYLOADS.filter((p) => !p.name.startsWith('latin1') && !p.name.includes('utf-8')),
    BATCH,
  );
  few.forEach((b, i) => dashboardCase(compact, b, i, f));
  for (const sc of [wide, compact]) if (!sc.r.tui.restored) sc.r.tui.restore();
  f.report(t, `${PAYLOADS.length} payloads in ${all.length} views at 200x60 and ${few.length} at 80x24: ${screensChecked} screens`);
  t.same(VISIBLE.filter((v) => !visibleSeen.has(v)), [], 'every kind of sequence was shown as an escape on some screen');
  t.end();
});

// ── (b) text, CSV, JSON ─────────────────────────────────────────────────────────────────────

const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
const DEMO_HOST = join(ROOT, 'fixtures/captures/demo-host.json');

/** The demo report with `p` as process names, packet strings, file name, filter and interface names. */
function hostileReport(base: Report, p: string): Report {
  const r = structuredClone(base);
  r.source.name = `captures/${p}.pcap`;
  r.source.filter = p;
  r.source.errors = [{ offset: 24, reason: p }];
  r.conversations[0]!.a = `${p}:443`;
  r.conversations[0]!.program = p;
  for (const c of r.conversations) if (c.local === 'unexplained') c.b = `${p}:80`;
  r.endpoints[0]!.addr = p;
  r.protocols[p] = { packets: 7, bytes: 700 };
  r.malformed[p] = 3;
  const l = r.local!;
  l.addresses = [...l.addresses, p];
  l.interface = p;
  l.quiet_sockets = [
    { proto: 'tcp', local: '198.18.0.1:22', remote: '198.18.0.9:50000', pid: 4242, program: p, interface: 'eth0', elsewhere: true },
    { proto: 'tcp', local: `${p}:22`, remote: `${p}:1`, pid: 4243, program: 'sshd', interface: p, elsewhere: false },
  ];
  if (l.counters) {
    if (l.counters.interface) l.counters.interface.name = p;
    l.counters.other_interfaces = [{ name: p, rx_packets: 1, tx_packets: 2, rx_bytes: 3, tx_bytes: 4, rx_dropped: 0 }];
  }
  return r;
}

/** The header lines of the text tables (report and compare), each table running to a blank line. */
const TABLE_HEADERS = [/^Proto +A +B +A>B pkts/, /^Address +Tx pkts/, /^Protocol +Packets/, /^Reason +Packets/, /^Label +Conversations/, /^Proto +A +B +Packets/, /^Proto +Local +Remote/, /^ +Wire +Kernel/];
/** No table has more than 11 columns, none wider than 64 (src/cli/table.ts MAX_CELL). */
const TABLE_ROW_MAX = 11 * 64 + 10 * 2;

function tableLines(text: string): string[] {
  const out: string[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (TABLE_HEADERS.some((h) => h.test(line))) inTable = true;
    // A blank line, or an indented line of prose (no table row starts with spaces), ends it.
    else if (line === '' || line.startsWith('  ')) inTable = false;
    if (inTable) out.push(line);
  }
  return out;
}

/** Whether each of the `rows` lines under the `header` line has a number ending in the display column where `column`'s title ends. */
function aligned(text: string, header: RegExp, column: string, rows: number): { ok: boolean; why: string } {
  const lines = text.split('\n');
  const y = lines.findIndex((l) => header.test(l));
  if (y < 0) return { ok: false, why: `no header ${header}` };
  const h = lines[y]!;
  const end = width(h.slice(0, h.indexOf(column) + column.length));
  for (let k = 1; k <= rows; k++) {
    const line = lines[y + k];
    if (line === undefined || line === '') break;
    const i = indexAt(line, end);
    const last = line[i - 1] ?? '';
    if (!/[0-9-]/.test(last) || !(i === line.length || line[i] === ' ')) return { ok: false, why: `row ${k} "${describe(line)}": "${column}" does not end at column ${end}` };
  }
  return { ok: true, why: '' };
}

t.test('(b) report and compare text, CSV, the headless dashboard', async (t) => {
  const base = (await analyzeFile(DEMO, { host: await hostJoin([DEMO_HOST]), top: 8 })).report;
  const f = new Failures();
  let outputs = 0;
  for (const p of PAYLOADS) {
    const r = hostileReport(base, p.text);
    const texts: [string, string][] = [
      ['report text', printText(r)],
      ['compare text', printCompare(r)],
      ...CSV_TABLES.map((tb): [string, string] => [`csv ${tb}`, printCsv({ ...r, conversations: rowsOf(r.conversations), endpoints: rowsOf(r.endpoints) }, tb)]),
    ];
    for (const [what, out] of texts) {
      outputs++;
      const bad = controlIn(what.startsWith('csv') ? out.replace(/\r\n/g, '\n') : out);
      f.check(bad === null, () => `${p.name}: ${what}: ${bad}`);
    }
    const report = texts[0]![1];
    const compare = texts[1]![1];
    // Bounded width: every row of every table is one column a character and within a bound,
    // and the columns right of a hostile cell stay under their titles.
    for (const [what, out] of [
      ['report text', report],
      ['compare text', compare],
    ] as const) {
      for (const line of tableLines(out)) {
        const ch = notOneColumn(line);
        f.check(ch === null, () => `${p.name}: ${what}: ${describe(ch!)} in a table row is not one column: ${describe(line)}`);
        f.check(width(line) <= TABLE_ROW_MAX, () => `${p.name}: ${what}: a table row ${width(line)} columns wide`);
      }
    }
    for (const [what, out, header, column, rows] of [
      ['report conversations', report, /^Proto +A +B +A>B pkts/, 'Duration', r.conversations.length],
      ['report endpoints', report, /^Address +Tx pkts/, 'Tx pkts', r.endpoints.length],
      ['report protocols', report, /^Protocol +Packets/, 'Packets', Object.keys(r.protocols).length],
      ['report malformed', report, /^Reason +Packets/, 'Packets', Object.keys(r.malformed).length],
      ['compare unexplained', compare, /^Proto +A +B +Packets/, 'Bytes', 50],
    ] as const) {
      const a = aligned(out, header, column, rows);
      f.check(a.ok, () => `${p.name}: ${what}: ${a.why}`);
    }
    // The quiet socket whose program is hostile: its route still starts under "Route".
    const lines = compare.split('\n');
    const hy = lines.findIndex((l) => /^Proto +Local +Remote +PID\/Program +Route/.test(l));
    const row = lines[hy + 1] ?? '';
    f.check(row.endsWith('eth0 (elsewhere)') && width(row) - width('eth0 (elsewhere)') === width(lines[hy]!.slice(0, lines[hy]!.indexOf('Route'))), () => `${p.name}: compare quiet sockets: the route is not under "Route": ${describe(row)}`);
  }
  // The headless dashboard (live | tee): one block per tick, lines cut to the width.
  for (const b of batches(PAYLOADS, BATCH)) {
    const { view } = hostileView(b);
    const out = formatTick(view, { rows: BATCH, width: 160 });
    outputs++;
    const bad = controlIn(out);
    f.check(bad === null, () => `text mode (${b[0]!.name} … ${b[b.length - 1]!.name}): ${bad}`);
    for (const line of out.split('\n')) {
      const ch = notOneColumn(line);
      f.check(ch === null, () => `text mode: ${describe(ch!)} is not one column: ${describe(line)}`);
      f.check(width(line) <= 160, () => `text mode: a line ${width(line)} columns wide`);
    }
  }
  f.report(t, `${PAYLOADS.length} payloads, ${outputs} outputs`);
});

t.test('(b) JSON keeps every string exactly and shows no control code point', async (t) => {
  // A host snapshot whose every process has a hostile name: all the sequences and all 256 bytes.
  const names = [...SEQUENCES.map(([, s]) => s), ...latin1Payloads().map((p) => p.text), ...sequencePayloads().map((p) => p.text)];
  // The file holds one snapshot a line (as `wirestat snapshot -w` records them).
  const snaps = readFileSync(DEMO_HOST, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { sockets: { pid: number | null; program: string | null }[] });
  let k = 0;
  for (const snap of snaps) for (const s of snap.sockets) if (s.pid !== null) s.program = names[k++ % names.length]!;
  const dir = mkdtempSync(join(tmpdir(), 'wirestat-sanitize-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const host = join(dir, 'host.json');
  writeFileSync(host, snaps.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const programs = new Set(snaps.flatMap((snap) => snap.sockets.map((s) => s.program)).filter((p): p is string => p !== null));
  const { report } = await analyzeFile(DEMO, { host: await hostJoin([host]) });
  const hostile = hostileReport(report, names.join(''));
  for (const isTTY of [true, false]) {
    for (const [what, out] of [
      ['report --json', collect((o) => printReport(hostile, { json: true }, o), isTTY)],
      ['compare --json', await collectAsync((o) => runCompare({ file: DEMO, host, json: true }, { out: o, io: { err: () => undefined } as never }), isTTY)],
    ] as const) {
      t.equal(controlIn(out), null, `${what}${isTTY ? ' to a terminal' : ''}: no control code point`);
      t.equal(out.trimEnd().includes('\n'), isTTY, isTTY ? 'indented on a terminal' : 'one line to a pipe');
      let back: Report;
      try {
        back = JSON.parse(out) as Report;
      } catch (e) {
        const m = /position (\d+)/.exec(String(e));
        const at = Number(m?.[1] ?? 0);
        t.fail(`${what}: ${String(e)} near ${describe(out.slice(Math.max(0, at - 80), at + 40))}`);
        continue;
      }
      const seen = new Set(back.conversations.map((c) => c.program).filter((p): p is string => p !== null));
      if (what === 'report --json') t.same(back, hostile, `${what}: parses back to the same report`);
      else t.ok([...seen].every((p) => programs.has(p)) && seen.size > 0, `${what}: ${seen.size} program names parse back exactly`);
    }
  }
});

function collect(fn: (o: { write(s: string): void; isTTY: boolean }) => void, isTTY: boolean): string {
  let s = '';
  fn({ write: (x) => (s += x), isTTY });
  return s;
}

async function collectAsync(fn: (o: { write(s: string): void; isTTY: boolean }) => Promise<unknown>, isTTY: boolean): Promise<string> {
  let s = '';
  await fn({ write: (x) => (s += x), isTTY });
  return s;
}

// ── (c) netstat ─────────────────────────────────────────────────────────────────────────────

const CRAFTED = join(ROOT, 'fixtures/host/crafted');
/** netstat.c PROGNAME_WIDTH: the cell holds 19 bytes of "PID/name"; an escape shows a byte in at most 4 columns. */
const PROGRAM_COLUMN_MAX = 19 * 4 + 1;

function netstatFlags(letters: string): NetstatFlags {
  const flags = defaultFlags();
  const set: Record<string, keyof NetstatFlags> = { a: 'all', t: 'tcp', u: 'udp', x: 'unix', n: 'numeric', p: 'program', W: 'wide', o: 'timers', b: 'executable' };
  for (const c of letters) {
    if (c === 'e') flags.extend++;
    else (flags as unknown as Record<string, unknown>)[set[c]!] = true;
  }
  return flags;
}

t.test('(c) netstat: program names, executables, host, service and user names', (t) => {
  const f = new Failures();
  const numeric = netstatFlags('tuanp');
  const named = netstatFlags('tuxapeWob');
  const view = readSockets(join(CRAFTED, 'proc'), { ...named, numeric: false }, { packet: false });
  t.ok(view.sockets.some((s) => s.pid !== null), 'the crafted /proc has sockets with owners');
  let listings = 0;
  for (const p of PAYLOADS) {
    const sockets = view.sockets.map((s) => (s.pid === null ? s : { ...s, program: p.text, exe: p.text, ...(s.proto === 'unix' ? { path: p.text } : {}) }));
    const names = localNames('', '', '');
    const hostile = { service: () => p.text, user: () => p.text };
    // -tuanp: only the program column holds the payload; it starts where its title does.
    const plain = formatSockets({ sockets }, numeric, undefined, names);
    listings++;
    const h = plain.findIndex((l) => l.includes('PID/Program name'));
    const start = plain[h]!.indexOf('PID/Program name');
    for (const line of plain) {
      const bad = controlIn(line);
      f.check(bad === null, () => `${p.name}: netstat -tuanp: ${bad}`);
    }
    for (const line of plain.slice(h + 1)) {
      if (line.startsWith('Active')) break;
      const cellText = line.slice(start);
      f.check(!/^\s/.test(cellText) && width(line.slice(0, start)) === start, () => `${p.name}: netstat -tuanp: the program cell does not start under its title: ${describe(line)}`);
      f.check(width(cellText.trimEnd()) <= PROGRAM_COLUMN_MAX, () => `${p.name}: netstat -tuanp: program cell ${width(cellText.trimEnd())} columns wide: ${describe(cellText)}`);
    }
    // -tuxapeWob with names: host names from the resolver, services and users from /etc.
    const full = formatSockets({ sockets }, named, () => p.text, hostile);
    listings++;
    for (const line of full) {
      const bad = controlIn(line);
      f.check(bad === null, () => `${p.name}: netstat -tuxapeWob: ${bad}`);
    }
  }
  f.report(t, `${PAYLOADS.length} payloads, ${listings} listings`);
  t.end();
});
