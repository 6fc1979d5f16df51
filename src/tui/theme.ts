/**
 * How text is styled: with colour, or in monochrome (NO_COLOR, a terminal without colours),
 * and with Unicode glyphs or ASCII ones (a terminal that is not UTF-8).
 *
 * Panels build lines of spans (plain text, one column per character, plus a style name); only
 * `toTags` turns them into blessed's tag markup, escaping every brace of the text, so nothing a
 * string holds can become markup. Monochrome never loses information: whatever colour says
 * (focus, selection, an alarm) is also said by a glyph, bold or inverse video.
 */
import { cell, fitMiddle, type Glyphs } from './sanitize.js';

export type Style =
  | 'title'
  | 'titleFocus'
  | 'header'
  | 'selected'
  | 'local'
  | 'error'
  | 'alert'
  | 'key'
  | 'dim'
  | 'bar'
  | 'tab'
  | 'tabActive';

export interface Span {
  text: string;
  style?: Style | undefined;
}
export type Line = Span[];

export interface ThemeGlyphs extends Glyphs {
  /** Nine levels of a bar cell, empty to full (eighths). */
  blocks: readonly string[];
  focus: string;
  times: string;
  arrow: string;
  back: string;
  cursor: string;
  rule: string;
}

export interface Theme {
  /** Colours allowed (not NO_COLOR, and the terminal has at least 8). */
  color: boolean;
  /** UTF-8 terminal: Unicode glyphs and box lines. */
  unicode: boolean;
  glyphs: ThemeGlyphs;
}

