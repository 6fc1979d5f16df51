/**
 * The key list (`h` or `?`), drawn over the panels; any of h, ?, Esc or Enter closes it.
 */
import { clipLine, type Line } from './theme.js';

export const HELP_KEYS: readonly (readonly [string, string])[] = [
  ['q, Ctrl-C', 'quit (the terminal is restored)'],
  ['space', 'pause / resume'],
  ['tab, S-tab', 'next / previous panel'],
  ['1 to 5', 'flows, local, endpoints, protocols, chart'],
  ['up, down', 'select a flow / scroll'],
  ['PgUp, PgDn', 'a page up / down; Home, End'],
  ['Enter', 'details of the selected flow'],
  ['Esc', 'close details, help or the filter'],
  ['s', 'sort flows: bytes, packets, rate, recent'],
  ['t', 'totals / rates'],
  ['n', 'host names / numbers'],
  ['p', 'service names / port numbers'],
  ['/', 'filter flows (the language of -f)'],
  ['l', 'flows by label: host, *, !, third-party, all'],
  ['h, ?', 'this help'],
];

const LEGEND = [
  '* before a flow: a socket of this host owns it.',
  "! before a flow: this host's, but no socket owns it.",
  'Rates are bits per second over 2, 10 and 40 s.',
];

export function helpLines(width: number): Line[] {
  const keyWidth = Math.max(...HELP_KEYS.map(([k]) => k.length));
  const out: Line[] = [];
  for (const [k, d] of HELP_KEYS) out.push([{ text: ` ${k.padEnd(keyWidth)}`, style: 'key' }, { text: `  ${d}` }]);
  out.push([]);
  for (const l of LEGEND) out.push([{ text: ` ${l}`, style: 'dim' }]);
  return out.map((l) => clipLine(l, width));
}

/** Columns and rows the help needs inside its border. */
export function helpSize(): { width: number; height: number } {
  const keyWidth = Math.max(...HELP_KEYS.map(([k]) => k.length));
  const width = Math.max(...HELP_KEYS.map(([, d]) => keyWidth + 3 + d.length), ...LEGEND.map((l) => l.length + 1)) + 1;
  return { width, height: HELP_KEYS.length + 1 + LEGEND.length };
}