const UNICODE_GLYPHS: ThemeGlyphs = {
  ellipsis: '…',
  blocks: [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  focus: '▶',
  times: '×',
  arrow: '→',
  back: '←',
  cursor: '█',
  rule: '─',
};

const ASCII_GLYPHS: ThemeGlyphs = {
  ellipsis: '~',
  blocks: [' ', '.', '.', ':', ':', '|', '|', '#', '#'],
  focus: '>',
  times: 'x',
  arrow: '->',
  back: '<-',
  cursor: '_',
  rule: '-',
};

export function makeTheme(color: boolean, unicode: boolean): Theme {
  return { color, unicode, glyphs: unicode ? UNICODE_GLYPHS : ASCII_GLYPHS };
}

/** Tag markup per style; monochrome uses only bold, underline and inverse. */
const COLOR_TAGS: Record<Style, string> = {
  title: '{bold}{cyan-fg}',
  titleFocus: '{bold}{black-fg}{cyan-bg}',
  header: '{bold}',
  selected: '{inverse}',
  local: '{green-fg}{bold}',
  error: '{bold}{red-fg}',
  alert: '{bold}{black-fg}{yellow-bg}',
  key: '{bold}{cyan-fg}',
  dim: '{blue-fg}',
  bar: '{green-fg}',
  tab: '',
  tabActive: '{bold}{black-fg}{cyan-bg}',
};

const MONO_TAGS: Record<Style, string> = {
  title: '{bold}',
  titleFocus: '{bold}{inverse}',
  header: '{underline}',
  selected: '{inverse}',
  local: '{bold}',
  error: '{bold}',
  alert: '{bold}{inverse}',
  key: '{bold}',
  dim: '',
  bar: '',
  tab: '',
  tabActive: '{bold}{inverse}',
};

/** Braces of plain text as blessed's tag escapes. */
export function escapeTags(s: string): string {
  return s.indexOf('{') < 0 && s.indexOf('}') < 0 ? s : s.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

export function toTags(line: Line, theme: Theme): string {
  const tags = theme.color ? COLOR_TAGS : MONO_TAGS;
  let out = '';
  for (const span of line) {
    const open = span.style ? tags[span.style] : '';
    out += open ? `${open}${escapeTags(span.text)}{/}` : escapeTags(span.text);
  }
  return out;
}

/** A line's width in columns (every span's text is one column per character). */
export function lineWidth(line: Line): number {
  let n = 0;
  for (const s of line) n += s.text.length;
  return n;
}

/** The line cut to `width` columns. */
export function clipLine(line: Line, width: number): Line {
  const out: Line = [];
  let room = width;
  for (const s of line) {
    if (room <= 0) break;
    if (s.text.length <= room) {
      out.push(s);
      room -= s.text.length;
    } else {
      out.push({ text: s.text.slice(0, room), style: s.style });
      room = 0;
    }
  }
  return out;
}

/** The line padded with spaces to `width` in the style of its last span (a full-width bar). */
export function padLine(line: Line, width: number, style?: Style): Line {
  const w = lineWidth(line);
  if (w >= width) return clipLine(line, width);
  return [...line, { text: ' '.repeat(width - w), style }];
}

/** One piece of a title or status line; when the line is too narrow, higher `drop` goes first. */
export interface Segment {
  text: string;
  style?: Style | undefined;
  drop: number;
  /** A shorter form tried before the segment is dropped. */
  short?: string | undefined;
  /** Cut in the middle (down to 8 columns) rather than dropped: a file or interface name. */
  flex?: boolean;
}

const FLEX_MIN = 8;
/** Columns between the left and the right group of `fitSides`. */
const SIDE_GAP = 2;

type Item = Segment & { side: 0 | 1 };

/**
 * Segments reduced until they fit `width`: first shorter forms (highest `drop` first), then
 * segments dropped (highest `drop` first, flexible ones kept), then flexible ones cut in the
 * middle, then what is left dropped from the end. Both sides compete for the same room.
 */
function reduce(segments: readonly Item[], width: number, sep: string, glyphs: Glyphs): Item[] {
  const items: Item[] = segments
    .filter((s) => s.text !== '')
    .map((s) => ({ ...s, text: cell(s.text), short: s.short === undefined ? undefined : cell(s.short) }));
  const total = (): number => {
    let n = 0;
    for (const side of [0, 1] as const) {
      const group = items.filter((s) => s.side === side);
      if (group.length === 0) continue;
      if (n > 0) n += SIDE_GAP;
      n += group.reduce((m, s, i) => m + s.text.length + (i > 0 ? sep.length : 0), 0);
    }
    return n;
  };
  const order = [...items].sort((a, b) => b.drop - a.drop);
  const shortened: { item: Item; long: string }[] = [];
  for (const s of order) {
    if (total() <= width) break;
    if (s.short !== undefined && s.short !== s.text) {
      shortened.push({ item: s, long: s.text });
      s.text = s.short;
    }
  }
  const dropWorst = (eligible: (s: Item) => boolean): boolean => {
    let worst = -1;
    for (let i = 1; i < items.length; i++) if (eligible(items[i]!) && (worst < 0 || items[i]!.drop >= items[worst]!.drop)) worst = i;
    if (worst < 0) return false;
    items.splice(worst, 1);
    return true;
  };
  while (total() > width && dropWorst((s) => s.drop > 0 && !s.flex));
  // Drops may have made room again for what was shortened: undo what fits, last first.
  for (const { item, long } of shortened.reverse()) {
    if (!items.includes(item)) continue;
    const short = item.text;
    item.text = long;
    if (total() > width) item.text = short;
  }
  for (const s of items) {
    const over = total() - width;
    if (over <= 0) break;
    if (s.flex && s.text.length > FLEX_MIN) s.text = fitMiddle(s.text, Math.max(FLEX_MIN, s.text.length - over), glyphs);
  }
  while (total() > width && dropWorst(() => true));
  return items;
}

function join(items: readonly Item[], sep: string): Line {
  const line: Line = [];
  items.forEach((s, i) => {
    if (i > 0) line.push({ text: sep });
    line.push({ text: s.text, style: s.style });
  });
  return line;
}

function cutTo(line: Line, width: number, theme: Theme): Line {
  if (lineWidth(line) <= width) return line;
  const cut = clipLine(line, Math.max(0, width - 1));
  if (width > 0) cut.push({ text: theme.glyphs.ellipsis });
  return cut;
}

/**
 * Segments joined by `sep` into at most `width` columns (see `reduce`). The texts may come
 * from the wire (a filter, a file name): each passes through `cell()`.
 */
export function fitSegments(segments: readonly Segment[], width: number, theme: Theme, sep = '  '): Line {
  return cutTo(join(reduce(segments.map((s) => ({ ...s, side: 0 as const })), width, sep, theme.glyphs), sep), width, theme);
}

/** `left` from the start and `right` flush with the end of `width` columns, fitted together. */
export function fitSides(left: readonly Segment[], right: readonly Segment[], width: number, theme: Theme, sep = '  '): Line {
  const items = reduce([...left.map((s) => ({ ...s, side: 0 as const })), ...right.map((s) => ({ ...s, side: 1 as const }))], width, sep, theme.glyphs);
  const l = join(items.filter((s) => s.side === 0), sep);
  const r = join(items.filter((s) => s.side === 1), sep);
  const gap = width - lineWidth(l) - lineWidth(r);
  return cutTo(gap > 0 ? [...l, { text: ' '.repeat(gap) }, ...r] : [...l, { text: ' ' }, ...r], width, theme);
}
